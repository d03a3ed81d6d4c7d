"""The example question /help and the welcome show, made from the catalogue that is loaded.

A fixed example ("… Kết luận 69 …") is refused wherever that text is not catalogued (a fresh
installation holds only the sample article), which teaches a newcomer that the bot does not work.
So the example asks for a deadline the texts state to the day ("trước ngày 30/4/2024"), taken from
the main document when it has one (see :func:`documents.main_document`), else from any document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.evidence import documents
from knowledge.catalogue import list_duties

if TYPE_CHECKING:
    from bot.app import App

TASK_CHARS = 60
_DAY_RE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


def example_question(app: App) -> str | None:
    """ "Hạn <task> [theo <number>] là khi nào?", or None when no text states a dated duty."""
    dated = [d for d in list_duties(app.db) if d["due_date"] and _DAY_RE.search(d["due_text"] or "")]
    if not dated:
        return None
    main = documents.main_document(app)
    main_id = main.id if main else None
    # The main document's duties first, then the latest deadline (the plan itself rather than its first step).
    duty = max(dated, key=lambda d: (d["document_id"] == main_id, d["due_date"]))
    where = f" theo {duty['number']}" if duty["number"] else ""
    return f"Hạn {_short_task(duty['task'])}{where} là khi nào?"


def _short_task(task: str) -> str:
    """The task's first words: up to its first comma when it is long, never a cut word."""
    task = task.strip().rstrip(".;")
    if len(task) > TASK_CHARS and "," in task:
        task = task.split(",", 1)[0]
    if len(task) > TASK_CHARS:
        task = task[:TASK_CHARS].rsplit(" ", 1)[0]
    return task[:1].lower() + task[1:]
