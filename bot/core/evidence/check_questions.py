"""The questions a document supports for a comprehension check, built from its duties and header.

Kept apart from :mod:`bot.core.evidence.checks` (attempts, answers, the acknowledgement on a pass)
because assigning a document "with a check" must ask whether the document supports one, and
``checks`` itself builds on assignments.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from bot.app import App
from bot.core import clock
from bot.core.chat import texts
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.core.evidence.documents import Document

MIN_TASK_WORDS = 5  # "phải gương mẫu thực hiện" alone does not say which duty is meant
TASK_CHARS = 110  # a duty quoted inside a question
_DAY = re.compile(r"\d{1,2}/\d{1,2}")
_DONE = re.compile(r"^hoàn thành (?:việc )?", re.IGNORECASE)
KIND_ORDER = ("deadline", "actor", "period", "fact")


def _without(task: str, *answers: str | None) -> str:
    """The task with its own deadline words removed, so the question does not give the answer away."""
    for answer in answers:
        if answer:
            task = re.sub(re.escape(answer), "", task, flags=re.IGNORECASE)
    return " ".join(task.split()).strip(" ,;")


class _Duty(NamedTuple):
    actor: str
    task: str  # shortened, without its own deadline words
    day: str | None  # ISO date when the text names a day ("trước ngày 15/4/2024")
    when: str | None  # otherwise the words of the period ("trong năm 2025", "định kỳ 6 tháng")
    sentence: str


def _duties(app: App, document_id: int) -> list[_Duty]:
    """The document's duties in text order, removed document included: unlike the lists of
    :func:`knowledge.catalogue.list_duties`, the check of an open assignment outlives a removal."""
    duties = []
    for actor, task, due, due_text, period, sentence in app.db.execute(
        "SELECT actor, task, due_date, due_text, period, sentence FROM duties WHERE document_id = ? ORDER BY id",
        (document_id,),
    ):
        # "đến năm 2030" is stored as 31/12/2030: asking for that "day" would test our guess, not the text
        exact = bool(due) and (not due_text or _DAY.search(due_text) is not None)
        short = texts.shorten(_without(task, due_text, period).rstrip(" .;:"), TASK_CHARS)
        duties.append(
            _Duty(
                actor,
                short,
                due[:10] if exact else None,
                None if exact else (period or due_text),
                sentence,
            )
        )
    return duties


def candidates(app: App, document: Document) -> dict[str, list[dict]]:
    """Every question the document supports, by kind, each with its right answer and distractors
    taken from the same document."""
    duties = _duties(app, document.id)
    label = document.number or "văn bản"
    dates = sorted({d.day for d in duties if d.day})
    whens = sorted({d.when for d in duties if d.when}, key=fold)
    found: dict[str, list[dict]] = {kind: [] for kind in KIND_ORDER}
    seen: set[tuple[str, str]] = set()

    def add(kind: str, duty: _Duty, text: str, right: str, same_doc: list[str]) -> None:
        if (kind, fold(duty.task)) not in seen:
            seen.add((kind, fold(duty.task)))
            found[kind].append(
                {"kind": kind, "text": text, "right": right, "same_doc": same_doc, "source": duty.sentence}
            )

    for duty in duties:
        if duty.day:
            task = _DONE.sub("", duty.task)  # not "hạn hoàn thành việc “hoàn thành việc …”"
            add(
                "deadline",
                duty,
                f"Theo {label}, hạn hoàn thành việc “{task}” là ngày nào?",
                duty.day,
                [d for d in dates if d != duty.day],
            )
        if duty.when:
            add(
                "period",
                duty,
                f"Theo {label}, việc “{duty.task}” phải thực hiện khi nào?",
                duty.when,
                [w for w in whens if fold(w) != fold(duty.when)],
            )
        actors = {fold(d.actor) for d in duties if fold(d.task) == fold(duty.task)}
        if len(actors) == 1 and len(duty.task.split()) >= MIN_TASK_WORDS:
            add(
                "actor",
                duty,
                f"Theo {label}, cơ quan, tổ chức nào được giao: “{duty.task}”?",
                duty.actor,
                sorted({d.actor for d in duties if fold(d.actor) not in actors}),
            )
    if document.issued:
        found["fact"].append(
            {
                "kind": "date",
                "text": f"{label[0].upper()}{label[1:]} được ban hành ngày nào?",
                "right": document.issued[:10],
                "same_doc": dates,
                "source": f"{document.title}, ngày {clock.format_date(document.issued)}",
            }
        )
    if document.issuer and document.number:
        found["fact"].append(
            {
                "kind": "issuer",
                "text": f"Cơ quan nào ban hành {label}?",
                "right": document.issuer,
                "same_doc": [],
                "source": f"{document.title}",
            }
        )
    return found


def supports_check(app: App, document: Document) -> bool:
    """Whether the document supports a check of at least two questions."""
    return sum(map(len, candidates(app, document).values())) >= 2
