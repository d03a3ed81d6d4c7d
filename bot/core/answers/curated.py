"""Curated answers: the propaganda office answers a question the bot could not, and the bot gives
that answer, always signed "Ban Tuyên giáo trả lời", when the same question comes again.

A question matches a curated one when their folded words (no diacritics, no punctuation, no chat
particles) overlap by at least :data:`MATCH` (Jaccard): the same question asked with or without
marks, in another order or with a word more or less. Anything looser goes to the normal answering,
so a curated answer never replaces a cited one for a different question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import store
from bot.core.answers.answers import Answer
from bot.core.errors import UserError
from bot.core.roster import audit
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.roster.roster import Person

SIGNATURE = "Ban Tuyên giáo trả lời"
MATCH = 0.75
MIN_CHARS, MAX_CHARS = 10, 2000
# Words that carry no meaning in a question typed in a chat ("ạ", "vậy", "nhỉ" ...), folded.
_PARTICLES = frozenset({"a", "vay", "nhi", "nhe", "the", "oi", "ha", "khong", "co", "la", "gi", "nao", "sao"})


@dataclass(frozen=True)
class Curated:
    id: int
    question_id: int | None
    question: str
    answer: str
    created_at: str


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _PARTICLES}


def _key(text: str) -> str:
    return " ".join(sorted(_words(text)))


def find(app: App, question: str) -> Answer | None:
    """The curated answer to ``question`` (as an Answer signed by the office), or None."""
    words = _words(question)
    if not words:
        return None
    best, best_score = None, 0.0
    for answer, key in app.db.execute("SELECT answer, question_key FROM curated_answers ORDER BY id DESC"):
        theirs = set(key.split())
        score = len(words & theirs) / len(words | theirs) if theirs else 0.0
        if score > best_score:
            best, best_score = answer, score
    if best is None or best_score < MATCH:
        return None
    return Answer(question, f"{SIGNATURE}:\n{best}", confident=True, status="curated")


def add(app: App, actor: Person | None, question_id: int, answer: str) -> tuple[Curated, int | None]:
    """Answer the logged question ``question_id``; returns the curated entry and who asked it
    (None when unknown). Officer or admin; audited."""
    audit.require(app, actor, "answer.curate", audit.OFFICERS, question_id=question_id)
    answer = answer.strip()
    if not MIN_CHARS <= len(answer) <= MAX_CHARS:
        raise UserError(f"Câu trả lời cần từ {MIN_CHARS} đến {MAX_CHARS} ký tự.")
    row = app.db.execute("SELECT question, person_id FROM questions WHERE id = ?", (question_id,)).fetchone()
    if row is None:
        raise UserError(f"Không có câu hỏi số {question_id}.")
    question, asker = row
    now = store.isotime(app.now())
    curated_id = store.new_id(
        app.db.execute(
            "INSERT INTO curated_answers (question_id, question, question_key, answer, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (question_id, question, _key(question), answer, actor.id if actor else None, now),
        )
    )
    return Curated(curated_id, question_id, question, answer, now), asker


def answered_ids(app: App, question_ids: list[int]) -> dict[int, str]:
    """{question id: curated answer} for those of ``question_ids`` the office has answered."""
    if not question_ids:
        return {}
    marks = ",".join("?" * len(question_ids))
    return dict(
        app.db.execute(
            f"SELECT question_id, answer FROM curated_answers WHERE question_id IN ({marks}) ORDER BY id", question_ids
        ).fetchall()
    )
