"""Reading the question log (``questions``, written by :func:`bot.core.answers.answers.record_question`).

What cadres asked and whether the texts answered it: officers read it to find the questions
the documents leave open (FAQ work). Plain reads; no role check beyond the page that shows them.
"""

from __future__ import annotations

from typing import Any

from bot.app import App

_FIELDS = ("id", "asked_at", "channel", "question", "answer", "confident", "score", "person")


def recent_questions(app: App, only_unanswered: bool, limit: int) -> list[dict[str, Any]]:
    """The latest questions, those the bot could not answer first, with the asker's name."""
    where = "WHERE q.confident = 0" if only_unanswered else ""
    rows = app.db.execute(
        "SELECT q.id, q.asked_at, q.channel, q.question, q.answer, q.confident, q.score, p.full_name "
        f"FROM questions q LEFT JOIN people p ON p.id = q.person_id {where} "
        "ORDER BY q.confident ASC, q.id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [dict(zip(_FIELDS, r)) for r in rows]


def question_counts(app: App) -> tuple[int, int]:
    """(questions asked, questions the texts did not answer)."""
    total, unanswered = app.db.execute("SELECT COUNT(*), COALESCE(SUM(confident = 0), 0) FROM questions").fetchone()
    return total, unanswered
