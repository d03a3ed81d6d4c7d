"""Telegram: python-telegram-bot v22 in front of the channel-neutral conversation.

This module only translates. An ``Update`` becomes a :class:`Request` (text, a pressed inline
button, or a shared contact *proven to be the sender's own*), the core answers with
:class:`Reply` objects, and :meth:`TelegramChannel.send` renders them (inline keyboards, the
share-contact keyboard, documents, edits). The same ``send`` is the outbox :class:`Transport`, with
PTB's errors mapped to the sender's (RetryAfter → RetryLater, Forbidden → Blocked, ...).

Rate limiting: PTB's ``AIORateLimiter`` is deliberately not installed. The outbox sender already
paces broadcasts (global rate, per-chat gap, pauses on 429); stacking a second limiter would
throttle twice and would retry 429s inside PTB, hiding them from the sender that must pause.
Interactive replies are few and are retried here after a 429.

Updates arrive by long polling (default) or, when ``[telegram] webhook_url`` is set, by webhook
on the shared aiohttp server (route ``/telegram/webhook``, Telegram's secret-token header checked
in constant time; anything else gets 401 and is not processed).
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.channels.bodies import json_body
from bot.channels.drafts import LiveDraft
from bot.channels.typing import typing
from bot.config import Config, secret
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply, Request, numbered_lines
from bot.core.chat.text_split import split_message
from bot.core.outbox.transport import Blocked, RetryLater, TransientError, Unreachable

if TYPE_CHECKING:
    from bot.core.chat.conversation import Conversation
    from bot.serve import Service

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
INTERACTIVE_RETRIES = 3
CONNECT_RETRY_SECONDS = (5, 15, 60, 300)
TYPING_SECONDS = 4.0  # Telegram shows "typing…" for 5 s: renewed before it fades
TYPING_AFTER = 0.3  # an answer ready sooner needs no "typing…" (one Bot API call fewer)
# The commands shown in Telegram's menu (everyone's; officers and admins see theirs in /help).
MENU = (
    ("cuatoi", "Văn bản cần quán triệt"),
    ("hanchot", "Các mốc thời hạn"),
    ("nhiemvu", "Nhiệm vụ của đơn vị"),
    ("vanban", "Danh sách văn bản"),
    ("help", "Hướng dẫn sử dụng"),
    ("huy", "Hủy thao tác đang làm"),
)


@dataclass
class TelegramSettings:
    """``[telegram]`` in config.toml (documented there)."""

    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    bot_username: str = ""
    poll_timeout: int = 10
    request_timeout: float = 20.0
    concurrent_updates: int = 16

    @classmethod
    def load(cls, config: Config) -> TelegramSettings:
        return config.section(
            "telegram",
            cls,
            env={
                "base_url": "TELEGRAM_BASE_URL",
                "base_file_url": "TELEGRAM_BASE_FILE_URL",
                "webhook_url": "TELEGRAM_WEBHOOK_URL",
            },
        )


class TelegramChannel:
    """The PTB application, its update handler, and the Transport used by the outbox."""

    channel = CHANNEL
    can_edit = True

    def __init__(
        self,
        conversation: Conversation,
        settings: TelegramSettings,
        token: str,
        webhook_secret: str | None = None,
    ) -> None:
        if settings.webhook_url and not webhook_secret:
            raise ValueError(f"webhook mode needs {WEBHOOK_SECRET_ENV} in the environment")
        self.conversation = conversation
        self.settings = settings
        self.webhook_secret = webhook_secret
        self.ready = asyncio.Event()  # connected: sending works
        timeout = settings.request_timeout
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(settings.base_url)
            .base_file_url(settings.base_file_url)
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .write_timeout(timeout)
            .pool_timeout(timeout)
            .connection_pool_size(max(8, settings.concurrent_updates))
            .get_updates_read_timeout(settings.poll_timeout + timeout)
            .concurrent_updates(settings.concurrent_updates)
            .job_queue(None)  # reminders are scheduled by the channel-neutral core
        )
        if settings.webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    @property
    def bot(self):  # the ExtBot: kept as a property so tests can reach it
        return self.application.bot

    # -- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect (getMe) for sending; :meth:`start` also receives updates."""
        await self.application.initialize()
        self.ready.set()

    async def start(self) -> None:
        """Connect, start handling updates, then poll or set the webhook. Safe to call again
        after a failure part-way."""
        await self.open()
        if not self.application.running:
            await self.application.start()
        if self.settings.webhook_url:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            assert self.application.updater is not None
            if not self.application.updater.running:
                await self.application.updater.start_polling(
                    timeout=timedelta(seconds=self.settings.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=lambda exc: log.warning("telegram: polling error: %s", exc),
                )
        try:
            await self.bot.set_my_commands([BotCommand(name, label) for name, label in MENU])
        except TelegramError as exc:  # a cosmetic menu never stops the bot
            log.warning("telegram: could not set the command menu: %s", exc)

    async def stop(self) -> None:
        """Stop receiving, let handlers in progress finish, close the HTTP client."""
        self.ready.clear()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def lifecycle(self, _web: web.Application) -> AsyncIterator[None]:
        """aiohttp ``cleanup_ctx``: run the bot for as long as the server runs.

        Telegram unreachable at start must not stop the server (the web chat goes on): the bot
        connects in the background, retrying; until then the outbox is told to retry later.
        """
        connecting = asyncio.create_task(self._connect(), name="telegram-connect")
        yield
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        await self.stop()

    async def _connect(self) -> None:
        for attempt in itertools.count():
            try:
                await self.start()
                log.info("telegram: connected as @%s", self.bot.username)
                return
            except InvalidToken:
                log.error("telegram: %s is refused by the Bot API; Telegram stays off", TOKEN_ENV)
                return
            except (TelegramError, OSError) as exc:
                delay = CONNECT_RETRY_SECONDS[min(attempt, len(CONNECT_RETRY_SECONDS) - 1)]
                log.warning("telegram: cannot reach the Bot API (%s); retrying in %d s", exc, delay)
                await asyncio.sleep(delay)

    # -- receiving ------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: only requests carrying our secret token are processed."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            log.warning("telegram: webhook call without the right secret from %s", request.remote)
            return web.Response(status=401, text="unauthorized")
        try:
            update = Update.de_json(json_body(await request.read()), self.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            update, problem = None, repr(exc)
        else:
            problem = "empty"
        if update is None:
            log.warning("telegram: unreadable webhook body: %s", problem)
            return web.Response(status=400, text="bad update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None or chat.type != "private":
            return  # the bot talks to people one to one; group messages are ignored
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError as exc:  # an expired query must not stop the answer itself
                log.info("telegram: answerCallbackQuery failed: %s", exc)
        request, replies = self.to_request(update)
        if request is not None:
            draft = LiveDraft(lambda reply: self.send(str(chat.id), reply))
            async with typing(
                lambda: self.bot.send_chat_action(chat.id, ChatAction.TYPING), TYPING_SECONDS, TYPING_AFTER
            ):
                replies = await draft.finish(await self.conversation.handle(request, draft=draft.show))
        # once a contact is shared, the share-contact keyboard has done its job
        await self.reply(str(chat.id), replies, remove_keyboard=bool(request and request.contact_phone))

    def to_request(self, update: Update) -> tuple[Request | None, list[Reply]]:
        """The neutral request for an update, or (None, an immediate answer) for what the core
        never sees: a contact that is not the sender's own, or a photo, sticker, voice..."""
        user = update.effective_user
        assert user is not None
        base = {
            "channel": CHANNEL,
            "external_user_id": str(user.id),
            "display_name": user.full_name,
        }
        query = update.callback_query
        if query is not None:
            ref = str(query.message.message_id) if isinstance(query.message, Message) else None
            return Request(**base, payload=query.data or "", message_ref=ref), []
        message = update.effective_message
        if message is None:
            return None, []
        if message.contact is not None:
            if message.contact.user_id != user.id:
                log.warning("telegram: user %s shared someone else's contact; refused", user.id)
                return None, [Reply(texts.CONTACT_NOT_OWN)]
            return Request(**base, contact_phone=message.contact.phone_number), []
        if message.text is None:
            return None, [Reply(texts.UNSUPPORTED)]
        return Request(**base, text=message.text), []

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self.send(str(update.effective_chat.id), Reply(texts.SORRY))
            except Exception:  # the apology itself failed: the log has the details
                log.warning("telegram: could not send the apology", exc_info=True)

    # -- sending --------------------------------------------------------------------------

    async def reply(self, external_id: str, replies: list[Reply], remove_keyboard: bool = False) -> None:
        """Send the answers to a user's request; a 429 is waited out a few times, not dropped."""
        for reply in replies:
            for attempt in range(INTERACTIVE_RETRIES):
                try:
                    await self.send(external_id, reply, remove_keyboard)
                    break
                except RetryLater as exc:
                    if attempt == INTERACTIVE_RETRIES - 1:
                        raise
                    await asyncio.sleep(exc.seconds)

    async def send(self, external_id: str, reply: Reply, remove_keyboard: bool = False) -> str | None:
        """Transport: render one reply; returns the (last) message id for later edits."""
        if not self.ready.is_set():
            try:  # connecting: a moment's wait beats pausing the outbox
                await asyncio.wait_for(self.ready.wait(), CONNECT_RETRY_SECONDS[0])
            except TimeoutError:
                raise RetryLater(CONNECT_RETRY_SECONDS[0], "Telegram is not connected yet") from None
        try:
            return await self._send(int(external_id), reply, remove_keyboard)
        except RetryAfter as exc:
            raise RetryLater(_retry_seconds(exc), str(exc)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except BadRequest as exc:
            raise Unreachable(exc.message) from exc
        except TelegramError as exc:  # TimedOut, NetworkError, server errors
            raise TransientError(str(exc)) from exc

    async def _send(self, chat_id: int, reply: Reply, remove_keyboard: bool) -> str | None:
        reply = _numbered_if_long(reply)
        markup = self._markup(reply) or (ReplyKeyboardRemove() if remove_keyboard else None)
        parts = split_message(reply.text, MessageLimit.MAX_TEXT_LENGTH)
        if reply.edit_ref and len(parts) <= 1:
            try:
                await self.bot.edit_message_text(
                    reply.text,
                    chat_id=chat_id,
                    message_id=int(reply.edit_ref),
                    reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                )
            except BadRequest as exc:
                if "not modified" not in exc.message:
                    raise
            return reply.edit_ref
        message: Message | None = None
        if reply.attachment is not None:
            caption = reply.text if len(reply.text) <= MessageLimit.CAPTION_LENGTH else ""
            if not caption:
                for part in parts:
                    await self.bot.send_message(chat_id, part)
            message = await self.bot.send_document(
                chat_id,
                InputFile(reply.attachment.content, filename=reply.attachment.filename),
                caption=caption or None,
                reply_markup=markup,
            )
            return str(message.message_id)
        for number, part in enumerate(parts, 1):
            message = await self.bot.send_message(chat_id, part, reply_markup=markup if number == len(parts) else None)
        return str(message.message_id) if message else None

    @staticmethod
    def _markup(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if reply.request_contact:
            # Telegram's own "share my number" button; the offered choices become keyboard
            # buttons whose label the core accepts as typed text.
            rows = [[KeyboardButton(texts.SHARE_PHONE, request_contact=True)]]
            rows += [[KeyboardButton(b.label)] for b in reply.choices()]
            return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
        if reply.buttons:
            return InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(b.label, url=b.url)
                        if b.url
                        else InlineKeyboardButton(b.label, callback_data=b.data)
                        for b in row
                    ]
                    for row in reply.buttons
                ]
            )
        return None


def _numbered_if_long(reply: Reply) -> Reply:
    """Telegram shows one line per button and cuts the rest: when a choice is longer than that
    (the options of a check question), the choices are written out in the text as "1. …" and
    the buttons carry only their numbers (the core accepts either)."""
    choices = reply.choices()
    if reply.request_contact or not any(len(b.label) > texts.BUTTON_CHARS for b in choices):
        return reply
    numbered = [Button(str(n), b.data) for n, b in enumerate(choices, 1)]
    rows = [numbered[i : i + 4] for i in range(0, len(numbered), 4)]
    links = [[b] for row in reply.buttons for b in row if b.url]
    return replace(reply, text=reply.text + "\n\n" + "\n".join(numbered_lines(choices)), buttons=rows + links)


def _retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int today and a timedelta in PTB's next major version."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def install(service: Service) -> None:
    """Add Telegram to ``quantriet serve`` when TELEGRAM_BOT_TOKEN is set."""
    token = secret(TOKEN_ENV)
    if not token:
        service.note(f"Telegram: tắt (chưa đặt {TOKEN_ENV}).")
        return
    settings = TelegramSettings.load(service.app.config)
    channel = TelegramChannel(service.conversation, settings, token, secret(WEBHOOK_SECRET_ENV))
    if settings.webhook_url:
        service.web.router.add_post(WEBHOOK_PATH, channel.webhook)
        service.note(f"Telegram: nhận tin qua webhook {settings.webhook_url}")
    else:
        service.note("Telegram: nhận tin bằng long polling.")
    service.add_channel(channel, channel.lifecycle)
