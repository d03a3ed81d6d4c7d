"""A message that grows while the answer is written, for platforms that edit messages.

The core calls :meth:`LiveDraft.show` from its worker thread with the verified part of a
language model's answer (:mod:`bot.core.answers.rephrase`); the draft is sent, then edited, on the
event loop, at most once per ``interval`` (the newest text wins, so a slow platform never falls
behind). When the turn ends, :meth:`LiveDraft.finish` makes the first final reply edit the draft
message, so the person sees one message that settles into the answer with its sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable

from bot.core.chat.messages import Reply

WRITING_MARK = " …"  # shown after a draft while more is being written


class LiveDraft:
    def __init__(self, send: Callable[[Reply], Awaitable[str | None]], interval: float = 1.0) -> None:
        self._send = send
        self._interval = interval
        self._loop = asyncio.get_running_loop()
        self._latest: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self.ref: str | None = None  # the draft message, once sent

    def show(self, text: str) -> None:
        """Thread-safe: show ``text`` as the draft (called from the core's worker thread)."""
        self._loop.call_soon_threadsafe(self._update, text)

    def _update(self, text: str) -> None:
        if self._closing.is_set():
            return
        self._latest = text
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._flush())

    async def _flush(self) -> None:
        while self._latest is not None:
            text, self._latest = self._latest, None
            self.ref = await self._send(Reply(text + WRITING_MARK, edit_ref=self.ref)) or self.ref
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval)

    async def finish(self, replies: list[Reply]) -> list[Reply]:
        """``replies`` with the first one editing the draft message, if a draft was shown."""
        self._closing.set()
        self._latest = None
        if self._task is not None:
            await self._task
        return settle(replies, self.ref)


def settle(replies: list[Reply], draft_ref: str | None) -> list[Reply]:
    """``replies`` with the first one editing the draft message ``draft_ref`` (if one was shown)."""
    if draft_ref is None or not replies:
        return replies
    return [dataclasses.replace(replies[0], edit_ref=draft_ref), *replies[1:]]
