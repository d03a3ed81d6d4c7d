"""Linking a chat to the roster: invite code, the user's own phone number, or self-registration.

/start explains the three ways. An invite code comes from a Telegram deep link ("/start CODE") or
is typed (Zalo, web). A phone number counts only when the channel proves it is the sender's own
(:data:`CONTACT_CHANNELS`). Self-registration asks the name, then the unit, creates a pending
person and notifies the officers, who approve with a button.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.chat import attendance, texts
from bot.core.chat.examples import example_question
from bot.core.chat.messages import Button, Reply
from bot.core.evidence import assignments, conferences
from bot.core.outbox import broadcasts
from bot.core.roster import audit, roster

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.turn import Turn
    from bot.core.roster.roster import Person

# Channels whose adapter can prove that a shared phone number is the sender's own (Telegram:
# a contact whose user_id is the sender). Only there is "share your phone number" offered.
CONTACT_CHANNELS = frozenset({"telegram"})
# What a typed invite code looks like: one word of letters and digits, both present.
CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9-]{6,16}$")
UNIT_CHOICES = 8


def looks_like_code(text: str) -> bool:
    return bool(CODE.match(text.strip()))


def start(turn: Turn, arg: str) -> list[Reply]:
    """/start [code]; "hn_<code>" is a conference check-in from the venue's QR (Telegram deep link)."""
    if arg.strip().lower().startswith(conferences.TELEGRAM_PREFIX):
        return attendance.check_in(turn, arg)
    if arg.strip():
        return link_code(turn, arg.strip())
    person = turn.person
    if person is not None and person.active:
        return welcome(turn, person, texts.WELCOME_BACK.format(name=person.full_name))
    if person is not None and person.status == "pending":
        return [Reply(texts.PENDING_APPROVAL)]
    contact = turn.request.channel in CONTACT_CHANNELS
    ways = [texts.WAY_CODE] + ([texts.WAY_PHONE] if contact else []) + [texts.WAY_SELF]
    buttons = [[Button(texts.ENTER_CODE, "reg:code")], [Button(texts.SELF_REGISTER, "reg:self")]]
    return [Reply(texts.WELCOME_UNKNOWN.format(ways="\n".join(ways)), buttons, request_contact=contact)]


def welcome(turn: Turn, person: Person, greeting: str) -> list[Reply]:
    """Greeting, the user's /help, and a pointer to what they still have to confirm."""
    text = greeting + "\n\n" + texts.help_text(person.role, example_question(turn.app))
    pending = assignments.pending_for(turn.app, person.id)
    if pending:
        text += "\n\n" + texts.MORE_PENDING.format(count=len(pending))
    return [Reply(text)]


def link_code(turn: Turn, code: str) -> list[Reply]:
    """Link this chat by invite code; guessing is slowed down per chat account (bot/core/roster/attempts.py)."""
    channel, external_id = turn.origin
    person = turn.app.attempts.guard(
        [f"invite:{channel}:{external_id}"],
        lambda: roster.link_by_invite(turn.app, channel, external_id, code, turn.request.display_name),
    )
    turn.session.end()
    return _linked(turn, person)


def contact(turn: Turn, phone: str) -> list[Reply]:
    """A phone number the channel proved is the sender's own."""
    person = roster.link_by_phone(turn.app, *turn.origin, phone, turn.request.display_name)
    turn.session.end()
    return _linked(turn, person)


def _linked(turn: Turn, person: Person) -> list[Reply]:
    turn.person = person
    return welcome(turn, person, texts.LINKED.format(name=person.full_name, unit=person.unit_name or "—"))


def choose(turn: Turn, arg: str) -> list[Reply]:
    """``reg:code`` / ``reg:self``: the way chosen at /start; ``reg:ok:<id>`` / ``reg:no:<id>``:
    an officer's decision on a self-registration."""
    if arg == "code":
        turn.session.begin("register", "code")
        return [Reply(texts.ASK_INVITE)]
    if arg == "self":
        if turn.person is not None and turn.person.active:
            return welcome(turn, turn.person, texts.WELCOME_BACK.format(name=turn.person.full_name))
        turn.session.begin("register", "name")
        return [Reply(texts.ASK_NAME)]
    decision, _, person_id = arg.partition(":")
    return _decide(turn, decision == "ok", int(person_id))


def step(turn: Turn, text: str) -> list[Reply]:
    """The registration flow: ``code`` → link; ``name`` → ``unit`` → pending person."""
    session = turn.session
    if session.step == "code":
        return link_code(turn, text)
    if session.step == "name":
        if len(text.split()) < 2:
            return [Reply(texts.ASK_NAME)]
        session.data["name"] = text
        session.step = "unit"
        return [Reply(texts.ASK_UNIT)]
    unit_id = int(turn.chosen[1:]) if turn.chosen and turn.chosen.startswith("u") else None
    if unit_id is None:
        units = roster.find_units(turn.app, text, UNIT_CHOICES + 1)
        if not units:
            return [Reply(texts.UNIT_NOT_FOUND.format(name=text))]
        if len(units) > 1:
            paths = roster.unit_paths(turn.app)
            return [
                Reply(
                    texts.CHOOSE_UNIT,
                    [
                        [turn.option(texts.shorten(paths[u.id], texts.CHOICE_CHARS), f"u{u.id}")]
                        for u in units[:UNIT_CHOICES]
                    ],
                )
            ]
        unit_id = units[0].id
    person = roster.self_register(turn.app, *turn.origin, session.data["name"], unit_id, turn.request.display_name)
    session.end()
    turn.person = person
    _notify_officers(turn, person)
    return [Reply(texts.REGISTERED_PENDING.format(name=person.full_name, unit=person.unit_name))]


def _notify_officers(turn: Turn, person: Person) -> None:
    officers = broadcasts.Audience(roles=["officer", "admin"]).people(turn.app)
    if not officers:
        return
    notice = Reply(
        texts.REGISTRATION_NOTICE.format(name=person.full_name, unit=person.unit_name, channel=turn.request.channel),
        [[Button(texts.APPROVE, f"reg:ok:{person.id}"), Button(texts.REJECT, f"reg:no:{person.id}")]],
    )
    broadcasts.enqueue(turn.app, "notice", notice, officers)
    turn.on_queued()


def _decide(turn: Turn, approve: bool, person_id: int) -> list[Reply]:
    actor = turn.require("roster.approve" if approve else "roster.reject", audit.OFFICERS, person_id=person_id)
    person = decide(turn.app, actor, person_id, approve)
    turn.on_queued()
    done = texts.APPROVED if approve else texts.REJECTED
    return [Reply(done.format(name=person.full_name))]


def decide(app: App, actor: Person | None, person_id: int, approve: bool) -> Person:
    """An officer's decision on a self-registration (chat button or admin page): approve or reject
    it (the core checks the role and audits) and queue the notice to the person."""
    person = (roster.approve if approve else roster.reject)(app, actor, person_id)
    notice = texts.APPROVED_NOTICE if approve else texts.REJECTED_NOTICE
    broadcasts.enqueue(app, "notice", Reply(notice), [person.id])
    return person
