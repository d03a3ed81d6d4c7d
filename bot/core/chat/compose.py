"""/phatthanh and /giao: composing a broadcast or an assignment, step by step, then confirming.

One flow serves both (``kind`` broadcast or assignment): content (text and/or a document) →
audience (everyone, units with or without sub-units, officers only) → acknowledgement required?
→ due date → comprehension check? → preview. The preview stores a draft and offers "Gửi" /
"Hủy" (``bc:ok:<id>`` / ``bc:no:<id>``), so the confirmation still works after a restart.
/giao is the same flow that starts at the document and always requires acknowledgement.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core import clock
from bot.core.chat import study, texts
from bot.core.chat.messages import Button, Reply
from bot.core.errors import UserError
from bot.core.evidence import documents
from bot.core.numbers import format_number
from bot.core.outbox import broadcasts
from bot.core.outbox.broadcasts import Audience, Draft
from bot.core.roster import audit, roster
from knowledge.dates import parse_date

if TYPE_CHECKING:
    from bot.core.chat.turn import Turn

FLOW = "compose"
CHOICES = 8  # documents or units offered as buttons
DUE_SHORTCUTS = (7, 14, 30)


def start_broadcast(turn: Turn, _arg: str) -> list[Reply]:
    """/phatthanh (officers)."""
    turn.require("broadcast", audit.OFFICERS)
    turn.session.begin(FLOW, "content", kind="broadcast")
    return [Reply(texts.COMPOSE_START, _document_buttons(turn))]


def start_assignment(turn: Turn, _arg: str) -> list[Reply]:
    """/giao (officers)."""
    turn.require("assign", audit.OFFICERS)
    turn.session.begin(FLOW, "document", kind="assignment", ack=True)
    return [Reply(texts.ASSIGN_START, _document_buttons(turn))]


def step(turn: Turn, text: str) -> list[Reply]:
    """Advance the flow with what was typed (``text``) or chosen (``turn.chosen``)."""
    turn.require("broadcast", audit.OFFICERS)
    handler = _STEPS.get(turn.session.step or "")
    if handler is None:
        turn.session.end()
        return [Reply(texts.EXPIRED)]
    return handler(turn, turn.chosen, text.strip())


def _content(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    """/phatthanh, first step: the message text, or a document (then an optional note)."""
    if chosen and chosen.startswith("d"):
        turn.session.data["document_id"] = int(chosen[1:])
        turn.session.step = "note"
        return [Reply(texts.ASK_NOTE, [[turn.option(texts.SKIP, "skip")]])]
    if chosen or not text:
        return [Reply(texts.COMPOSE_START, _document_buttons(turn))]
    turn.session.data["text"] = text
    turn.session.step = "attach"
    return _ask_attach(turn)


def _document(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    """/giao, first step: the document, picked or named ("69-KL/TW", "kl69")."""
    document = documents.find_document(turn.app, text) if text else None
    if chosen and chosen.startswith("d"):
        document = documents.get_document(turn.app, int(chosen[1:]))
    if document is None:
        return [Reply(texts.ASSIGN_START, _document_buttons(turn))]
    turn.session.data["document_id"] = document.id
    return _ask_audience(turn)


def _attach(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen and chosen.startswith("d"):
        turn.session.data["document_id"] = int(chosen[1:])
    elif chosen != "none":
        return _ask_attach(turn)
    return _ask_audience(turn)


def _note(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen != "skip" and not text:
        return [Reply(texts.ASK_NOTE, [[turn.option(texts.SKIP, "skip")]])]
    turn.session.data["text"] = "" if chosen == "skip" else text
    return _ask_audience(turn)


def _audience(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen == "units":
        turn.session.step = "units"
        return [Reply(texts.ASK_UNITS, _unit_buttons(turn))]
    if chosen not in ("all", "officers"):
        return _ask_audience(turn)
    roles = ["officer", "admin"] if chosen == "officers" else []
    turn.session.data["audience"] = Audience(roles=roles).to_json()
    return _after_audience(turn)


def _units(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    """Units picked from the buttons or typed, comma-separated (UserError names an unknown one)."""
    if chosen and chosen.startswith("u"):
        units = [int(chosen[1:])]
    else:
        units = [roster.resolve_unit(turn.app, name).id for name in text.split(",") if name.strip()]
    if not units:
        return [Reply(texts.ASK_UNITS, _unit_buttons(turn))]
    turn.session.data["units"] = units
    turn.session.step = "subunits"
    return [_yes_no(turn, texts.ASK_SUBUNITS)]


def _subunits(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen not in ("yes", "no"):
        return [_yes_no(turn, texts.ASK_SUBUNITS)]
    data = turn.session.data
    data["audience"] = Audience(units=data["units"], subunits=chosen == "yes").to_json()
    return _after_audience(turn)


def _ack(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen not in ("yes", "no"):
        return [_yes_no(turn, texts.ASK_REQUIRE_ACK)]
    turn.session.data["ack"] = chosen == "yes"
    return _ask_due(turn) if chosen == "yes" else _preview(turn)


def _due_step(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    due = _due(turn, chosen, text)
    if due is None:
        return [Reply(texts.BAD_DATE)] + _ask_due(turn)
    turn.session.data["due"] = due.isoformat()
    turn.session.step = "check"
    return [_yes_no(turn, texts.ASK_CHECK)]


def _check(turn: Turn, chosen: str | None, text: str) -> list[Reply]:
    if chosen not in ("yes", "no"):
        return [_yes_no(turn, texts.ASK_CHECK)]
    turn.session.data["check"] = chosen == "yes"
    return _preview(turn)


_STEPS = {
    "content": _content,
    "document": _document,
    "attach": _attach,
    "note": _note,
    "audience": _audience,
    "units": _units,
    "subunits": _subunits,
    "ack": _ack,
    "due": _due_step,
    "check": _check,
}


def decide(turn: Turn, arg: str) -> list[Reply]:
    """``bc:ok:<id>`` sends the draft, ``bc:no:<id>`` drops it."""
    actor = turn.require("broadcast", audit.OFFICERS)
    decision, _, raw_id = arg.partition(":")
    broadcast_id = int(raw_id)
    if decision != "ok":
        cancelled = broadcasts.cancel(turn.app, broadcast_id)
        return [Reply((texts.BROADCAST_CANCELLED if cancelled else texts.BROADCAST_GONE).format(id=broadcast_id))]
    stats = broadcasts.confirm(turn.app, actor, broadcast_id)
    turn.on_queued()
    return [Reply(texts.BROADCAST_STARTED.format(id=broadcast_id, people=format_number(stats.total)))]


# -- steps ---------------------------------------------------------------------------------


def _ask_attach(turn: Turn) -> list[Reply]:
    return [Reply(texts.ASK_ATTACH, _document_buttons(turn) + [[turn.option(texts.NO_ATTACHMENT, "none")]])]


def _ask_audience(turn: Turn) -> list[Reply]:
    turn.session.step = "audience"
    return [
        Reply(
            texts.ASK_AUDIENCE,
            [
                [turn.option(texts.EVERYONE, "all")],
                [turn.option(texts.BY_UNIT, "units")],
                [turn.option(texts.OFFICERS_ONLY, "officers")],
            ],
        )
    ]


def _after_audience(turn: Turn) -> list[Reply]:
    data = turn.session.data
    if data.get("ack"):
        return _ask_due(turn)
    if data.get("document_id"):
        turn.session.step = "ack"
        return [_yes_no(turn, texts.ASK_REQUIRE_ACK)]
    return _preview(turn)


def _ask_due(turn: Turn) -> list[Reply]:
    turn.session.step = "due"
    today = clock.local_today(turn.app.now())
    return [
        Reply(
            texts.ASK_DUE,
            [
                [
                    turn.option(
                        texts.IN_DAYS.format(days=d, date=clock.format_date(today + timedelta(days=d))), f"+{d}"
                    )
                    for d in DUE_SHORTCUTS
                ]
            ],
        )
    ]


def _due(turn: Turn, chosen: str | None, text: str) -> date | None:
    today = clock.local_today(turn.app.now())
    if chosen and chosen.startswith("+"):
        return today + timedelta(days=int(chosen[1:]))
    due = parse_date(text, today.year)
    return due if due is not None and due >= today else None


def _preview(turn: Turn) -> list[Reply]:
    """Store the draft and show it as recipients will see it, with the counts and Gửi/Hủy."""
    data = turn.session.data
    due = data.get("due")
    draft = Draft(
        kind=data["kind"],
        text=data.get("text", ""),
        document_id=data.get("document_id"),
        audience=Audience.from_json(data["audience"]),
        require_ack=bool(data.get("ack")),
        due_date=date.fromisoformat(due) if due else None,
        require_check=bool(data.get("check")),
    )
    people, accounts, unlinked = broadcasts.recipients_preview(turn.app, draft)
    turn.session.end()
    if not people:
        return [Reply(texts.NO_RECIPIENTS)]
    broadcast_id = broadcasts.save_draft(turn.app, turn.require("broadcast", audit.OFFICERS), draft, turn.origin)
    if draft.require_ack:
        document = documents.get_document(turn.app, draft.document_id)  # type: ignore[arg-type]
        if document is None:
            raise UserError(texts.EXPIRED)
        shown = study.study_text(turn.app, document, draft.due_date, draft.require_check, draft.text)  # type: ignore[arg-type]
    else:
        shown = study.broadcast_message(turn.app, draft, None).text
    footer = texts.PREVIEW_FOOTER.format(
        people=format_number(people), accounts=format_number(accounts), unlinked=format_number(unlinked)
    )
    return [
        Reply(texts.PREVIEW_HEADER),
        Reply(shown),
        Reply(footer, [[Button(texts.SEND, f"bc:ok:{broadcast_id}"), Button(texts.CANCEL, f"bc:no:{broadcast_id}")]]),
    ]


def _document_buttons(turn: Turn) -> list[list[Button]]:
    return [
        [turn.option(texts.shorten(d.label, texts.BUTTON_CHARS), f"d{d.id}")]
        for d in documents.current_documents(turn.app, CHOICES)
    ]


def _unit_buttons(turn: Turn) -> list[list[Button]]:
    """The top of the unit tree (below the province when there is a single root)."""
    index = roster.UnitIndex(turn.app.db)
    roots = [u for u in index.units.values() if u.parent_id is None]
    if len(roots) == 1:
        roots = [u for u in index.units.values() if u.parent_id == roots[0].id] or roots
    return [[turn.option(texts.shorten(u.name, texts.BUTTON_CHARS), f"u{u.id}")] for u in roots[:CHOICES]]


def _yes_no(turn: Turn, question: str) -> Reply:
    return Reply(question, [[turn.option(texts.YES, "yes"), turn.option(texts.NO, "no")]])
