"""The "typing…" indicator, shown while a message waits for its answer in the worker pool.

Platforms show it for a few seconds only (Telegram 5 s), so it is renewed until the answer is
ready. A failure to show it never matters more than the answer itself: it is logged and ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def typing(show: Callable[[], Awaitable[object]], every: float, after: float = 0.0) -> AsyncIterator[None]:
    """Call ``show()`` after ``after`` seconds, then every ``every`` seconds, while the block runs.
    With ``after``, an answer ready sooner (most of them, on a quiet server) costs no call: one
    platform request fewer per question, and none of the platform's rate limit spent on it."""

    async def once() -> None:
        try:
            await show()
        except Exception as exc:  # a cosmetic indicator: never stops the answer
            log.debug("typing indicator failed: %s", exc)

    async def keep() -> None:
        await asyncio.sleep(after)
        while True:
            await once()
            await asyncio.sleep(every)

    if not after:
        await once()  # shown before the block starts: the platform sees it first
        after = every
    task = asyncio.create_task(keep())
    try:
        yield
    finally:  # not awaited: the answer goes out before anything else woken meanwhile gets a turn
        task.cancel()
