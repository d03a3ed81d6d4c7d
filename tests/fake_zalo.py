"""Fake Zalo APIs on 127.0.0.1: the Bot Platform and the Official Account (Open API v3 + OAuth).

:class:`FakeZaloBot` behaves like bot-api.zaloplatforms.com as described in
../shared/reference/zalo-bot-platform.md: every answer is HTTP 200 with an ``{ok, ...}``
envelope, ``getUpdates`` returns ONE update (no offset) or ``ok: false, 408`` when idle, and it
refuses to be polled while a webhook is set. Tests inject what users do (:meth:`text`,
:meth:`event`) and read what the bot sent per chat (:meth:`texts`). ``fail(method, code)`` makes the
next calls answer ``ok: false`` with any error code (401, 429, 403 ...).

:class:`FakeZaloOA` serves ``POST /v3.0/oa/message/cs`` (checks the ``access_token`` header) and
``POST /v4/oa/access_token`` (refresh tokens are single-use: a spent one is refused). It can expire
the current access token, refuse a user with a quota error, and sign webhook events the way Zalo
does (:meth:`signed`), so tests can post them to the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_http import FakeApiServer, form_params

BOT_TOKEN = "1234567890:fake-zalo-bot-secret"
BOT_INFO = {
    "id": "b0b0b0b0b0b0b0b0b0b0",
    "account_name": "bot.quantriet",
    "account_type": "BASIC",
    "display_name": "Trợ lý quán triệt",
    "can_join_groups": False,
}
OA_APP_ID = "4321987654321"
OA_SECRET_KEY = "fake-oa-secret-key"
OA_ID = "9988776655443322110"


@dataclass
class ScriptedError:
    method: str
    code: int
    description: str
    count: int


def _envelope_error(code: int, description: str) -> web.Response:
    """Zalo Bot answers errors with HTTP 200 and ok: false."""
    return web.json_response({"ok": False, "error_code": code, "description": description})


class FakeZaloBot(FakeApiServer):
    def __init__(self, token: str = BOT_TOKEN, max_poll_seconds: float = 0.5) -> None:
        super().__init__()
        self.token = token
        self.max_poll_seconds = max_poll_seconds
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.scripted: list[ScriptedError] = []
        self.idle_answers = 0  # how many long polls ended with 408
        self._sent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._update_added = asyncio.Event()
        self._ids = itertools.count(1)
        self.web.router.add_route("*", "/bot{token}/{method}", self._dispatch)

    @property
    def base_url(self) -> str:
        """The bare host, as ``[zalo] base_url`` expects (the client appends /bot<TOKEN>/...)."""
        return self.origin

    # -- what users do --------------------------------------------------------------------

    def update(
        self,
        user_id: str,
        event: str = "message.text.received",
        name: str = "Cán bộ",
        chat_type: str = "PRIVATE",
        **message: Any,
    ) -> dict[str, Any]:
        return {
            "event_name": event,
            "message": {
                "from": {"id": user_id, "display_name": name, "is_bot": False},
                "chat": {"id": user_id, "chat_type": chat_type},
                "message_id": secrets.token_hex(10),
                "date": int(time.time() * 1000),
                **message,
            },
        }

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        self.updates.append(update)
        self._update_added.set()
        return update

    def text(self, user_id: str, text: str, name: str = "Cán bộ") -> dict[str, Any]:
        return self.inject(self.update(user_id, name=name, text=text))

    def event(self, user_id: str, event: str, **message: Any) -> dict[str, Any]:
        return self.inject(self.update(user_id, event, **message))

    def fail(self, method: str, code: int, description: str = "", count: int = 1) -> None:
        """The next ``count`` calls of ``method`` answer ``ok: false`` with ``code``."""
        self.scripted.append(ScriptedError(method, code, description or f"error {code}", count))

    # -- what the bot did -----------------------------------------------------------------

    def texts(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self._sent[chat_id]]

    async def wait_texts(self, chat_id: str, count: int, timeout: float = 20.0) -> list[str]:
        """The first ``count`` texts sent to ``chat_id``, once there are that many."""
        await self.wait_for(lambda: len(self._sent[chat_id]) >= count, timeout)
        return self.texts(chat_id)[:count]

    async def wait_text(self, chat_id: str, contains: str, after: int = 0, timeout: float = 20.0) -> str:
        def find() -> str | None:
            return next((t for t in self.texts(chat_id)[after:] if contains in t), None)

        return await self.wait_for(find, timeout)

    # -- the API --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _envelope_error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await form_params(request)
        self.record(method, params)
        for script in self.scripted:
            if script.method == method:
                script.count -= 1
                if script.count <= 0:
                    self.scripted.remove(script)
                return _envelope_error(script.code, script.description)
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _envelope_error(404, "Not Found")
        chat = str(params.get("chat_id")) if "chat_id" in params else None
        return await self.respond(
            request, method, chat, lambda: handler(params), lambda _s: _envelope_error(429, "Quota exceeded")
        )

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        if self.webhook.get("url"):
            return _envelope_error(400, "Webhook is set; getUpdates is unavailable")
        if not self.updates:
            self._update_added.clear()
            timeout = min(float(params.get("timeout") or 30), self.max_poll_seconds)
            try:
                await asyncio.wait_for(self._update_added.wait(), timeout)
            except TimeoutError:
                pass
        if not self.updates:
            self.idle_answers += 1
            self.changed()
            return _envelope_error(408, "Request timeout")
        return web.json_response({"ok": True, "result": self.updates.pop(0)})

    def _api_getMe(self, params: dict[str, Any]) -> web.Response:
        return web.json_response({"ok": True, "result": BOT_INFO})

    def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _envelope_error(400, "text must be 1-2000 characters")
        message = {"message_id": secrets.token_hex(10), "date": int(time.time() * 1000), "text": text}
        self._sent[str(params["chat_id"])].append(message)
        self.changed()
        return web.json_response({"ok": True, "result": {"message_id": message["message_id"], "date": message["date"]}})

    def _api_sendChatAction(self, params: dict[str, Any]) -> web.Response:
        return web.json_response({"ok": True, "result": True})

    def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        secret = str(params.get("secret_token") or "")
        if not str(params.get("url", "")).startswith("http") or not 8 <= len(secret) <= 256:
            return _envelope_error(400, "bad webhook")
        self.webhook = {"url": params["url"], "secret_token": secret}
        return web.json_response({"ok": True, "result": {"url": params["url"]}})

    def _api_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {"url": ""}
        return web.json_response({"ok": True, "result": True})


class FakeZaloOA(FakeApiServer):
    """Open API v3 (CS messages) and the OAuth v4 token endpoint on one origin."""

    def __init__(self, refresh_token: str = "refresh-0", access_token: str = "access-0") -> None:
        super().__init__()
        self.access_tokens = {access_token}
        self.refresh_tokens = {refresh_token}
        self.user_errors: dict[str, tuple[int, str]] = {}  # user id -> (error, message), every send
        self.sent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._serial = itertools.count(1)
        self.web.router.add_post("/v3.0/oa/message/cs", self._message_cs)
        self.web.router.add_post("/v4/oa/access_token", self._oauth)

    @property
    def api_base(self) -> str:
        return self.origin

    @property
    def oauth_url(self) -> str:
        return f"{self.origin}/v4/oa/access_token"

    # -- controls -------------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far is refused from now on (error -216)."""
        self.access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def texts(self, user_id: str) -> list[str]:
        return [m["message"]["text"] for m in self.sent[user_id]]

    async def wait_texts(self, user_id: str, count: int, timeout: float = 20.0) -> list[str]:
        await self.wait_for(lambda: len(self.sent[user_id]) >= count, timeout)
        return self.texts(user_id)[:count]

    # -- webhook events, signed like Zalo ---------------------------------------------------

    @staticmethod
    def signed(event: dict[str, Any], secret_key: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
        """(raw body, headers) of a webhook POST carrying ``event`` with a valid mac."""
        raw = json.dumps(event, ensure_ascii=False)
        mac = hashlib.sha256(f"{event['app_id']}{raw}{event['timestamp']}{secret_key}".encode()).hexdigest()
        return raw.encode("utf-8"), {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}

    @staticmethod
    def event(name: str, user_id: str, timestamp_ms: float | None = None, **fields: Any) -> dict[str, Any]:
        """A webhook event as Zalo sends it (user_* events come from the user to the OA; seen and
        received events from the OA to the user; follow/unfollow name a follower)."""
        body: dict[str, Any] = {
            "app_id": OA_APP_ID,
            "user_id_by_app": f"app-{user_id}",
            "event_name": name,
            "timestamp": str(int(timestamp_ms if timestamp_ms is not None else time.time() * 1000)),
        }
        if name in ("follow", "unfollow"):
            body.update(oa_id=OA_ID, follower={"id": user_id}, source="oa_profile")
        elif name in ("user_seen_message", "user_received_message"):
            body.update(sender={"id": OA_ID}, recipient={"id": user_id})
        else:
            body.update(sender={"id": user_id}, recipient={"id": OA_ID})
        body.update(fields)
        return body

    def text_event(self, user_id: str, text: str) -> dict[str, Any]:
        return self.event("user_send_text", user_id, message={"text": text, "msg_id": secrets.token_hex(16)})

    # -- the API --------------------------------------------------------------------------

    async def _message_cs(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        self.record("message/cs", {**params, "access_token": request.headers.get("access_token")})
        if request.headers.get("access_token") not in self.access_tokens:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        user_id = str(params["recipient"]["user_id"])
        if user_id in self.user_errors:
            code, message = self.user_errors[user_id]
            return web.json_response({"error": code, "message": message})
        text = params["message"].get("text", "")
        if not 1 <= len(text) <= 2000:
            return web.json_response({"error": -201, "message": "Parameters are invalid"})

        def answer() -> web.Response:
            message_id = f"oa-msg-{next(self._serial)}"
            self.sent[user_id].append({"message_id": message_id, "message": params["message"]})
            self.changed()
            return web.json_response(
                {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}}
            )

        return await self.respond(
            request,
            "message/cs",
            user_id,
            answer,
            lambda _s: web.json_response({"error": -32, "message": "reached limit call api"}),
        )

    async def _oauth(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        self.record("oauth", {**params, "secret_key": request.headers.get("secret_key")})
        if request.headers.get("secret_key") != OA_SECRET_KEY or params.get("app_id") != OA_APP_ID:
            return web.json_response(
                {"error": -14002, "error_name": "Invalid app", "error_description": "app_id or secret_key is invalid"}
            )
        token = params.get("refresh_token")
        if params.get("grant_type") != "refresh_token" or token not in self.refresh_tokens:
            return web.json_response(
                {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_description": "Refresh token is invalid or expired",
                }
            )
        self.refresh_tokens.discard(token)  # single-use
        serial = next(self._serial)
        access, refresh = f"access-{serial}", f"refresh-{serial}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return web.json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})


@contextlib.asynccontextmanager
async def serving(web_app: web.Application) -> AsyncIterator[str]:
    """Serve ``web_app`` (the bot's side: webhooks, download links) on a free loopback port;
    yields its origin."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    finally:
        await runner.cleanup()
