"""The conversation router: one :class:`Request` in, the :class:`Reply` list to show out.

Every channel calls :meth:`Conversation.handle`; every feature is written once, in the modules
this router dispatches to:

- commands, with or without "/" and diacritics ("/hanchot" = "hanchot" = "hạn chót"):
  :data:`COMMANDS`;
- button payloads ``prefix:argument`` (≤ 64 bytes, valid whenever pressed): :data:`PAYLOADS`;
- multi-step flows kept in the ``sessions`` table: :data:`FLOWS` (their buttons are
  ``f:<flow>:<value>`` and only count while that flow is in progress);
- "1", "2", … or a button's label typed as text select the choices last offered, so channels
  without buttons work the same; "đã quán triệt" confirms the single pending document;
- anything else is a question, answered with sources.

A :class:`UserError` from any core function becomes its message; any other exception is logged
and the user gets a short apology: bad input never crashes a channel. The work itself runs in the
bounded pool of :mod:`bot.core.chat.workers`, one turn per chat at a time, never on the event loop.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot import store
from bot.core.chat import attendance, compose, library, officers, registration, sessions, study, texts
from bot.core.chat.examples import example_question
from bot.core.chat.messages import Reply, Request
from bot.core.chat.turn import Handler, Turn
from bot.core.chat.workers import Busy, Workers, WorkerSettings
from bot.core.errors import UserError
from bot.core.roster import roster
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def show_help(turn: Turn, _arg: str) -> list[Reply]:
    return [Reply(texts.help_text(turn.role, example_question(turn.app)))]


def cancel(turn: Turn, _arg: str) -> list[Reply]:
    """/huy: drop the flow in progress."""
    if turn.session.flow is None:
        return [Reply(texts.NOTHING_TO_CANCEL)]
    turn.session.end()
    return [Reply(texts.CANCELLED)]


COMMANDS: dict[str, Handler] = {
    "start": registration.start,
    "help": show_help,
    "vanban": library.documents,
    "hanchot": library.deadlines,
    "nhiemvu": library.duties,
    "cuatoi": study.my_assignments,
    "diemdanh": attendance.check_in,
    "phatthanh": compose.start_broadcast,
    "giao": compose.start_assignment,
    "tiendo": officers.progress,
    "nhacnho": officers.remind,
    "xuatbaocao": officers.export,
    "vaitro": officers.roles,
    "huy": cancel,
}
# Other words people type for a command (folded, spaces removed).
ALIASES = {
    "batdau": "start",
    "dangky": "start",
    "hoinghi": "diemdanh",
    "trogiup": "help",
    "huongdan": "help",
    "menu": "help",
    "cancel": "huy",
    "thoat": "huy",
}
# Commands a word without "/" may carry an argument for (an invite code on Zalo: "start ABC123",
# a conference check-in code: "diemdanh 12_K7QX2MAB", progress by a day's tree: "tiendo 30/6/2025").
TAKES_ARGUMENT_WITHOUT_SLASH = frozenset({"start", "diemdanh", "tiendo"})
# prefix → (the argument's shape, handler); a malformed or unknown button is "expired", not a crash.
PAYLOADS: dict[str, tuple[str, Handler]] = {
    "ack": (r"\d+", study.acknowledge),
    "chk": (r"\d+:\d+:\d+:\d+", study.answer_check),
    "sec": (r"\d+", library.open_section),
    "doc": (r"\d+", library.document),
    "bc": (r"(ok|no):\d+", compose.decide),
    "reg": (r"code|self|(ok|no):\d+", registration.choose),
    "td": (r"\d+(:\d{4}-\d{2}-\d{2})?", officers.progress),
    "nn": (r"\d+", officers.remind),
    "xb": (r"\d+|all", officers.export),
    "vt": (r"\d+:(cadre|officer|admin)", officers.set_role),
}
FLOWS: dict[str, Handler] = {
    "register": registration.step,
    "compose": compose.step,
    "role": officers.role_step,
}
# "Đã quán triệt" and its variants (folded): confirm the single pending document.
ACK_WORDS = frozenset(
    {"da quan triet", "toi da quan triet", "toi da doc va quan triet", "da doc va quan triet", "xac nhan"}
)
_NUMBER = re.compile(r"(\d{1,2})[.)]?")


class Conversation:
    """The channel-neutral core. ``on_queued`` is called after messages were queued in the
    outbox (a broadcast, a reminder, a notice), to wake the sender."""

    def __init__(
        self, app: App, on_queued: Callable[[], None] | None = None, workers: WorkerSettings | None = None
    ) -> None:
        self.app = app
        self.on_queued = on_queued or (lambda: None)
        self.workers = Workers(workers or WorkerSettings.load(app.config))

    def busy(self, request: Request) -> bool:
        """True when :meth:`handle` would answer :data:`texts.BUSY` (the person has
        ``[chat] per_person`` requests waiting); for channels that say so their own way."""
        return self.workers.full((request.channel, request.external_user_id))

    async def handle(
        self,
        request: Request,
        before: Callable[[], None] | None = None,
        after: Callable[[list[Reply]], None] | None = None,
        draft: Callable[[str], None] | None = None,
    ) -> list[Reply]:
        """Answer one request in the worker pool, after the chat's earlier requests.

        ``before``/``after`` run in the same worker turn (a channel's own bookkeeping, such as the
        web chat log), so they neither block the loop nor interleave with another turn of the
        chat. ``draft`` (channels that edit messages) is shown a growing answer while a language
        model writes it (see :mod:`bot.core.answers.rephrase`). A person who already has ``[chat] per_person`` requests waiting gets
        :data:`texts.BUSY` at once (``before``/``after`` do not run: nothing was handled).
        """
        queued: list[bool] = []  # set by the worker; the sender is woken here, on the loop's thread
        try:
            async with self.workers.turn((request.channel, request.external_user_id)):
                replies = await self.workers.run(self._turn, request, lambda: queued.append(True), before, after, draft)
        except Busy:
            log.info("conversation: %s/%s is flooding; asked to wait", request.channel, request.external_user_id)
            return [Reply(texts.BUSY)]
        if queued:
            self.on_queued()
        return replies

    def _turn(
        self,
        request: Request,
        on_queued: Callable[[], None],
        before: Callable[[], None] | None,
        after: Callable[[list[Reply]], None] | None,
        draft: Callable[[str], None] | None,
    ) -> list[Reply]:
        session: sessions.Session | None = None
        try:
            if before is not None:
                before()
            replies, session = self._handle(request, on_queued, draft)
        except Exception:
            log.exception("conversation: error handling %s/%s", request.channel, request.external_user_id)
            replies = [Reply(texts.SORRY)]
        # The turn's own bookkeeping in one short transaction at its end (one commit, one take of
        # the write lock, instead of one each while other workers write theirs).
        with store.transaction(self.app.db, immediate=True):
            if session is not None:
                roster.set_blocked(self.app, request.channel, request.external_user_id, False)  # writes again: back
                sessions.save(self.app, session)
            if after is not None:
                after(replies)
        return replies

    def _handle(
        self, request: Request, on_queued: Callable[[], None], draft: Callable[[str], None] | None = None
    ) -> tuple[list[Reply], sessions.Session]:
        """The replies to ``request`` and the chat's session after it (saved by :meth:`_turn`)."""
        app = self.app
        channel, external_id = request.channel, request.external_user_id
        session = sessions.load(app, channel, external_id)
        turn = Turn(app, request, session, roster.person_for(app, channel, external_id), on_queued, draft=draft)
        try:
            replies = route(turn)
        except UserError as exc:
            replies = [Reply(exc.message)]
        offered = next((r for r in reversed(replies) if r.choices()), None)
        session.offer(offered or Reply(""))
        return replies, session


def route(turn: Turn) -> list[Reply]:
    request = turn.request
    if request.contact_phone:
        return registration.contact(turn, request.contact_phone)
    if request.payload is not None:
        return dispatch_payload(turn, request.payload)
    text = " ".join(request.text.split())
    if not text:
        return [Reply(texts.EMPTY)]
    number = _NUMBER.fullmatch(text)
    if number and turn.session.choices:
        index = int(number.group(1))
        if not 1 <= index <= len(turn.session.choices):
            return [Reply(texts.CHOOSE_NUMBER.format(count=len(turn.session.choices)))]
        return dispatch_payload(turn, turn.session.choices[index - 1])
    folded = fold(text)
    for label, payload in zip(turn.session.labels, turn.session.choices):
        if fold(label) == folded:
            return dispatch_payload(turn, payload)
    command = parse_command(text)
    if command is not None:
        name, arg = command
        if name not in COMMANDS:
            return [Reply(texts.UNKNOWN_COMMAND.format(name=name))]
        if name not in ("help", "huy"):
            turn.session.end()  # a new command replaces the flow in progress
        return COMMANDS[name](turn, arg)
    if turn.session.flow in FLOWS:
        return FLOWS[turn.session.flow](turn, text)
    if re.sub(r"[^\w ]", "", folded).strip() in ACK_WORDS:
        return study.acknowledge_pending(turn, "")
    if turn.person is None and registration.looks_like_code(text):
        return registration.link_code(turn, text)
    return library.question(turn, text)


def parse_command(text: str) -> tuple[str, str] | None:
    """("hanchot", "") for "/hanchot", "hanchot", "Hạn chót"; ("start", "ABC") for "/start ABC".

    With "/", any word is a command (unknown ones are reported); without it, only a whole
    message that is a command name counts, so "giao nhiệm vụ cho ai?" stays a question.
    """
    if text.startswith("/"):
        head, _, arg = text[1:].partition(" ")
        name = fold(head.split("@", 1)[0])
        return ALIASES.get(name, name), arg.strip()
    compact = re.sub(r"[^a-z0-9]", "", fold(text))
    name = ALIASES.get(compact, compact)
    if name in COMMANDS:
        return name, ""
    head, _, arg = text.partition(" ")
    name = ALIASES.get(fold(head), fold(head))
    if name in TAKES_ARGUMENT_WITHOUT_SLASH and arg.strip() and " " not in arg.strip():
        return name, arg.strip()
    return None


def dispatch_payload(turn: Turn, payload: str) -> list[Reply]:
    prefix, _, arg = payload.partition(":")
    if prefix == "f":
        flow, _, value = arg.partition(":")
        if flow != turn.session.flow or flow not in FLOWS:
            return [Reply(texts.EXPIRED)]
        turn.chosen = value
        return FLOWS[flow](turn, "")
    entry = PAYLOADS.get(prefix)
    if entry is None or not re.fullmatch(entry[0], arg):
        return [Reply(texts.EXPIRED)]
    return entry[1](turn, arg)
