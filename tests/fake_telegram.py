"""A fake Telegram Bot API on 127.0.0.1 for the real python-telegram-bot ``Application``.

Point the application at it with ``base_url=fake.base_url`` (PTB's convention: ends in "/bot").
Tests inject what users do (:meth:`FakeTelegram.text`, :meth:`press`, :meth:`contact`), which the
bot receives through ``getUpdates`` (long poll, offset semantics) or which a test posts to the
bot's webhook (:meth:`text_update` etc. build the update objects). Everything the bot sends is
recorded per chat, with edits applied, so tests read ``fake.messages(chat_id)``.

Misbehaviour on demand: ``rate_limit`` (HTTP 429 with ``parameters.retry_after``), ``drop``
(connection closed unanswered), ``block(chat)`` (HTTP 403 "bot was blocked by the user").

Run ``python -m tests.fake_telegram --port N`` to serve it from another process (the benchmarks
do, so the fake does not share the bot's CPU); ``GET /_fake/summary`` then reports per-chat
message counts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

from tests.fake_http import FakeApiServer, form_params

TOKEN = "123456:TEST-fake-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Trợ lý quán triệt",
    "username": "quantriet_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"})


class FakeTelegram(FakeApiServer):
    def __init__(self, token: str = TOKEN, max_poll_seconds: float = 0.25) -> None:
        super().__init__()
        self.token = token
        self.max_poll_seconds = max_poll_seconds
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.blocked: set[str] = set()
        self.documents: dict[str, bytes] = {}  # file_id -> content the bot uploaded
        self._chats: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._message_ids: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._update_added = asyncio.Event()
        self.web.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self.web.router.add_get("/_fake/summary", self._summary)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.origin}/file/bot"

    # -- what users do --------------------------------------------------------------------

    @staticmethod
    def user(user_id: int, first_name: str = "Cán bộ") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _message(self, user_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids[str(user_id)]),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Cán bộ"},
            "from": self.user(user_id),
            **content,
        }

    def text_update(self, user_id: int, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": self._message(user_id, **content)}

    def press_update(self, user_id: int, data: str, message_id: int | None = None) -> dict[str, Any]:
        """A press on an inline button of the bot's message ``message_id`` (default: its last)."""
        mine = self._chats[str(user_id)]
        if message_id is None and mine:
            message_id = mine[-1]["message_id"]
        message = next((m for m in mine if m["message_id"] == message_id), None) or {
            "message_id": message_id or 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "text": "",
        }
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._ids)),
                "from": self.user(user_id),
                "chat_instance": str(user_id),
                "data": data,
                "message": {**message, "from": BOT_USER},
            },
        }

    def contact_update(self, user_id: int, phone: str, contact_user_id: int | None = None) -> dict[str, Any]:
        """A shared contact; ``contact_user_id`` defaults to the sender (their own number)."""
        contact = {
            "phone_number": phone,
            "first_name": "Cán bộ",
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        return {"update_id": next(self._update_ids), "message": self._message(user_id, contact=contact)}

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the next getUpdates."""
        self.updates.append(update)
        self._update_added.set()
        return update

    def text(self, user_id: int, text: str) -> dict[str, Any]:
        return self.inject(self.text_update(user_id, text))

    def press(self, user_id: int, data: str, message_id: int | None = None) -> dict[str, Any]:
        return self.inject(self.press_update(user_id, data, message_id))

    def contact(self, user_id: int, phone: str, contact_user_id: int | None = None) -> dict[str, Any]:
        return self.inject(self.contact_update(user_id, phone, contact_user_id))

    def block(self, chat_id: int | str) -> None:
        """From now on, sending to this chat fails with 403 "bot was blocked by the user"."""
        self.blocked.add(str(chat_id))

    # -- what the bot sent ----------------------------------------------------------------

    def messages(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, oldest first, as they look now (edits applied)."""
        return self._chats[str(chat_id)]

    def sent_counts(self) -> dict[str, int]:
        """How many messages each chat received (edits not counted)."""
        return {chat: len(msgs) for chat, msgs in self._chats.items() if msgs}

    async def wait_message(
        self, chat_id: int | str, contains: str = "", after: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first message to ``chat_id`` past index ``after`` whose text contains ``contains``."""

        def find() -> dict[str, Any] | None:
            for message in self.messages(chat_id)[after:]:
                if contains in message.get("text", message.get("caption", "")):
                    return message
            return None

        return await self.wait_for(find, timeout)

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, callback data or URL) of every inline button, in reading order."""
        markup = message.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data") or b.get("url", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    # -- the Bot API ----------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await form_params(request)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        self.record(method, params)
        chat = str(params["chat_id"]) if "chat_id" in params else None
        if method in SEND_METHODS and chat in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return await self.respond(
            request,
            method,
            chat,
            lambda: _ok(handler(params)),
            lambda seconds: _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}),
        )

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        if not self.updates and timeout > 0:
            self._update_added.clear()
            try:
                await asyncio.wait_for(self._update_added.wait(), timeout)
            except TimeoutError:
                pass
        return self.updates[: int(params.get("limit") or 100)]

    def _bot_message(self, chat: str, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids[chat]),
            "date": int(time.time()),
            "chat": {"id": int(chat), "type": "private"},
            "from": BOT_USER,
            **content,
        }
        self._chats[chat].append(message)
        return _as_sent(message)

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message_id = str(params["chat_id"]), int(params["message_id"])
        for message in self._chats[chat]:
            if message["message_id"] == message_id:
                return message
        raise web.HTTPBadRequest(
            text=json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}),
            content_type="application/json",
        )

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        content: dict[str, Any] = {"text": params["text"]}
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        return self._bot_message(str(params["chat_id"]), **content)

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, data = params["document"]
        file_id = f"file{next(self._ids)}"
        self.documents[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": filename,
            "mime_type": "application/octet-stream",
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._bot_message(str(params["chat_id"]), **content)

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        if message.get("text") == params["text"] and message.get("reply_markup") == params.get("reply_markup"):
            raise web.HTTPBadRequest(
                text=json.dumps(
                    {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"}
                ),
                content_type="application/json",
            )
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.changed()
        return _as_sent(message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.changed()
        return _as_sent(message)

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self.updates.clear()
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    async def _summary(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"sent": self.sent_counts(), "calls": {m: len(self.called(m)) for m in {c.method for c in self.calls}}}
        )


def _as_sent(message: dict[str, Any]) -> dict[str, Any]:
    """The message as the Bot API returns it: only an inline keyboard is part of a Message (a
    reply keyboard, kept in the record for tests, is not)."""
    markup = message.get("reply_markup")
    if markup is not None and "inline_keyboard" not in markup:
        return {k: v for k, v in message.items() if k != "reply_markup"}
    return message


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def main() -> None:
    """Serve the fake from its own process (for benchmarks) until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=TOKEN)
    args = parser.parse_args()

    async def serve() -> None:
        fake = FakeTelegram(args.token)
        await fake.start(args.port)
        print(fake.base_url, flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
