"""Store, then answer: the receiving side shared by the Zalo adapters.

Updates from Zalo arrive once (the Bot Platform's ``getUpdates`` has no offset; a webhook must be
answered quickly), so :class:`Inbound` writes each one to the ``inbox`` table first (see
:mod:`bot.channels.inbox`) and answers it in a background task. Updates of one chat are answered
in the order they came (a "1" typed right after a question must not overtake it); different
chats are answered concurrently. On start, updates a crash left unanswered are answered again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.channels import inbox

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

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
        inbox_id = inbox.record(self.app, self.channel, event, body, chat, str(event_ref))
        if inbox_id is None:
            return False
        self._schedule(inbox_id, body, chat)
        return True

    def replay(self) -> int:
        """Answer what a crash left unanswered (younger than ``replay_hours``); returns how many."""
        pending = inbox.unhandled(self.app, self.channel, self.replay_hours)
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
                try:
                    await self.handler(body)
                except Exception as exc:  # one bad update must never stop the channel
                    log.exception("%s: handling update %d failed", self.channel, inbox_id)
                    inbox.done(self.app, inbox_id, f"{type(exc).__name__}: {exc}")
                else:
                    inbox.done(self.app, inbox_id)
        finally:
            self._users[chat] -= 1
            if not self._users[chat]:  # forget idle chats, so the dict stays small
                del self._users[chat], self._locks[chat]
