"""Reminders: automatic ones N days before a due date, and the manual /nhacnho.

Nothing is scheduled in memory that a restart could lose (PTB's JobQueue does not persist jobs).
The scheduler simply looks at the database at start and then every ``check_minutes``:
for each open assignment, the reminder due now is the smallest configured ``days_before`` that is
at least the days left, sent from ``send_hour`` (Vietnam time) on, to members who have not
confirmed and have not had that reminder. ``reminders_sent`` makes every run idempotent, and a
reminder missed while the service was down is caught up on the next run (only the latest one).
Reminders are queued in the outbox like any broadcast, so they share its pacing and crash safety.
The same run queues the day-before reminders of quán triệt conferences
(:func:`bot.core.evidence.conferences.remind_due`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import store
from bot.core import clock
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.evidence import assignments, conferences, reports
from bot.core.outbox import broadcasts
from bot.core.roster import audit

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Config
    from bot.core.roster.roster import Person

log = logging.getLogger(__name__)


@dataclass
class ReminderSettings:
    """``[reminders]`` in config.toml (documented there)."""

    days_before: list[int] = field(default_factory=lambda: [3, 1])
    send_hour: int = 8
    check_minutes: float = 60

    @classmethod
    def load(cls, config: Config) -> ReminderSettings:
        return config.section("reminders", cls)


def reminder_message(app: App, assignment: assignments.Assignment) -> Reply:
    today = clock.local_today(app.now())
    text = texts.REMINDER.format(
        document=assignment.document.label,
        due=texts.due_phrase(assignment.due_date, today),
    )
    return Reply(text, [[Button(texts.ACK_BUTTON, f"ack:{assignment.id}")]])


def remind(
    app: App,
    assignment_id: int,
    people: list[int],
    created_by: int | None = None,
    origin: tuple[str, str] | None = None,
) -> int:
    """Queue the reminder of one assignment for ``people``; returns the outbox broadcast id."""
    assignment = assignments.require_assignment(app, assignment_id)
    return broadcasts.enqueue(
        app,
        "reminder",
        reminder_message(app, assignment),
        people,
        created_by=created_by,
        assignment_id=assignment_id,
        origin=origin,
    )


def remind_unconfirmed(
    app: App,
    actor: Person | None,
    assignment_id: int,
    unit_id: int | None = None,
    origin: tuple[str, str] | None = None,
) -> tuple[int | None, int]:
    """An officer's reminder (/nhacnho, the web's "Nhắc"): everyone of the assignment in
    ``unit_id`` and below (all when None) who has not confirmed. Returns (broadcast id or None when
    nobody is left, people reminded). Officer or admin; audited."""
    people = [p.id for p in reports.not_confirmed(app, actor, assignment_id, unit_id)]
    if not people:
        return None, 0
    assignments.require_open(app, assignment_id)
    broadcast_id = remind(app, assignment_id, people, created_by=actor.id if actor else None, origin=origin)
    audit.record(app, actor, "remind", True, assignment_id=assignment_id, unit_id=unit_id, people=len(people))
    return broadcast_id, len(people)


def due_threshold(days_left: int, days_before: list[int]) -> int | None:
    """The reminder due with ``days_left`` to go: the smallest threshold ≥ days_left."""
    if days_left < 0:
        return None
    return min((d for d in days_before if d >= days_left), default=None)


def run_due(app: App, settings: ReminderSettings | None = None) -> list[int]:
    """Queue every reminder due now; returns the new broadcast ids (empty when none)."""
    settings = settings or ReminderSettings.load(app.config)
    now = clock.local(app.now())
    if now.hour < settings.send_hour:
        return []
    today = now.date()
    created = []
    for assignment in assignments.list_assignments(app):
        threshold = due_threshold((assignment.due_date - today).days, settings.days_before)
        if threshold is None or assignment.closed or clock.local(assignment.created_at).date() >= today:
            continue  # not yet, past due, closed, or assigned today (its own message is the reminder)
        with store.transaction(app.db, immediate=True):
            people = _not_reminded(app, assignment, threshold)
            if not people:
                continue
            created.append(remind(app, assignment.id, people))
            app.db.conn.executemany(
                "INSERT INTO reminders_sent (assignment_id, person_id, days_before, sent_at) VALUES (?, ?, ?, ?)",
                [(assignment.id, pid, threshold, store.isotime(app.now())) for pid in people],
            )
        log.info("reminders: %d people for assignment %d (%d days before)", len(people), assignment.id, threshold)
    created.extend(conferences.remind_due(app, settings.send_hour))
    return created


def _not_reminded(app: App, assignment: assignments.Assignment, threshold: int) -> list[int]:
    """Active members who have neither confirmed nor had this reminder."""
    return [
        r[0]
        for r in app.db.execute(
            """
        SELECT m.person_id FROM assignment_members m JOIN people p ON p.id = m.person_id
        WHERE m.assignment_id = ? AND p.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM acks k WHERE k.person_id = m.person_id
                          AND k.document_id = ? AND k.version = ?)
          AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.assignment_id = m.assignment_id
                          AND r.person_id = m.person_id AND r.days_before = ?)
        ORDER BY m.person_id
        """,
            (assignment.id, assignment.document.id, assignment.version, threshold),
        )
    ]


class Reminders:
    """The scheduler task of ``quantriet serve``."""

    def __init__(self, app: App, on_queued: Callable[[], None], settings: ReminderSettings | None = None) -> None:
        self.app = app
        self.on_queued = on_queued
        self.settings = settings or ReminderSettings.load(app.config)

    async def run(self) -> None:
        while True:
            try:
                # in a thread: a reminder to a whole province is one long write transaction
                if await asyncio.to_thread(run_due, self.app, self.settings):
                    self.on_queued()
            except Exception:  # a bad run is logged and retried at the next check
                log.exception("reminders: run failed")
            await asyncio.sleep(self.settings.check_minutes * 60)
