"""Where the work of a question runs: a bounded thread pool, never the event loop.

Answering (retrieval, composition, database writes) takes ≈ 20 ms of CPU; run on the event loop,
every question in flight froze every webhook, page and ``/health`` for that long, so 200 askers
at once made ``/health`` wait seconds. Here the loop only moves messages:

- the work runs in one process-wide pool of ``workers`` threads (0: two per CPU core). The pool
  and the encoder are sized together: a question's query embedding (the bulk of its CPU) runs in
  at most ``cores // [embeddings] threads`` encoder calls at once, questions waiting for one are
  embedded together in the next (``embeddings/batching.py``), and the encoder releases the GIL;
  the extra threads meanwhile do the Python part of other questions (parsing, BM25, SQLite,
  composing), which holds the GIL, and bring their questions to the next batch;
- the messages of one chat are answered one at a time, in the order they came (a "1" typed after
  a question must not overtake it; the session row is read and written by one turn at a time);
- a person with ``per_person`` messages already waiting gets :data:`texts.BUSY` at once instead
  of a place in the queue, so one flooding chat cannot push everyone else back.

Each worker thread uses its own SQLite connection (``App.db`` is per thread), so transactions of
two workers never share a connection.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bot.config import Config

T = TypeVar("T")


@dataclass
class WorkerSettings:
    """``[chat]`` in config.toml (documented there)."""

    workers: int = 0
    per_person: int = 3

    @classmethod
    def load(cls, config: Config) -> WorkerSettings:
        return config.section("chat", cls)

    @property
    def threads(self) -> int:
        return self.workers if self.workers > 0 else 2 * (os.cpu_count() or 2)


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    """One pool per size and process: every channel and test shares the machine's cores."""
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="answer")


class Busy(Exception):
    """The person already has ``per_person`` messages waiting."""


class Workers:
    """Runs blocking work off the loop, one turn per chat at a time, with a per-person limit."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self._pool = _pool(settings.threads)
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._waiting: dict[tuple[str, str], int] = {}  # turns holding or waiting for each lock

    def waiting(self, key: tuple[str, str]) -> int:
        return self._waiting.get(key, 0)

    def full(self, key: tuple[str, str]) -> bool:
        return self.waiting(key) >= max(1, self.settings.per_person)

    @asynccontextmanager
    async def turn(self, key: tuple[str, str]) -> AsyncIterator[None]:
        """Hold ``key``'s turn (its earlier messages answered first); :class:`Busy` when too many wait."""
        if self.full(key):
            raise Busy
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self.waiting(key) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats, so the dicts stay small
                del self._waiting[key], self._locks[key]

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` in the pool; the loop stays free while it runs."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(work, *args))
