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
async def typing(show: Callable[[], Awaitable[object]], every: float) -> AsyncIterator[None]:
    """Call ``show()`` now and every ``every`` seconds while the block runs."""

    async def once() -> None:
        try:
            await show()
        except Exception as exc:  # a cosmetic indicator: never stops the answer
            log.debug("typing indicator failed: %s", exc)

    async def keep() -> None:
        while True:
            await asyncio.sleep(every)
            await once()

    await once()
    task = asyncio.create_task(keep())
    try:
        yield
    finally:  # not awaited: the answer goes out before anything else woken meanwhile gets a turn
        task.cancel()
