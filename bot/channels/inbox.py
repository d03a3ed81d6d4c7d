"""The inbound log: store an update before answering it, because Zalo delivers it only once.

The Zalo Bot Platform has no offset or acknowledgement (``getUpdates`` hands each update out once)
and a webhook must answer quickly, so an adapter writes the update here first, then answers, then
marks it handled. After a crash the rows still open are answered on start (when not too old), so a
question is never silently lost. ``event_ref`` (the platform's message id, or a hash of the body)
makes a webhook delivered twice count once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot import store

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def record(
    app: App, channel: str, event: str, body: dict[str, Any], external_id: str | None, event_ref: str | None
) -> int | None:
    """Store one update; returns its id, or None when ``event_ref`` was already stored (a repeat)."""
    try:
        return store.new_id(
            app.db.execute(
                "INSERT INTO inbox (channel, event, external_id, event_ref, body, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    channel,
                    event,
                    external_id,
                    event_ref,
                    json.dumps(body, ensure_ascii=False),
                    store.isotime(app.now()),
                ),
            )
        )
    except sqlite3.IntegrityError:
        log.info("%s: update %s received again; ignored", channel, event_ref)
        return None


def done(app: App, inbox_id: int, error: str | None = None) -> None:
    app.db.execute(
        "UPDATE inbox SET handled_at = ?, error = ? WHERE id = ?", (store.isotime(app.now()), error, inbox_id)
    )


def unhandled(app: App, channel: str, max_age_hours: float) -> list[tuple[int, str | None, dict[str, Any]]]:
    """(id, sender, update) of what ``channel`` stored but did not answer (a crash), oldest first.

    Updates older than ``max_age_hours`` are closed instead: an answer days late confuses more
    than it helps, and the question is still in the table for the officers.
    """
    cutoff = store.isotime(app.now() - timedelta(hours=max_age_hours))
    stale = app.db.execute(
        "UPDATE inbox SET handled_at = ?, error = 'too old to answer after a restart' "
        "WHERE channel = ? AND handled_at IS NULL AND received_at < ?",
        (store.isotime(app.now()), channel, cutoff),
    ).rowcount
    if stale:
        log.warning("%s: %d update(s) left unanswered by a crash are too old to answer now", channel, stale)
    rows = app.db.execute(
        "SELECT id, external_id, body FROM inbox WHERE channel = ? AND handled_at IS NULL ORDER BY id", (channel,)
    ).fetchall()
    return [(row[0], row[1], json.loads(row[2])) for row in rows]
