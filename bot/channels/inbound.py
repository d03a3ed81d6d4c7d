"""Store, then answer: the receiving side shared by the Zalo adapters.

Updates from Zalo arrive once (the Bot Platform's ``getUpdates`` has no offset; a webhook must be
answered quickly), so :class:`Inbound` writes each one to the ``inbox`` table first and answers
it in a background task, then marks it handled. Updates of one chat are answered
in the order they came (a "1" typed right after a question must not overtake it); different
chats are answered concurrently. On start, updates a crash left unanswered are answered again
(when not too old), so a question is never silently lost. ``event_ref`` (the platform's message
id, or a hash of the body) makes a webhook delivered twice count once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
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


Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Inbound:
    """The inbox of one channel: ``accept`` stores an update and schedules ``handler`` for it."""

    def __init__(self, app: App, channel: str, handler: Handler, replay_hours: float) -> None:
        self.app = app
        self.channel = channel
        self.handler = handler
        self.replay_hours = replay_hours
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}  # tasks holding or waiting for each chat's lock
        self._tasks: set[asyncio.Task[None]] = set()

    def accept(self, body: dict[str, Any], event: str, chat: str | None, event_ref: Any = None) -> bool:
        """Store ``body`` (committed before this returns) and answer it soon; False for a repeat.

        ``event_ref`` is the platform's message id; without one, a hash of the body identifies a
        repeated delivery.
        """
        if event_ref is None:
            event_ref = "sha256:" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        inbox_id = record(self.app, self.channel, event, body, chat, str(event_ref))
        if inbox_id is None:
            return False
        self._schedule(inbox_id, body, chat)
        return True

    def replay(self) -> int:
        """Answer what a crash left unanswered (younger than ``replay_hours``); returns how many."""
        pending = unhandled(self.app, self.channel, self.replay_hours)
        for inbox_id, chat, body in pending:
            self._schedule(inbox_id, body, chat)
        if pending:
            log.warning("%s: answering %d message(s) received before the last stop", self.channel, len(pending))
        return len(pending)

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) for the answers in progress; used at shutdown and by tests."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    def _schedule(self, inbox_id: int, body: dict[str, Any], chat: str | None) -> None:
        task = asyncio.create_task(self._run(inbox_id, body, chat or ""), name=f"{self.channel}-update-{inbox_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, inbox_id: int, body: dict[str, Any], chat: str) -> None:
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._users[chat] = self._users.get(chat, 0) + 1
        try:
            async with lock:
                error = None
                try:
                    await self.handler(body)
                except Exception as exc:  # one bad update must never stop the channel
                    log.exception("%s: handling update %d failed", self.channel, inbox_id)
                    error = f"{type(exc).__name__}: {exc}"
                # off the loop: a write waits while another connection holds the write lock
                await asyncio.to_thread(done, self.app, inbox_id, error)
        finally:
            self._users[chat] -= 1
            if not self._users[chat]:  # forget idle chats, so the dict stays small
                del self._users[chat], self._locks[chat]
