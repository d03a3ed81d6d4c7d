"""Officers' and admins' commands other than composing: progress, reminders, export, roles.

Each command first gates on the role (a refusal is audited with ``allowed=0``); the core
function that then acts (reports, exports, roster) audits the action itself. With several
assignments, the command offers one button per assignment (``td:<id>``, ``nn:<id>``, ``xb:<id>``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.core import clock
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.errors import UserError
from bot.core.evidence import assignments, exports, reports
from bot.core.numbers import format_number, format_percent
from bot.core.outbox import broadcasts, reminders
from bot.core.roster import audit, roster
from knowledge.dates import parse_date

if TYPE_CHECKING:
    from bot.core.chat.turn import Turn

CHOICES = 8
PEOPLE_CHOICES = 8


def progress(turn: Turn, arg: str) -> list[Reply]:
    """/tiendo [assignment] [date]: confirmations per unit (by today's tree, or by the tree of the
    date: "/tiendo 30/6/2025"), and how the messages were delivered."""
    actor = turn.require("progress", audit.OFFICERS)
    number, on = _progress_args(turn, arg)
    chooser = _choose_assignment(turn, number, "td", f":{on.isoformat()}" if on else "")
    if chooser is not None:
        return chooser
    assignment_id = int(number or assignments.latest_assignment(turn.app).id)  # type: ignore[union-attr]
    report = reports.progress(turn.app, actor, assignment_id, on=on)
    a, total = report.assignment, report.total
    lines = [
        texts.PROGRESS_REPORT.format(document=a.document.label, id=a.id, due=clock.format_date(a.due_date)),
        *([texts.PROGRESS_TREE_ON.format(date=clock.format_date(on))] if on else []),
        texts.PROGRESS_TOTAL.format(
            confirmed=format_number(total.confirmed),
            assigned=format_number(total.assigned),
            percent=format_percent(total.percent),
            missing=format_number(total.not_yet),
            late=texts.PROGRESS_LATE.format(late=format_number(total.late)) if total.late else "",
        ),
        *report.lines(max_depth=1),
    ]
    delivered = _delivery(turn, a.id)
    if delivered:
        lines.append(delivered)
    return [Reply("\n".join(lines))]


def _progress_args(turn: Turn, arg: str) -> tuple[str, date | None]:
    """ "5", "30/6/2025", "5 30/6/2025" or a button's "5:2025-06-30" → (assignment number or "",
    the day whose unit tree to count by, or None for today's)."""
    number, _, rest = arg.strip().replace(":", " ", 1).partition(" ")
    if number and not number.isdigit():
        number, rest = "", arg.strip()
    rest = rest.strip()
    if not rest:
        return number, None
    try:
        on = date.fromisoformat(rest)
    except ValueError:
        on = parse_date(rest, clock.local_today(turn.app.now()).year)  # type: ignore[assignment]
    if on is None:
        raise UserError(texts.PROGRESS_BAD_DATE.format(text=rest))
    return number, on


def _delivery(turn: Turn, assignment_id: int) -> str:
    """The delivery counts of the broadcasts that announced the assignment, and why the failed
    ones failed."""
    total = broadcasts.Stats(0)
    ids = [
        r[0]
        for r in turn.app.db.execute(
            "SELECT id FROM broadcasts WHERE assignment_id = ? AND kind IN ('broadcast', 'assignment') "
            "AND status IN ('sending', 'done')",
            (assignment_id,),
        )
    ]
    for broadcast_id in ids:
        total.add(broadcasts.stats(turn.app, broadcast_id))
    if not total.total:
        return ""
    reasons = broadcasts.failure_lines(broadcasts.failure_reasons(turn.app, ids))
    return "\n".join([texts.PROGRESS_MESSAGES.format(counts=total.counts()), *reasons])


def remind(turn: Turn, arg: str) -> list[Reply]:
    """/nhacnho [assignment]: remind, through the outbox, everyone who has not confirmed."""
    actor = turn.require("remind", audit.OFFICERS)
    chooser = _choose_assignment(turn, arg, "nn")
    if chooser is not None:
        return chooser
    assignment_id = int(arg or assignments.latest_assignment(turn.app).id)  # type: ignore[union-attr]
    broadcast_id, count = reminders.remind_unconfirmed(turn.app, actor, assignment_id, origin=turn.origin)
    if broadcast_id is None:
        return [Reply(texts.REMIND_NONE)]
    turn.on_queued()
    return [Reply(texts.REMIND_STARTED.format(count=format_number(count), id=broadcast_id))]


def export(turn: Turn, arg: str) -> list[Reply]:
    """/xuatbaocao [assignment|all]: the XLSX evidence export as a file (admins)."""
    actor = turn.require("export", audit.ADMINS)
    if not arg:
        options = assignments.list_assignments(turn.app)[:CHOICES]
        if len(options) > 1:
            buttons = [[Button(texts.EXPORT_ALL, "xb:all")]] + [
                [Button(_assignment_label(a), f"xb:{a.id}")] for a in options
            ]
            return [Reply(texts.CHOOSE_ASSIGNMENT, buttons)]
    assignment_id = None if arg in ("", "all") else int(arg)
    attachment = exports.export_attachment(turn.app, actor, "xlsx", assignment_id)
    return [Reply(texts.EXPORT_READY.format(at=clock.format_spoken(turn.app.now())), attachment=attachment)]


def roles(turn: Turn, arg: str) -> list[Reply]:
    """/vaitro [name or phone]: find the person, then pick the new role (admins)."""
    turn.require("roster.role", audit.ADMINS)
    if not arg.strip():
        turn.session.begin("role", "person")
        return [Reply(texts.ASK_PERSON)]
    return _find_person(turn, arg)


def role_step(turn: Turn, text: str) -> list[Reply]:
    """The /vaitro flow: the person typed, or one picked from the matches (``p<id>``)."""
    turn.require("roster.role", audit.ADMINS)
    if turn.chosen and turn.chosen.startswith("p"):
        turn.session.end()
        return _ask_role(turn, int(turn.chosen[1:]))
    return _find_person(turn, text)


def set_role(turn: Turn, arg: str) -> list[Reply]:
    """``vt:<person>:<role>``."""
    person_id, _, role = arg.partition(":")
    actor = turn.require("roster.role", audit.ADMINS)
    person = roster.set_role(turn.app, actor, int(person_id), role)
    return [Reply(texts.ROLE_SET.format(name=person.full_name, role=roster.ROLE_LABELS[person.role]))]


def _find_person(turn: Turn, query: str) -> list[Reply]:
    people = roster.find_people(turn.app, query, PEOPLE_CHOICES)
    if not people:
        turn.session.begin("role", "person")
        return [Reply(texts.PEOPLE_NOT_FOUND.format(query=query))]
    if len(people) == 1:
        turn.session.end()
        return _ask_role(turn, people[0].id)
    turn.session.begin("role", "person")
    return [
        Reply(
            texts.CHOOSE_PERSON,
            [
                [turn.option(texts.shorten(f"{p.full_name} – {p.unit_name or ''}", texts.CHOICE_CHARS), f"p{p.id}")]
                for p in people
            ],
        )
    ]


def _ask_role(turn: Turn, person_id: int) -> list[Reply]:
    person = roster.get_person(turn.app, person_id)
    if person is None:
        return [Reply(texts.EXPIRED)]
    return [
        Reply(
            texts.ASK_ROLE.format(name=person.full_name, role=roster.ROLE_LABELS[person.role]),
            [
                [Button(roster.ROLE_LABELS[r].capitalize(), f"vt:{person.id}:{r}")]
                for r in ("officer", "cadre", "admin")
                if r != person.role
            ],
        )
    ]


def _choose_assignment(turn: Turn, arg: str, prefix: str, suffix: str = "") -> list[Reply] | None:
    """Buttons to pick an assignment when none was given and there are several (each payload
    ``prefix:<id>`` followed by ``suffix``); None otherwise."""
    if arg:
        return None
    options = assignments.list_assignments(turn.app)
    if not options:
        return [Reply(texts.NO_ASSIGNMENTS)]
    if len(options) == 1:
        return None
    return [
        Reply(
            texts.CHOOSE_ASSIGNMENT,
            [[Button(_assignment_label(a), f"{prefix}:{a.id}{suffix}")] for a in options[:CHOICES]],
        )
    ]


def _assignment_label(assignment: assignments.Assignment) -> str:
    label = texts.ASSIGNMENT_LABEL.format(
        id=assignment.id, document=assignment.document.label, due=clock.format_date(assignment.due_date)
    )
    return texts.shorten(label, texts.CHOICE_CHARS)
