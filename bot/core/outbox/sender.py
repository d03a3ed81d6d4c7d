"""The outbox sender: drains pending deliveries through each channel's transport.

Crash safety comes from the order of writes around the network call: a row is marked ``sending``
(committed) before the transport is called and ``sent`` right after it returns. After a crash the
only rows whose fate is unknown are those still ``sending``; :meth:`Sender.run` puts them back to
``pending`` on start, so each is delivered again: at most ``concurrency`` duplicates per crash
(one with the default ``concurrency = 1``), and every other recipient resumes exactly.

Per transport the sender keeps a pacing *lane*: a global rate (Telegram allows about 30 messages
per second), a minimum gap between two messages to the same chat, and a pause when the platform
answers "retry after N seconds". It is the only rate limiter on the outbox path (the Telegram
adapter deliberately does not stack PTB's limiter on top of it).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from bot import store
from bot.core.chat import sessions
from bot.core.chat.messages import Reply
from bot.core.outbox import broadcasts
from bot.core.outbox.transport import (
    Blocked,
    DeliveryError,
    RetryLater,
    TransientError,
    Transport,
    Unreachable,
)
from bot.core.roster import roster

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Config

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600.0
T = TypeVar("T")


@dataclass
class BroadcastSettings:
    """``[broadcast]`` in config.toml (documented there)."""

    rate_per_second: float = 30.0
    per_chat_seconds: float = 1.0
    concurrency: int = 1
    max_attempts: int = 5
    backoff_seconds: float = 2.0
    poll_seconds: float = 2.0
    progress_seconds: float = 5.0

    @classmethod
    def load(cls, config: Config) -> BroadcastSettings:
        return config.section("broadcast", cls)


@dataclass
class _Job:
    id: int
    broadcast_id: int
    account_id: int
    external_id: str
    attempts: int


@dataclass
class _Lane:
    """Pacing state of one transport: the next free send slot, a platform-imposed pause, and
    when each chat last got a message."""

    transport: Transport
    interval: float
    next_slot: float = 0.0
    paused_until: float = 0.0
    last_sent: dict[str, float] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def acquire(self) -> None:
        """Wait for this lane's next send slot (slots are ``interval`` apart, none during a pause)."""
        while True:
            now = time.monotonic()
            slot = max(self.next_slot, now, self.paused_until)
            self.next_slot = slot + self.interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if time.monotonic() >= self.paused_until:
                return

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def chat_wait(self, external_id: str, gap: float) -> float:
        """Seconds before ``external_id`` may get another message (0 when it may now)."""
        last = self.last_sent.get(external_id)
        return 0.0 if last is None else max(0.0, last + gap - time.monotonic())

    def mark_chat(self, external_id: str, gap: float) -> None:
        now = time.monotonic()
        self.last_sent[external_id] = now
        if len(self.last_sent) > 10_000:  # forget chats whose gap is long over
            self.last_sent = {k: v for k, v in self.last_sent.items() if v + gap > now}


class Sender:
    """Delivers the outbox. One per process; ``add_transport`` for each configured channel."""

    def __init__(self, app: App, settings: BroadcastSettings | None = None) -> None:
        self.app = app
        self.settings = settings or BroadcastSettings.load(app.config)
        self._lanes: dict[str, _Lane] = {}
        self._replies: dict[int, Reply] = {}
        self._progress_text: dict[int, str] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._db_thread: ThreadPoolExecutor | None = None  # while run() runs: see _db

    @property
    def transports(self) -> dict[str, Transport]:
        return {name: lane.transport for name, lane in self._lanes.items()}

    def add_transport(self, transport: Transport) -> None:
        """Deliver ``transport.channel``'s rows through it, paced at ``[broadcast]
        rate_per_second`` unless the transport sets its own ``rate_per_second`` (the web chat,
        which only writes to the database, needs no platform limit)."""
        rate = getattr(transport, "rate_per_second", None) or self.settings.rate_per_second
        self._lanes[transport.channel] = _Lane(transport, 1.0 / rate)

    def wake(self) -> None:
        """New work was queued: let idle workers look now instead of at the next poll. Callable
        from any thread (admin pages run in page threads): the events belong to the loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not on the loop's thread
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self.wake)
            return
        for lane in self._lanes.values():
            lane.wake.set()

    def start(self) -> asyncio.Task[None]:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.run(), name="outbox-sender")
        return self._task

    async def _db(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` in the outbox's one database thread (its own connection, statements in
        order), never on the event loop, which also carries every webhook, chat and page."""
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, functools.partial(work, *args))

    async def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop: messages in flight finish first, so a clean restart sends no duplicate."""
        self._stopping.set()
        self.wake()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def run(self) -> None:
        """Recover rows left in flight by a crash, then deliver until :meth:`stop` or cancel."""
        self._stopping.clear()
        self._loop = asyncio.get_running_loop()
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        try:
            recovered = await self._db(self._recover)
            if recovered:
                log.warning("outbox: %d message(s) were in flight at the last stop; resending", recovered)
            workers = [
                self._work(lane) for lane in self._lanes.values() for _ in range(max(1, self.settings.concurrency))
            ]
            await asyncio.gather(*workers, self._report_progress())
        finally:
            self._db_thread.shutdown(wait=False)  # the thread ends, and its connection with it

    def _recover(self) -> int:
        return self.app.db.execute("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'").rowcount

    # -- delivering -----------------------------------------------------------------------

    async def _work(self, lane: _Lane) -> None:
        channel = lane.transport.channel
        while not self._stopping.is_set():
            lane.wake.clear()
            job = await self._db(self._claim, channel, lane)
            if job is None:
                await self._idle(lane, channel)
                continue
            await lane.acquire()
            await self._deliver(lane, job)

    def _claim(self, channel: str, lane: _Lane) -> _Job | None:
        """Take the next due pending row of ``channel`` and mark it ``sending`` (committed)."""
        gap = self.settings.per_chat_seconds
        while True:
            row = self.app.db.execute(
                "SELECT d.id, d.broadcast_id, d.account_id, a.external_id, d.attempts "
                "FROM deliveries d JOIN accounts a ON a.id = d.account_id "
                "WHERE d.status = 'pending' AND d.channel = ? "
                "AND (d.next_try_at IS NULL OR d.next_try_at <= ?) ORDER BY d.id LIMIT 1",
                (channel, store.isotime()),
            ).fetchone()
            if row is None:
                return None
            job = _Job(*row)
            wait = lane.chat_wait(job.external_id, gap)
            if wait > 0:  # this chat just got a message: take it up again a little later
                self._set(job.id, status="pending", next_try_at=_later(math.ceil(wait)))
                continue
            self._set(job.id, status="sending")
            return job

    async def _idle(self, lane: _Lane, channel: str) -> None:
        """Sleep until woken, until the earliest deferred row is due, or one poll interval."""
        timeout = self.settings.poll_seconds
        earliest = await self._db(self._earliest, channel)
        if earliest:
            due_in = (datetime.fromisoformat(earliest) - store.utcnow()).total_seconds()
            timeout = min(timeout, max(0.05, due_in))
        try:
            await asyncio.wait_for(lane.wake.wait(), timeout)
        except TimeoutError:
            pass

    def _earliest(self, channel: str) -> str | None:
        (earliest,) = self.app.db.execute(
            "SELECT MIN(next_try_at) FROM deliveries WHERE status = 'pending' AND channel = ?",
            (channel,),
        ).fetchone()
        return earliest

    async def _deliver(self, lane: _Lane, job: _Job) -> None:
        reply = await self._db(self._offer, lane.transport.channel, job)
        lane.mark_chat(job.external_id, self.settings.per_chat_seconds)
        try:
            ref = await lane.transport.send(job.external_id, reply)
        except RetryLater as exc:
            lane.pause(exc.seconds)
            await self._db(functools.partial(self._set, job.id, status="pending", error=str(exc)))
        except Blocked as exc:
            await self._db(self._blocked, lane.transport.channel, job, str(exc))
        except Unreachable as exc:
            await self._db(functools.partial(self._set, job.id, status="failed", error=str(exc) or "unreachable"))
        except Exception as exc:  # TransientError, or a bug in an adapter: retry, never abort
            if not isinstance(exc, TransientError):
                log.exception("outbox: unexpected error sending delivery %d", job.id)
            await self._db(self._retry, job, f"{type(exc).__name__}: {exc}")
        else:
            await self._db(self._sent, job, ref)

    def _offer(self, channel: str, job: _Job) -> Reply:
        """The message of ``job``, its choices recorded in the person's session *before* it is
        sent: someone who answers "1" the moment it arrives must find the choice already there."""
        reply = self._reply(job.broadcast_id)
        sessions.offer_pushed(self.app, channel, job.external_id, reply)
        return reply

    def _sent(self, job: _Job, ref: str | None) -> None:
        self._set(job.id, status="sent", sent_at=store.isotime(self.app.now()), message_ref=ref, error=None)

    def _retry(self, job: _Job, error: str) -> None:
        attempts = job.attempts + 1
        if attempts >= self.settings.max_attempts:
            self._set(job.id, status="failed", attempts=attempts, error=error)
            return
        delay = min(MAX_BACKOFF_SECONDS, self.settings.backoff_seconds * 2 ** (attempts - 1))
        self._set(job.id, status="pending", attempts=attempts, error=error, next_try_at=_later(delay))

    def _blocked(self, channel: str, job: _Job, error: str) -> None:
        """The user blocked the bot: mark the account, and every message still queued to it."""
        with store.transaction(self.app.db):
            roster.set_blocked(self.app, channel, job.external_id, True)
            self.app.db.execute(
                "UPDATE deliveries SET status = 'blocked', error = ? "
                "WHERE account_id = ? AND (id = ? OR status = 'pending')",
                (error or "blocked", job.account_id, job.id),
            )

    def _set(self, delivery_id: int, **values: object) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        self.app.db.execute(f"UPDATE deliveries SET {columns} WHERE id = ?", (*values.values(), delivery_id))

    def _reply(self, broadcast_id: int) -> Reply:
        reply = self._replies.get(broadcast_id)
        if reply is None:
            reply = self._replies[broadcast_id] = broadcasts.stored_reply(self.app, broadcast_id)
        return reply

    # -- the officer's progress message ------------------------------------------------------

    async def _report_progress(self) -> None:
        while not self._stopping.is_set():
            for broadcast_id, ref in await self._db(broadcasts.in_progress, self.app):
                try:
                    await self._update_progress(broadcast_id, ref)
                except Exception:  # a progress message must never stop the deliveries
                    log.exception("outbox: progress update of broadcast %d failed", broadcast_id)
            try:
                await asyncio.wait_for(self._stopping.wait(), self.settings.progress_seconds)
            except TimeoutError:
                pass

    async def _update_progress(self, broadcast_id: int, ref: dict[str, str] | None) -> None:
        """Send, then edit, the officer's "đã gửi 320/500" message; close the broadcast when done.

        Channels that cannot edit get only the final summary (no stream of new messages).
        """
        stats = await self._db(broadcasts.stats, self.app, broadcast_id)
        finished = stats.pending == 0
        lane = self._lanes.get(ref["channel"]) if ref else None
        text = stats.text()
        if ref and lane and (finished or lane.transport.can_edit) and text != self._progress_text.get(broadcast_id):
            message_ref = ref.get("message_ref") if lane.transport.can_edit else None
            await lane.acquire()
            try:
                sent_ref = await lane.transport.send(ref["external_id"], Reply(text, edit_ref=message_ref))
            except RetryLater as exc:
                lane.pause(exc.seconds)
                return  # try again next round (the broadcast stays open until reported)
            except DeliveryError as exc:
                log.warning("outbox: progress message of broadcast %d not sent: %s", broadcast_id, exc)
            else:
                self._progress_text[broadcast_id] = text
                if sent_ref and not message_ref and lane.transport.can_edit:
                    await self._db(
                        broadcasts.set_progress_ref, self.app, broadcast_id, {**ref, "message_ref": sent_ref}
                    )
        if finished:
            await self._db(broadcasts.mark_done, self.app, broadcast_id)
            self._replies.pop(broadcast_id, None)
            self._progress_text.pop(broadcast_id, None)


def _later(seconds: float) -> str:
    """A retry deadline on the wall clock: a backoff waits physical time, even when a test pins
    ``app.now()`` (which stamps what was sent, not when to try again)."""
    return store.isotime(store.utcnow() + timedelta(seconds=seconds))
