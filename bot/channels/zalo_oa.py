"""Zalo Official Account (Open API v3), translated for the core.

What shapes this module:

- **Webhook only.** Zalo POSTs events (``user_send_text``, ``follow``, ``unfollow``,
  ``user_seen_message``, ``user_received_message``, ``user_send_image`` ...) signed with
  ``X-ZEvent-Signature: mac=<sha256 hex of app_id + raw body + timestamp + OA secret key>``, where
  app_id and timestamp (milliseconds) come from the body. The mac is compared in constant time and
  events older than five minutes are refused (a replayed capture), before anything is stored.
- **Tokens rotate.** The access token lives about 25 hours; it is renewed with the refresh token,
  which is single-use: the new refresh and access tokens are written to ``kv`` in one transaction
  *before* either is used, under a lock so two sends never spend the same refresh token. When
  Zalo refuses the refresh token (expired after three months, or lost), the channel logs an ERROR,
  records "needs re-authorisation" in ``kv`` and stops calling the OAuth endpoint: every send then
  fails at once with :class:`ReauthorisationRequired`, which the outbox records per recipient so
  the officer sees "Zalo OA cần cấp quyền lại". Setting a new ``ZALO_OA_REFRESH_TOKEN`` and
  restarting clears it. Env tokens seed ``kv`` only when it has none (``kv`` is newer).
- **Quotas.** Proactive messages are allowed only to users who interacted in the last 7 days, and
  within quotas; those refusals become per-recipient :class:`QuotaRefused` with a Vietnamese
  explanation, and the broadcast goes on for everyone else.
- **Buttons.** Up to five choices become ``oa.query.hide`` buttons whose payload comes back as
  a text message; a prefix marks it as a button press. More than five: numbered text.
- **Receipts.** "seen" and "received" events are kept in ``receipts`` as supporting evidence
  beside, never instead of, the explicit acknowledgement.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot import store
from bot.channels.bodies import json_body, object_at
from bot.channels.inbound import Inbound
from bot.channels.plain import plain_parts
from bot.config import Config
from bot.core import kv
from bot.core.chat import texts
from bot.core.chat.messages import Reply, Request
from bot.core.clock import LOCAL_TZ
from bot.core.outbox.transport import Blocked, DeliveryError, RetryLater, TransientError, Unreachable
from bot.core.roster import roster

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.conversation import Conversation

log = logging.getLogger(__name__)

CHANNEL = "zalo_oa"
APP_ID_ENV = "ZALO_OA_APP_ID"
SECRET_KEY_ENV = "ZALO_OA_SECRET_KEY"
ACCESS_TOKEN_ENV = "ZALO_OA_ACCESS_TOKEN"
REFRESH_TOKEN_ENV = "ZALO_OA_REFRESH_TOKEN"
SIGNATURE_HEADER = "X-ZEvent-Signature"

KV_ACCESS = "zalo_oa.access_token"
KV_REFRESH = "zalo_oa.refresh_token"
KV_EXPIRES = "zalo_oa.access_expires_at"
KV_REAUTH = "zalo_oa.reauth_required"

QUICK_REPLY_PREFIX = "#qr:"  # marks the text an oa.query.hide button sends back
MAX_BUTTONS = 5
TOKEN_ERRORS = frozenset({-216, -220, -124})  # access token invalid / expired: refresh and retry once
NIGHT_BAN = -234  # no messages 22:00–06:00
RATE_LIMITED = frozenset({-32})

TEXT_EVENTS = frozenset({"user_send_text"})
RECEIPT_EVENTS = {"user_seen_message": "seen", "user_received_message": "received"}

REAUTH = (
    "Zalo OA cần cấp quyền lại: refresh token đã hết hạn hoặc bị thu hồi nên không gửi được tin. "
    "Quản trị viên cấp quyền lại cho ứng dụng trên Zalo for Developers, đặt "
    f"{REFRESH_TOKEN_ENV} mới rồi khởi động lại dịch vụ."
)
# Zalo's refusals for one recipient, in words an officer can act on.
REFUSALS: dict[int, str] = {
    -211: "Zalo OA đã hết hạn mức (quota) gửi tin; tin sẽ không được gửi tới người này.",
    -218: "Người nhận đã nhận quá số tin cho phép từ Zalo OA (hết hạn mức nhận tin).",
    -230: (
        "Người nhận chưa tương tác với Zalo OA trong 7 ngày qua nên Zalo không cho OA chủ động "
        "gửi tin. Đề nghị người này nhắn một tin bất kỳ cho OA, hoặc liên hệ trực tiếp."
    ),
    -232: (
        "Người nhận chưa từng tương tác với Zalo OA, hoặc lần tương tác gần nhất đã hết hiệu lực, "
        "nên Zalo không cho OA chủ động gửi tin."
    ),
    -213: "Người nhận chưa quan tâm (theo dõi) Zalo OA nên không nhận được tin.",
    -227: "Tài khoản Zalo của người nhận bị khóa hoặc không hoạt động quá 45 ngày.",
    -244: "Người nhận đã chặn loại tin nhắn này từ Zalo OA.",
}
BLOCKED_CODES = frozenset({-217, -244})


@dataclass
class ZaloOASettings:
    """``[zalo_oa]`` in config.toml (documented there)."""

    api_base: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token"
    webhook_path: str = "/zalo-oa/webhook"
    max_event_age_seconds: float = 300.0
    request_timeout: float = 15.0
    message_limit: int = 2000
    rate_limit_seconds: float = 5.0
    refresh_margin_seconds: float = 300.0
    replay_hours: float = 24.0

    @classmethod
    def load(cls, config: Config) -> ZaloOASettings:
        return config.section("zalo_oa", cls, env={"api_base": "ZALO_OA_API_BASE", "oauth_url": "ZALO_OA_OAUTH_URL"})


class ReauthorisationRequired(Unreachable):
    """The refresh token was refused: nothing can be sent until an admin re-authorises the OA."""

    def __init__(self) -> None:
        super().__init__(REAUTH)


class QuotaRefused(Unreachable):
    """Zalo refused this one recipient (7-day rule, quota, not following): never retried."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{REFUSALS[code]} (Zalo {code}: {detail})")
        self.code = code


class ZaloOAError(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"{code} {message}".strip())
        self.code = code
        self.message = message


# ----------------------------------------------------------------------------------- signatures


def signature(app_id: str, raw_body: str, timestamp: str, secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo computes for a webhook body."""
    digest = hashlib.sha256(f"{app_id}{raw_body}{timestamp}{secret_key}".encode()).hexdigest()
    return f"mac={digest}"


def check_event(
    raw: bytes, header: str, app_id: str, secret_key: str, now_ms: float, max_age_seconds: float
) -> tuple[int, dict[str, Any] | None]:
    """(HTTP status, event): 200 with the event when it is authentic and fresh, else 400/401/403."""
    try:
        text = raw.decode("utf-8")
        body = json_body(text)
    except (UnicodeDecodeError, ValueError):
        return 400, None
    if not isinstance(body, dict):
        return 400, None
    expected = signature(str(body.get("app_id", "")), text, str(body.get("timestamp", "")), secret_key)
    if not hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace")):
        return 401, None
    if str(body.get("app_id", "")) != app_id:
        return 403, None
    try:
        age = now_ms - float(body.get("timestamp"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 403, None
    if not math.isfinite(age) or abs(age) > max_age_seconds * 1000:  # "NaN" compares as fresh
        return 403, None
    return 200, body


# --------------------------------------------------------------------------------------- tokens


def seed_tokens(app: App, access: str | None, refresh: str | None) -> None:
    """Put the environment's tokens in ``kv`` when it has none, or when they replace a refresh
    token that Zalo refused (the admin re-authorised); otherwise ``kv`` holds newer ones."""
    if not refresh:
        return
    reauth = _reauth_state(app)
    stored = kv.get(app, KV_REFRESH)
    if stored and not (reauth and reauth.get("refresh_sha256") != _sha(refresh)):
        return
    with store.transaction(app.db):
        kv.put(app.db.conn, KV_REFRESH, refresh)
        if access:
            kv.put(app.db.conn, KV_ACCESS, access)
        else:
            kv.delete(app.db.conn, KV_ACCESS)
        kv.delete(app.db.conn, KV_EXPIRES)
        kv.delete(app.db.conn, KV_REAUTH)
    if reauth:
        log.warning("zalo_oa: a new refresh token from %s replaces the refused one", REFRESH_TOKEN_ENV)


def reauth_required(app: App) -> bool:
    return _reauth_state(app) is not None


def _reauth_state(app: App) -> dict[str, Any] | None:
    value = kv.get(app, KV_REAUTH)
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return {}


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ZaloOAApi:
    """Open API client: sends CS messages, renewing the access token when it is due or refused."""

    def __init__(self, app: App, settings: ZaloOASettings, app_id: str, secret_key: str) -> None:
        self.app = app
        self.settings = settings
        self.app_id = app_id
        self._secret_key = secret_key
        self._session: aiohttp.ClientSession | None = None
        self._refresh_lock = asyncio.Lock()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.request_timeout))
        return self._session

    async def send_message(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """POST /v3.0/oa/message/cs; returns ``data``. One refresh-and-retry on a refused token."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        for attempt in (1, 2):
            token = await self.access_token()
            answer = await self._post_json(f"{self.settings.api_base.rstrip('/')}/v3.0/oa/message/cs", body, token)
            code = int(answer.get("error") or 0)
            if code == 0:
                return answer.get("data") or {}
            if code in TOKEN_ERRORS and attempt == 1:
                log.info("zalo_oa: access token refused (%s); renewing it", code)
                await self.refresh(refused=token)
                continue
            raise ZaloOAError(code, str(answer.get("message", "")))
        raise AssertionError("unreachable")

    async def access_token(self) -> str:
        if reauth_required(self.app):
            raise ReauthorisationRequired()
        token = kv.get(self.app, KV_ACCESS)
        expires = kv.get(self.app, KV_EXPIRES)
        due = expires is not None and datetime.fromisoformat(expires) <= self.app.now() + timedelta(
            seconds=self.settings.refresh_margin_seconds
        )
        if not token or due:
            return await self.refresh(refused=token)
        return token

    async def refresh(self, refused: str | None) -> str:
        """Spend the stored refresh token for a new pair, persisted before it is returned.

        ``refused`` is the access token that was found wanting: if another task renewed it while
        this one waited for the lock, the new token is used and nothing is spent.
        """
        async with self._refresh_lock:
            if reauth_required(self.app):
                raise ReauthorisationRequired()
            current = kv.get(self.app, KV_ACCESS)
            if current and current != refused:
                return current
            refresh_token = kv.get(self.app, KV_REFRESH)
            if not refresh_token:
                self._mark_reauth("no refresh token stored", None)
                raise ReauthorisationRequired()
            answer = await self._post_form(
                self.settings.oauth_url,
                {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token},
            )
            access, new_refresh = answer.get("access_token"), answer.get("refresh_token")
            if not access:
                reason = (
                    f"{answer.get('error', '?')} {answer.get('error_name', '')} {answer.get('error_description', '')}"
                )
                self._mark_reauth(reason.strip(), refresh_token)
                raise ReauthorisationRequired()
            try:
                lifetime = float(answer.get("expires_in") or 90000)
            except (TypeError, ValueError):
                lifetime = 90000.0
            with store.transaction(self.app.db):
                kv.put(self.app.db.conn, KV_ACCESS, access)
                kv.put(self.app.db.conn, KV_EXPIRES, store.isotime(self.app.now() + timedelta(seconds=lifetime)))
                if new_refresh:
                    kv.put(self.app.db.conn, KV_REFRESH, new_refresh)
                else:  # the old one is spent: the next renewal will have to be re-authorised
                    kv.delete(self.app.db.conn, KV_REFRESH)
            if not new_refresh:
                log.error("zalo_oa: the token renewal returned no new refresh token")
            log.info("zalo_oa: access token renewed (valid %.0f h)", lifetime / 3600)
            return access

    def _mark_reauth(self, reason: str, refresh_token: str | None) -> None:
        state = {
            "at": store.isotime(self.app.now()),
            "reason": reason,
            "refresh_sha256": _sha(refresh_token) if refresh_token else None,
        }
        with store.transaction(self.app.db):
            kv.put(self.app.db.conn, KV_REAUTH, json.dumps(state, ensure_ascii=False))
        log.error(
            "zalo_oa: the refresh token was refused (%s). Zalo OA can send NOTHING until the OA is "
            "re-authorised: set a new %s and restart. No further renewal will be attempted.",
            reason,
            REFRESH_TOKEN_ENV,
        )

    async def _post_json(self, url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        return await self._request(url, json=body, headers={"access_token": token})

    async def _post_form(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        return await self._request(url, data=form, headers={"secret_key": self._secret_key})

    async def _request(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """POST and decode; network failures, HTTP 5xx and non-JSON become TransientError."""
        try:
            async with self._http().post(url, **kwargs) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"Zalo OA: {type(exc).__name__}") from None
        if status >= 500 or status == 429:
            raise TransientError(f"Zalo OA: HTTP {status}")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise TransientError(f"Zalo OA: unreadable answer (HTTP {status})") from None
        if not isinstance(answer, dict):
            raise TransientError(f"Zalo OA: unexpected answer (HTTP {status})")
        return answer


def delivery_error(exc: ZaloOAError, rate_limit_seconds: float, now: datetime) -> DeliveryError:
    """The outbox's view of a refusal: per-recipient, pause the channel, or retry later."""
    if exc.code in RATE_LIMITED:
        return RetryLater(rate_limit_seconds, str(exc))
    if exc.code == NIGHT_BAN:
        return RetryLater(_seconds_to_morning(now), "Zalo OA không gửi tin từ 22:00 đến 06:00")
    if exc.code in BLOCKED_CODES:
        return Blocked(REFUSALS.get(exc.code, "Người nhận đã chặn Zalo OA.") + f" (Zalo {exc.code})")
    if exc.code in REFUSALS:
        return QuotaRefused(exc.code, exc.message)
    if exc.code in TOKEN_ERRORS:
        return TransientError(f"Zalo OA: access token refused again ({exc.code})")
    return Unreachable(f"Zalo OA từ chối tin nhắn (mã {exc.code}: {exc.message})")


def _seconds_to_morning(now: datetime) -> float:
    local = now.astimezone(LOCAL_TZ)
    morning = local.replace(hour=6, minute=5, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return (morning - local).total_seconds()


# -------------------------------------------------------------------------------------- channel


def user_of(event: dict[str, Any]) -> str:
    """The Zalo user an event is about: the sender of user_* events, the follower of (un)follow,
    the recipient of seen/received events (those are sent "from" the OA)."""
    name = str(event.get("event_name", ""))
    if name in ("follow", "unfollow"):
        return str(object_at(event, "follower").get("id") or "")
    if name in RECEIPT_EVENTS:
        return str(object_at(event, "recipient").get("id") or "")
    return str(object_at(event, "sender").get("id") or "")


class ZaloOAChannel:
    """The OA webhook, the answers through the core, and the outbox Transport ``zalo_oa``."""

    channel = CHANNEL
    can_edit = False

    def __init__(
        self, app: App, conversation: Conversation, settings: ZaloOASettings, app_id: str, secret_key: str
    ) -> None:
        self.app = app
        self.conversation = conversation
        self.settings = settings
        self.app_id = app_id
        self._secret_key = secret_key
        self.api = ZaloOAApi(app, settings, app_id, secret_key)
        self.inbound = Inbound(app, CHANNEL, self.handle_event, settings.replay_hours)

    async def lifecycle(self, _web: web.Application) -> AsyncIterator[None]:
        self.inbound.replay()
        if reauth_required(self.app):
            log.error("zalo_oa: %s", REAUTH)
        yield
        await self.inbound.drain(timeout=30)
        await self.api.close()

    # -- receiving ------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /zalo-oa/webhook: authentic, fresh events are stored, then answered."""
        raw = await request.read()
        status, event = check_event(
            raw,
            request.headers.get(SIGNATURE_HEADER, ""),
            self.app_id,
            self._secret_key,
            time.time() * 1000,
            self.settings.max_event_age_seconds,
        )
        if event is None:
            log.warning("zalo_oa: webhook call refused (%d) from %s", status, request.remote)
            return web.json_response({"error": status}, status=status)
        message = object_at(event, "message")
        self.inbound.accept(event, str(event.get("event_name")), user_of(event) or None, message.get("msg_id") or None)
        return web.json_response({"error": 0})

    async def handle_event(self, event: dict[str, Any]) -> None:
        name = str(event.get("event_name", ""))
        user_id = user_of(event)
        if not user_id:
            return
        message = object_at(event, "message")
        if name in RECEIPT_EVENTS:
            self._store_receipts(event, user_id, RECEIPT_EVENTS[name], message)
            return
        if name == "unfollow":
            roster.set_blocked(self.app, CHANNEL, user_id, True)
            return
        if name == "follow":  # the core clears blocked_at of whoever writes again
            request = Request(channel=CHANNEL, external_user_id=user_id, text="/start")
        elif name in TEXT_EVENTS and isinstance(message.get("text"), str) and message["text"].strip():
            request = self.to_request(user_id, message["text"])
        elif name.startswith("user_send_"):
            await self.reply(user_id, [Reply(texts.UNSUPPORTED)])
            return
        else:
            log.debug("zalo_oa: event %s ignored", name)
            return
        await self.reply(user_id, await self.conversation.handle(request))

    @staticmethod
    def to_request(user_id: str, text: str) -> Request:
        """A typed text, or the payload of a pressed quick-reply button."""
        if text.startswith(QUICK_REPLY_PREFIX):
            return Request(channel=CHANNEL, external_user_id=user_id, payload=text[len(QUICK_REPLY_PREFIX) :])
        return Request(channel=CHANNEL, external_user_id=user_id, text=text)

    def _store_receipts(self, event: dict[str, Any], user_id: str, kind: str, message: dict[str, Any]) -> None:
        ids = message["msg_ids"] if isinstance(message.get("msg_ids"), list) else []
        if message.get("msg_id"):
            ids = [*ids, message["msg_id"]]
        try:
            at = store.isotime(datetime.fromtimestamp(float(event["timestamp"]) / 1000, UTC))
        except (KeyError, TypeError, ValueError):
            at = store.isotime(self.app.now())
        person = roster.person_for(self.app, CHANNEL, user_id)
        with store.transaction(self.app.db):
            for ref in ids or [None]:
                self.app.db.execute(
                    "INSERT INTO receipts (channel, external_id, person_id, kind, message_ref, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (CHANNEL, user_id, person.id if person else None, kind, str(ref) if ref else None, at),
                )

    async def reply(self, user_id: str, replies: list[Reply]) -> None:
        """Answer a user; an answer that cannot be sent is logged (the user wrote within 7 days,
        so this is rare: a token problem, or Zalo being down)."""
        for reply in replies:
            try:
                await self.send(user_id, reply)
            except DeliveryError as exc:
                log.error("zalo_oa: answer to %s not sent: %s", user_id, exc)
                return

    # -- sending (the outbox Transport) ---------------------------------------------------

    async def send(self, external_id: str, reply: Reply) -> str | None:
        """One reply as one or more CS messages; up to five choices as buttons on the last one."""
        choices = reply.choices()
        buttons = 0 < len(choices) <= MAX_BUTTONS
        parts = plain_parts(self.app, CHANNEL, external_id, reply, self.settings.message_limit, numbered=not buttons)
        ref: str | None = None
        for number, part in enumerate(parts, 1):
            message: dict[str, Any] = {"text": part}
            if buttons and number == len(parts):
                message["attachment"] = {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {"title": b.label[:100], "type": "oa.query.hide", "payload": QUICK_REPLY_PREFIX + b.data}
                            for b in choices
                        ]
                    },
                }
            try:
                data = await self.api.send_message(external_id, message)
            except ZaloOAError as exc:
                raise delivery_error(exc, self.settings.rate_limit_seconds, self.app.now()) from exc
            if data.get("message_id"):
                ref = str(data["message_id"])
        return ref
