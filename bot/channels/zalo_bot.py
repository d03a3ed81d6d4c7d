"""Zalo Bot Platform (bot.zaloplatforms.com): a Telegram-like Bot API, translated for the core.

Platform facts this module is shaped by (see ../shared/reference/zalo-bot-platform.md):

- Calls go to ``<base_url>/bot<TOKEN>/<method>``; every answer is an ``{ok, result}`` envelope
  sent with HTTP 200, so ``ok: false`` is checked on every call and turned into a typed error
  (401 token invalid: stop loudly; 429: back off).
- ``getUpdates`` hands out ONE update per call, with no offset and no acknowledgement: delivery is
  fire-once. Each update is therefore stored in the inbox before it is answered
  (:class:`bot.channels.inbound.Inbound`). An idle long poll answers ``ok: false, 408``: normal,
  logged at debug level only. Polling and a webhook exclude each other, so polling starts by
  deleting the webhook.
- Webhook POSTs carry ``X-Bot-Api-Secret-Token`` (compared in constant time; anything else gets
  401 and is not processed); bodies come bare (``{event_name, message}``) or wrapped
  (``{ok, result: {...}}``): both are accepted.
- No buttons and no documents: choices are numbered text (which the core accepts as answers),
  files are short-lived download links, and text over 2000 characters is split at sentence
  boundaries (:mod:`bot.channels.plain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.channels.bodies import json_body, object_at
from bot.channels.inbound import Inbound
from bot.channels.plain import plain_parts
from bot.channels.typing import typing
from bot.config import Config, ConfigError
from bot.core.chat import texts
from bot.core.chat.messages import Reply, Request
from bot.core.outbox.transport import Blocked, DeliveryError, RetryLater, TransientError, Unreachable

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.conversation import Conversation

log = logging.getLogger(__name__)

CHANNEL = "zalo"
TOKEN_ENV = "ZALO_BOT_TOKEN"
WEBHOOK_SECRET_ENV = "ZALO_WEBHOOK_SECRET"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
INTERACTIVE_RETRIES = 3

TEXT_EVENT = "message.text.received"
WITHHELD_EVENT = "message.unsupported.received"
# Zalo withholds the content of messages from members of protected groups: say so politely.
WITHHELD = (
    "Xin lỗi, Zalo không chuyển nội dung tin nhắn này tới trợ lý. "
    "Đồng chí vui lòng gõ lại câu hỏi bằng chữ, hoặc gõ «help» để xem các lệnh."
)
TOKEN_INVALID = (
    "Không gửi được qua Zalo Bot: mã truy cập của bot không hợp lệ. "
    "Quản trị viên cần kiểm tra ZALO_BOT_TOKEN trong Zalo Bot Creator."
)


@dataclass
class ZaloBotSettings:
    """``[zalo]`` in config.toml (documented there)."""

    base_url: str = "https://bot-api.zaloplatforms.com"
    webhook_url: str = ""
    webhook_path: str = "/zalo/webhook"
    poll_timeout: int = 30
    request_timeout: float = 15.0
    message_limit: int = 2000
    rate_limit_seconds: float = 5.0
    max_backoff_seconds: float = 60.0
    typing_seconds: float = 4.0
    replay_hours: float = 24.0

    @classmethod
    def load(cls, config: Config) -> ZaloBotSettings:
        return config.section("zalo", cls, env={"base_url": "ZALO_BASE_URL", "webhook_url": "ZALO_WEBHOOK_URL"})


class ZaloApiError(Exception):
    """``ok: false`` (or a non-JSON HTTP error): ``code`` is the platform's error_code."""

    def __init__(self, code: int, description: str = "") -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description


class ZaloTokenInvalid(ZaloApiError):
    """401: the bot token is wrong or was reset; nothing works until an admin fixes it."""


class ZaloRateLimited(ZaloApiError):
    """429: quota exceeded; slow down."""


class ZaloUnavailable(ZaloApiError):
    """The service could not be reached (network error, timeout, HTTP 5xx)."""


_ERRORS: dict[int, type[ZaloApiError]] = {401: ZaloTokenInvalid, 429: ZaloRateLimited}
IDLE = 408


class ZaloBotApi:
    """A thin client: ``call(method, **params)`` returns ``result`` or raises a typed error.

    The token is part of every URL, so no URL is ever put in a log line or an error message.
    """

    def __init__(self, base_url: str, token: str, request_timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.request_timeout = request_timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, http_timeout: float | None = None, **params: Any) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            async with self._session.post(
                url, json=params, timeout=aiohttp.ClientTimeout(total=http_timeout or self.request_timeout)
            ) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ZaloUnavailable(0, f"{method}: {type(exc).__name__}") from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or "ok" not in body:
            code = status if status != 200 else 502
            raise (ZaloUnavailable if code >= 500 else _ERRORS.get(code, ZaloApiError))(
                code, f"{method}: HTTP {status}"
            )
        if body["ok"]:
            return body.get("result")
        code = int(body.get("error_code") or status or 0)
        error = _ERRORS.get(code, ZaloUnavailable if code >= 500 else ZaloApiError)
        raise error(code, f"{method}: {body.get('description', '')}")

    async def get_update(self, timeout: int) -> dict[str, Any] | None:
        """One update, or None when the long poll ended idle (408)."""
        try:
            return await self.call("getUpdates", http_timeout=timeout + self.request_timeout, timeout=timeout)
        except ZaloApiError as exc:
            if exc.code == IDLE:
                return None
            raise


def delivery_error(exc: ZaloApiError, rate_limit_seconds: float) -> DeliveryError:
    """What the outbox sender should do about a failed send (see bot.core.outbox.transport).

    Zalo's 429 says no "retry after", so the pause is ``rate_limit_seconds`` from the settings.
    """
    if isinstance(exc, ZaloRateLimited):
        return RetryLater(rate_limit_seconds, str(exc))
    if isinstance(exc, ZaloTokenInvalid):
        return Unreachable(TOKEN_INVALID)
    if exc.code == 403:
        return Blocked(f"Zalo: {exc.description}")
    if exc.code in (400, 404):
        return Unreachable(f"Zalo từ chối tin nhắn ({exc.code}): {exc.description}")
    return TransientError(str(exc))


def updates_in(body: Any) -> list[dict[str, Any]]:
    """The update objects in a webhook body, bare ``{event_name, message}`` or wrapped in ``result``."""
    if isinstance(body, dict) and "event_name" not in body and "result" in body:
        body = body["result"]
    items = body if isinstance(body, list) else [body]
    return [u for u in items if isinstance(u, dict) and isinstance(u.get("event_name"), str)]


def sender_of(update: dict[str, Any]) -> tuple[str, str, str]:
    """(user id, chat id, display name) of an update; empty strings when absent."""
    message = object_at(update, "message")
    who, chat = object_at(message, "from"), object_at(message, "chat")
    user_id = str(who.get("id") or "")
    name = str(who.get("display_name") or who.get("name") or "")
    return user_id, str(chat.get("id") or user_id), name


class ZaloBotChannel:
    """Receives (long poll or webhook), answers through the core, and is the outbox Transport."""

    channel = CHANNEL
    can_edit = False

    def __init__(
        self,
        app: App,
        conversation: Conversation,
        settings: ZaloBotSettings,
        token: str,
        webhook_secret: str | None = None,
    ) -> None:
        if settings.webhook_url and not (webhook_secret and 8 <= len(webhook_secret) <= 256):
            raise ConfigError(f"Zalo webhook mode needs {WEBHOOK_SECRET_ENV} (8–256 characters) in the environment")
        self.app = app
        self.conversation = conversation
        self.settings = settings
        self.webhook_secret = webhook_secret
        self.api = ZaloBotApi(settings.base_url, token, settings.request_timeout)
        self.inbound = Inbound(app, CHANNEL, self.handle_update, settings.replay_hours)
        self.stopped_reason: str | None = None  # set when the channel gave up (bad token)
        self._stopping = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping.clear()
        try:
            me = await self.api.call("getMe")
            log.info("zalo: connected as %s", (me or {}).get("display_name") or (me or {}).get("account_name"))
            if self.settings.webhook_url:
                await self.api.call("setWebhook", url=self.settings.webhook_url, secret_token=self.webhook_secret)
        except ZaloTokenInvalid:
            self._give_up()
            return
        except ZaloApiError as exc:  # the service is down: polling keeps trying, the webhook needs a restart
            log.error("zalo: start-up call failed (%s)", exc)
        self.inbound.replay()
        if not self.settings.webhook_url:
            self._poller = asyncio.create_task(self.poll(), name="zalo-poll")

    async def stop(self) -> None:
        """Stop polling (the poll in flight is allowed to finish, so its update is not lost),
        let answers in progress finish, close the HTTP client."""
        self._stopping.set()
        if self._poller is not None:
            done, _ = await asyncio.wait(
                {self._poller}, timeout=self.settings.poll_timeout + self.settings.request_timeout
            )
            if not done:
                self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.inbound.drain(timeout=30)
        await self.api.close()

    async def lifecycle(self, _web: web.Application) -> AsyncIterator[None]:
        """aiohttp ``cleanup_ctx``: run the bot for as long as the server runs."""
        await self.start()
        yield
        await self.stop()

    def _give_up(self) -> None:
        self.stopped_reason = "token invalid"
        log.error(
            "zalo: the bot token was refused (401). Zalo is OFF until %s is corrected and the service restarted.",
            TOKEN_ENV,
        )

    # -- receiving ------------------------------------------------------------------------

    async def poll(self) -> None:
        """Long-poll ``getUpdates`` until stopped; each update is stored, then answered."""
        try:
            await self.api.call("deleteWebhook")
        except ZaloTokenInvalid:
            self._give_up()
            return
        except ZaloApiError as exc:
            log.warning("zalo: deleteWebhook failed (%s); polling anyway", exc)
        failures = 0
        while not self._stopping.is_set():
            try:
                update = await self.api.get_update(self.settings.poll_timeout)
            except ZaloTokenInvalid:
                self._give_up()
                return
            except ZaloApiError as exc:
                failures += 1
                delay = self._backoff(failures, isinstance(exc, ZaloRateLimited))
                loud = failures == 1 or failures % 30 == 0  # an outage is reported, not streamed
                log.log(
                    logging.WARNING if loud else logging.DEBUG,
                    "zalo: getUpdates failed %d time(s) (%s); retrying in %.0f s",
                    failures,
                    exc,
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                continue
            failures = 0
            if update is None:
                log.debug("zalo: long poll idle")
                continue
            for item in updates_in(update):
                self.receive(item)

    def _backoff(self, failures: int, rate_limited: bool) -> float:
        base = self.settings.rate_limit_seconds if rate_limited else 1.0
        return min(self.settings.max_backoff_seconds, base * 2 ** min(failures - 1, 10)) * random.uniform(0.8, 1.2)

    def receive(self, update: dict[str, Any]) -> bool:
        """Store one update and answer it in the background; False when it was a repeat."""
        user_id, chat_id, _ = sender_of(update)
        ref = object_at(update, "message").get("message_id")
        return self.inbound.accept(update, str(update.get("event_name")), chat_id or user_id or None, ref)

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /zalo/webhook: only requests carrying our secret are read at all."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            log.warning("zalo: webhook call without the right secret from %s; refused", request.remote)
            return web.json_response({"ok": False, "description": "unauthorized"}, status=401)
        try:
            body = json_body(await request.read())
        except ValueError:
            log.warning("zalo: unreadable webhook body")
            return web.json_response({"ok": False, "description": "bad request"}, status=400)
        for update in updates_in(body):
            self.receive(update)
        return web.json_response({"ok": True})

    async def handle_update(self, update: dict[str, Any]) -> None:
        """Answer one stored update (called by the inbox, in order per chat)."""
        event = str(update.get("event_name"))
        user_id, chat_id, name = sender_of(update)
        message = object_at(update, "message")
        if not user_id or object_at(message, "from").get("is_bot"):
            return
        if str(object_at(message, "chat").get("chat_type") or "PRIVATE").upper() != "PRIVATE":
            log.debug("zalo: group message ignored (the bot talks to people one to one)")
            return
        text = message.get("text")
        if event == TEXT_EVENT and isinstance(text, str) and text.strip():
            async with self._typing(chat_id):
                replies = await self.conversation.handle(
                    Request(channel=CHANNEL, external_user_id=user_id, display_name=name, text=text)
                )
        elif event == WITHHELD_EVENT:
            replies = [Reply(WITHHELD)]
        elif event.startswith("message.") and event.endswith(".received"):
            replies = [Reply(texts.UNSUPPORTED)]  # image, sticker, voice and any newer kind
        else:
            log.info("zalo: event %s ignored", event)
            return
        await self.reply(chat_id, replies)

    def _typing(self, chat_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Show "typing…" while the answer waits and is prepared (see bot/channels/typing.py)."""
        return typing(
            lambda: self.api.call("sendChatAction", chat_id=chat_id, action="typing"), self.settings.typing_seconds
        )

    async def reply(self, chat_id: str, replies: list[Reply]) -> None:
        """Send the answers to a user's message; a 429 is waited out a few times, not dropped."""
        for reply in replies:
            for attempt in range(INTERACTIVE_RETRIES):
                try:
                    await self.send(chat_id, reply)
                    break
                except RetryLater as exc:
                    if attempt == INTERACTIVE_RETRIES - 1:
                        raise
                    await asyncio.sleep(exc.seconds)

    # -- sending (the outbox Transport) ---------------------------------------------------

    async def send(self, external_id: str, reply: Reply) -> str | None:
        """Send one reply as one or more text messages; returns the last message id."""
        if self.stopped_reason:
            raise Unreachable(TOKEN_INVALID)
        ref: str | None = None
        parts = plain_parts(self.app, CHANNEL, external_id, reply, self.settings.message_limit)
        for part in parts:
            try:
                result = await self.api.call("sendMessage", chat_id=external_id, text=part)
            except ZaloApiError as exc:
                raise delivery_error(exc, self.settings.rate_limit_seconds) from exc
            if isinstance(result, dict) and result.get("message_id") is not None:
                ref = str(result["message_id"])
        return ref
