"""What anyone may read: questions answered from the texts, documents, deadlines, duties.

Free text is a question (:func:`question`): the cited answer of :func:`bot.core.answers.answers.ask`
with a button that opens the quoted section in full (``sec:<chunk>``), split into several
messages when long.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from bot.core import clock
from bot.core.answers import answers, curated, particulars, rephrase
from bot.core.answers.understanding import understand
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.chat.study import document_block, document_title
from bot.core.chat.text_split import split_message
from bot.core.evidence import assignments
from bot.core.evidence.documents import current_documents, document_origin, get_document
from bot.core.outbox import broadcasts
from knowledge.catalogue import list_duties
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.turn import Turn
    from bot.core.roster.roster import Person

LISTED = 8  # lines in /hanchot and /nhiemvu
BRIEF_DUTIES = 5  # the asker's unit's duties told to a language model with a question
OTHER_SOURCES = 2  # further sources offered as buttons under an answer
# Actors that concern every organisation, so every cadre sees their duties in /nhiemvu.
EVERYONE_ACTORS = ("cac cap uy", "to chuc dang", "cap uy, to chuc dang", "chinh quyen", "cac co quan, don vi")
DISTINCTIVE_SHARE = 0.3  # a word pair in more actors than this share says nothing about a unit


def question(turn: Turn, text: str) -> list[Reply]:
    """Answer a question: the office's curated answer first (see bot.core.answers.curated), else
    from the texts, in plain words when a language model is configured and its draft verifies; log
    it with who asked (for the officers' FAQ work)."""
    answer = curated.find(turn.app, text)
    if answer is None:
        answer = answers.ask(turn.app, text)
        if answer.confident and rephrase.settings(turn.app).enabled:  # the brief reads every duty: only for the model
            answer = rephrase.rephrase(turn.app, answer, _brief(turn, text), show=turn.draft)
    person_id = turn.person.id if turn.person is not None else None
    answers.record_question(turn.app, answer, turn.request.channel, person_id)
    buttons: list[list[Button]] = []
    if answer.confident and answer.sources:
        top, *others = answer.sources
        buttons.append([Button(texts.SECTION_BUTTON, f"sec:{top.chunk_id}")])
        seen = {(top.number, top.section)}
        for source in others:
            if len(buttons) > OTHER_SOURCES or (source.number, source.section) in seen:
                continue
            seen.add((source.number, source.section))
            label = texts.MORE_SOURCE.format(name=source.number or source.document)
            if source.section:
                label += " – " + source.section.rsplit(" > ", 1)[-1]
            buttons.append([Button(texts.shorten(label, texts.BUTTON_CHARS), f"sec:{source.chunk_id}")])
    return [Reply(answer.answer, buttons)]


def reply_to_question(app: App, actor: Person | None, question_id: int, text: str) -> int | None:
    """An officer answers a question the bot could not (admin page): the answer becomes a curated
    Q&A the bot uses next time, and goes to the asker through the outbox. Returns the outbox
    broadcast id (None when the asker is unknown)."""
    entry, asker = curated.add(app, actor, question_id, text)
    if asker is None:
        return None
    message = texts.CURATED_REPLY.format(question=texts.shorten(entry.question, 200), answer=entry.answer)
    return broadcasts.enqueue(app, "notice", Reply(message), [asker], actor.id if actor else None)


def _brief(turn: Turn, text: str) -> rephrase.Brief:
    """What a language model is told besides the passages: the question's intent, the texts it
    names, and the asker's unit with the duties that concern it."""
    reading = understand(text)
    person = turn.person if turn.person is not None and turn.person.active else None
    duties = _unit_duties(turn, person.unit_id)[:BRIEF_DUTIES] if person is not None and person.unit_id else []
    return rephrase.Brief(
        intent=reading.intent,
        documents=tuple(named.label for named in reading.named),
        unit=(person.unit_name or "") if person is not None else "",
        duties=tuple(f"{texts.shorten(task, 160)} ({when or 'không nêu hạn'})" for _, task, when, _, _ in duties),
    )


def open_section(turn: Turn, arg: str) -> list[Reply]:
    """``sec:<chunk>``: the whole section a quote came from."""
    section = answers.section_text(turn.app, int(arg))
    if section is None:
        return [Reply(texts.SECTION_MISSING)]
    heading = " – ".join(p for p in (section.number or section.document, section.section) if p)
    return [Reply(part) for part in split_message(f"{heading}\n\n{section.text}", texts.MESSAGE_LIMIT)]


def documents(turn: Turn, _arg: str) -> list[Reply]:
    """/vanban: the documents in the catalogue, each a button to its summary and deadlines."""
    docs = current_documents(turn.app)
    if not docs:
        return [Reply(texts.NO_DOCUMENTS)]
    lines = [texts.DOCUMENTS_HEADER] + [f"{n}. {document_title(d)}" for n, d in enumerate(docs, 1)]
    buttons = [[Button(texts.shorten(d.label, texts.BUTTON_CHARS), f"doc:{d.id}")] for d in docs]
    return [Reply("\n".join(lines), buttons)]


def document(turn: Turn, arg: str) -> list[Reply]:
    """``doc:<id>``: one document's summary, key duties, particulars (issuing body, session, place,
    signer: :mod:`bot.core.answers.particulars`) and all its deadlines."""
    doc = get_document(turn.app, int(arg))
    if doc is None:
        return [Reply(texts.EXPIRED)]
    today = clock.local_today(turn.app.now())
    lines = _deadline_lines(turn, today, document_id=doc.id, limit=LISTED)
    text = document_block(turn.app, doc)
    described = particulars.describe(turn.app, doc.id)
    if described:
        text += "\n\n" + described
    origin = document_origin(turn.app, doc.id)
    if origin:
        text += "\n\n" + texts.DOCUMENT_ORIGIN.format(origin=origin)
    if lines:
        text += "\n\n" + texts.DEADLINES_HEADER + "\n" + "\n".join(lines)
    return [Reply(part) for part in split_message(text, texts.MESSAGE_LIMIT)]


def deadlines(turn: Turn, _arg: str) -> list[Reply]:
    """/hanchot: the user's own study deadlines, then the texts' deadlines, soonest first."""
    today = clock.local_today(turn.app.now())
    parts = []
    if turn.role is not None:
        mine = assignments.pending_for(turn.app, turn.person.id)  # type: ignore[union-attr]
        if mine:
            parts.append(
                texts.MY_DEADLINES_HEADER
                + "\n"
                + "\n".join(f"• {p.document.label}: {texts.due_phrase(p.due_date, today)}" for p in mine)
            )
    lines = _deadline_lines(turn, today, limit=LISTED)
    parts.append(texts.DEADLINES_HEADER + "\n" + "\n".join(lines) if lines else texts.NO_DEADLINES)
    return [Reply("\n\n".join(parts))]


def _deadline_lines(turn: Turn, today: date, document_id: int | None = None, limit: int = LISTED) -> list[str]:
    """Dated duties: every upcoming one first, then the most recently passed, without repeats."""
    rows, seen = [], set()
    for duty in list_duties(turn.app.db, document_id=document_id, dated=True):
        key = (duty["due_date"], fold(duty["task"])[:80])
        if key not in seen:
            seen.add(key)
            rows.append(
                (
                    date.fromisoformat(duty["due_date"]),
                    duty["due_text"],
                    duty["task"],
                    duty["actor"],
                    duty["number"] or duty["title"],
                )
            )
    upcoming = [r for r in rows if r[0] >= today]
    passed = [r for r in reversed(rows) if r[0] < today]
    return [
        f"• {texts.due_phrase(due, today)}: {texts.shorten(task, 140)} – {actor} [{number}]"
        for due, _text, task, actor, number in (upcoming + passed)[:limit]
    ]


def duties(turn: Turn, _arg: str) -> list[Reply]:
    """/nhiemvu: duties whose actor names the user's unit (or one above it), or every organisation."""
    person = turn.member()
    matched = _unit_duties(turn, person.unit_id)
    if not matched:
        return [Reply(texts.NO_DUTIES)]
    lines = [
        f"• {actor}: {texts.shorten(task, 160)}"
        + (f" ({when})" if (when := due_text or period) else "")
        + f" [{number}]"
        for actor, task, due_text, period, number in matched[:LISTED]
    ]
    header = texts.DUTIES_HEADER.format(unit=person.unit_name or texts.YOUR_UNIT)
    return [Reply(part) for part in split_message(header + "\n" + "\n".join(lines), texts.MESSAGE_LIMIT)]


def _unit_duties(turn: Turn, unit_id: int | None) -> list[tuple[str, str, str, str, str]]:
    """(actor, task, due text, period, document) of the duties that concern ``unit_id``, soonest first."""
    rows = [
        (d["actor"], d["task"], d["due_text"], d["period"], d["number"] or d["title"]) for d in list_duties(turn.app.db)
    ]
    names = _unit_names(turn, unit_id)
    frequency = Counter(pair for row in rows for pair in _pairs(fold(row[0])))
    common = max(1.0, DISTINCTIVE_SHARE * len(rows))
    return [r for r in rows if _concerns(r[0], names, frequency, common)]


def _unit_names(turn: Turn, unit_id: int | None) -> list[str]:
    """The folded names of the unit and the units above it."""
    names = []
    while unit_id is not None:
        row = turn.app.db.execute("SELECT name, parent_id FROM units WHERE id = ?", (unit_id,)).fetchone()
        if row is None:
            break
        names.append(fold(row[0]))
        unit_id = row[1]
    return names


def _pairs(text: str) -> set[str]:
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def _concerns(actor: str, unit_names: list[str], frequency: Counter[str], common: float) -> bool:
    """True when ``actor`` addresses everyone, or shares a distinctive word pair with a unit name.

    A pair is distinctive when at most ``common`` actors contain it ("huyện ủy" is, "tỉnh ủy" is
    not), so a district committee sees "các huyện ủy, thị ủy …" but not every provincial body.
    """
    key = fold(actor)
    if any(phrase in key for phrase in EVERYONE_ACTORS):
        return True
    mine = _pairs(key)
    return any(pair in mine and frequency[pair] <= common for name in unit_names for pair in _pairs(name))
