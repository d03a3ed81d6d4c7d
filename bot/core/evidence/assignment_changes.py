"""Changing an assignment after it was created: a new due date (extend or correct), the
comprehension check switched on or off, and closing it.

Who must study (``assignment_members``) and what (document version) never change: the evidence
says who was asked at the time; a different audience or a new version is a new assignment.
Closing stops the reminders and takes the assignment off the cadres' lists (``/cuatoi``); the
confirmations already in the ledger stay, as always. Officer or admin; every change is audited.
"""

from __future__ import annotations

from datetime import date

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.errors import UserError
from bot.core.evidence import assignments, checks
from bot.core.roster import audit
from bot.core.roster.roster import Person


def change(
    app: App, actor: Person | None, assignment_id: int, due: date, require_check: bool
) -> assignments.Assignment:
    """Set the due date (not in the past) and whether the comprehension check is required."""
    audit.require(
        app,
        actor,
        "assign",
        audit.OFFICERS,
        step="edit",
        assignment_id=assignment_id,
        due=due.isoformat(),
        check=require_check,
    )
    assignment = assignments.require_open(app, assignment_id)
    if due != assignment.due_date and due < clock.local_today(app.now()):
        raise UserError("Hạn mới không được ở trong quá khứ.")
    if require_check and not assignment.require_check and not checks.can_check(app, assignment.document.id):
        raise UserError(f"Văn bản {assignment.document.label} chưa đủ thông tin để tạo câu hỏi kiểm tra.")
    app.db.execute(
        "UPDATE assignments SET due_date = ?, require_check = ? WHERE id = ?",
        (due.isoformat(), int(require_check), assignment_id),
    )
    return assignments.require_assignment(app, assignment_id)


def close(app: App, actor: Person | None, assignment_id: int) -> assignments.Assignment:
    """End the assignment: no more reminders, off the cadres' lists; the ledger is untouched."""
    audit.require(app, actor, "assign", audit.OFFICERS, step="close", assignment_id=assignment_id)
    assignments.require_open(app, assignment_id)
    app.db.execute("UPDATE assignments SET closed_at = ? WHERE id = ?", (store.isotime(app.now()), assignment_id))
    return assignments.require_assignment(app, assignment_id)
