"""What a cadre studies and confirms: assignment messages, "đã quán triệt", the comprehension check.

The assignment message (document, short summary, key duties and deadlines from the ``duties``
table, the due date, and the "Tôi đã đọc và quán triệt" button) is composed here once and used
everywhere: broadcast to the audience, shown again by /cuatoi, and in reminders.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.core import clock
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.evidence import assignments, checks, documents, ledger
from bot.core.evidence.documents import Document
from knowledge.catalogue import list_duties
from knowledge.sections import split_sentences

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.turn import Turn
    from bot.core.outbox.broadcasts import Draft

SUMMARY_CHARS = 300
DUTY_CHARS = 160
KEY_DUTIES = 3
MAX_LISTED = 5  # /cuatoi shows at most this many assignment messages at once


def document_title(document: Document) -> str:
    """ "69-KL/TW – Kết luận số 69-KL/TW của Bộ Chính trị … (11/01/2024)"."""
    title = texts.shorten(document.title, 140)
    name = title if not document.number or document.number in title else f"{document.number} – {title}"
    return name + (f" ({clock.format_date(document.issued)})" if document.issued else "")


def document_summary(app: App, document_id: int) -> str:
    """The opening sentences of the document (its first chunk that is more than a heading)."""
    for (text,) in app.db.execute("SELECT text FROM chunks WHERE document_id = ? ORDER BY seq LIMIT 5", (document_id,)):
        sentences = [s for s in split_sentences(text) if len(s) > 60]
        if sentences:
            summary = ""
            for sentence in sentences:
                if summary and len(summary) + len(sentence) > SUMMARY_CHARS:
                    break
                summary = f"{summary} {sentence}".strip()
            return texts.shorten(summary, SUMMARY_CHARS)
    return ""


def key_duties(app: App, document_id: int, limit: int = KEY_DUTIES) -> list[str]:
    """The document's duties with a deadline first (soonest first), as "• actor: task (when)"."""
    lines = []
    for duty in list_duties(app.db, document_id=document_id)[:limit]:
        when = duty["due_text"] or duty["period"]
        lines.append(f"• {duty['actor']}: {texts.shorten(duty['task'], DUTY_CHARS)}" + (f" ({when})" if when else ""))
    return lines


def document_block(app: App, document: Document) -> str:
    """A document as a cadre first meets it: title, summary, key duties."""
    parts = [document_title(document)]
    summary = document_summary(app, document.id)
    if summary:
        parts.append(summary)
    duties = key_duties(app, document.id)
    if duties:
        parts.append(texts.KEY_DUTIES + "\n" + "\n".join(duties))
    return "\n\n".join(parts)


def study_text(app: App, document: Document, due: date, require_check: bool, preface: str = "") -> str:
    """The text asking a cadre to study ``document`` by ``due`` (also the preview of a draft)."""
    today = clock.local_today(app.now())
    deadline = texts.STUDY_DUE.format(due=texts.due_phrase(due, today))
    if require_check:
        deadline += "\n" + texts.STUDY_CHECK_NOTE
    parts = (preface, texts.STUDY_DOCUMENT.format(document=document_block(app, document)), deadline)
    return "\n\n".join(p for p in parts if p)


def assignment_message(app: App, assignment_id: int, preface: str = "") -> Reply:
    """The message asking a cadre to study one document by its due date, with the ack button."""
    assignment = assignments.require_assignment(app, assignment_id)
    text = study_text(app, assignment.document, assignment.due_date, assignment.require_check, preface)
    return Reply(text, [[Button(texts.ACK_BUTTON, f"ack:{assignment_id}")]])


def broadcast_message(app: App, draft: Draft, assignment_id: int | None) -> Reply:
    """What the recipients of a confirmed draft get (``assignment_id``: the one it created)."""
    if assignment_id is not None:
        return assignment_message(app, assignment_id, draft.text)
    parts = [draft.text]
    buttons: list[list[Button]] = []
    if draft.document_id is not None:
        document = documents.get_document(app, draft.document_id)
        if document is not None:
            parts.append(document_block(app, document))
            buttons.append([Button(texts.DOCUMENT_BUTTON, f"doc:{document.id}")])
    return Reply("\n\n".join(p for p in parts if p), buttons)


# -- handlers ------------------------------------------------------------------------------


def my_assignments(turn: Turn, _arg: str) -> list[Reply]:
    """/cuatoi: every document the user still has to confirm, each with its button."""
    person = turn.member()
    pending = assignments.pending_for(turn.app, person.id)
    if not pending:
        return [Reply(texts.NOTHING_PENDING)]
    replies = [Reply(texts.PENDING_HEADER.format(count=len(pending)))]
    replies += [assignment_message(turn.app, p.assignment_id) for p in pending[:MAX_LISTED]]
    return replies


def acknowledge(turn: Turn, arg: str) -> list[Reply]:
    """``ack:<assignment>``: confirm, or start the comprehension check the assignment requires."""
    person = turn.member()
    assignment = assignments.require_assignment(turn.app, int(arg))
    done = ledger.ack_of(turn.app, person.id, assignment.document.id, assignment.version)
    if done is not None:
        return [
            Reply(
                texts.ACK_ALREADY.format(document=assignment.document.label, at=clock.format_spoken(done["acked_at"]))
            )
        ]
    if assignment.require_check:
        question = checks.start_check(turn.app, person.id, assignment.id)
        intro = [Reply(texts.CHECK_INTRO.format(count=question.total))] if question.index == 0 else []
        return intro + [_question_reply(assignment.id, question)]
    result = ledger.acknowledge(turn.app, person.id, assignment.id, turn.request.channel)
    return [_acked(turn, assignment.document.label, result)]


def acknowledge_pending(turn: Turn, _arg: str) -> list[Reply]:
    """ "đã quán triệt" typed: confirm the single pending document, or ask which one."""
    person = turn.member()
    pending = assignments.pending_for(turn.app, person.id)
    if not pending:
        return [Reply(texts.NOTHING_PENDING)]
    if len(pending) == 1:
        return acknowledge(turn, str(pending[0].assignment_id))
    return [Reply(texts.CHOOSE_ACK, [[Button(p.document.label, f"ack:{p.assignment_id}")] for p in pending])]


def answer_check(turn: Turn, arg: str) -> list[Reply]:
    """``chk:<assignment>:<attempt>:<question>:<option>``: one answer of the check."""
    person = turn.member()
    assignment_id, attempt_id, question, option = (int(x) for x in arg.split(":"))
    step = checks.answer_check(turn.app, person.id, attempt_id, question, option, turn.request.channel)
    if step.stale:
        if step.next is not None:
            return [_question_reply(assignment_id, step.next)]
        return [Reply(texts.EXPIRED)]
    verdict = texts.CHECK_RIGHT if step.correct else texts.CHECK_WRONG  # never the right answer
    if not step.finished:
        assert step.next is not None
        return [Reply(verdict), _question_reply(assignment_id, step.next)]
    if step.passed and step.ack is not None:
        assignment = assignments.require_assignment(turn.app, assignment_id)
        return [Reply(verdict), _acked(turn, assignment.document.label, step.ack, step.score)]
    return [
        Reply(verdict),
        Reply(texts.CHECK_FAILED.format(score=step.score), [[Button(texts.RETRY_CHECK, f"ack:{assignment_id}")]]),
    ]


def _question_reply(assignment_id: int, question: checks.CheckQuestion) -> Reply:
    return Reply(
        texts.CHECK_QUESTION.format(n=question.index + 1, total=question.total, question=question.text),
        [
            [Button(option, f"chk:{assignment_id}:{question.attempt_id}:{question.index}:{n}")]
            for n, option in enumerate(question.options)
        ],
    )


def _acked(turn: Turn, label: str, result: ledger.AckResult, score: str | None = None) -> Reply:
    assert turn.person is not None
    template = texts.ACK_DONE if result.created else texts.ACK_ALREADY
    text = template.format(name=turn.person.full_name, document=label, at=result.when)
    if score:
        text += texts.CHECK_SCORE.format(score=score)
    remaining = assignments.pending_for(turn.app, turn.person.id)
    if remaining and result.created:
        text += "\n" + texts.MORE_PENDING.format(count=len(remaining))
    return Reply(text)
