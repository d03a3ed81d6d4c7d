"""Machinery shared by the fake platform APIs (Telegram, Zalo): a real HTTP server on 127.0.0.1.

A fake records every call it receives, lets a test wait (bounded) until something was received,
and can misbehave on demand the way real platforms do: answer "too many requests", or drop the
connection without answering. Platform classes subclass :class:`FakeApiServer`, register their
routes and say how a rate-limit answer looks on their platform.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    """One request the fake received: the API method and its decoded parameters."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """A misbehaviour applied to the next ``count`` calls of ``methods`` (to ``chats`` if given)."""

    kind: str  # "rate_limit" or "drop"
    count: int
    methods: frozenset[str]
    retry_after: int = 1
    chats: frozenset[str] | None = None


class FakeApiServer:
    """An aiohttp server on a free 127.0.0.1 port; subclasses add the platform's routes."""

    def __init__(self) -> None:
        self.web = web.Application(client_max_size=50 * 1024 * 1024)
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.latency = 0.0  # seconds added to every answer
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- recording and waiting ------------------------------------------------------------

    def record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params)
        self.calls.append(call)
        self.changed()
        return call

    def changed(self) -> None:
        """Wake every :meth:`wait_for` so it re-checks its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``condition()`` is truthy and return it; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"condition not met within {timeout} s")
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- misbehaving ----------------------------------------------------------------------

    def rate_limit(
        self, count: int, methods: Iterable[str], retry_after: int = 1, chats: Iterable[str] | None = None
    ) -> None:
        """The next ``count`` calls of ``methods`` (to ``chats``, default any) are refused with the
        platform's "retry after"."""
        self.faults.append(
            Fault("rate_limit", count, frozenset(methods), retry_after, frozenset(map(str, chats)) if chats else None)
        )

    def drop(self, count: int, methods: Iterable[str], chats: Iterable[str] | None = None) -> None:
        """The next ``count`` calls of ``methods`` get their connection closed, unanswered."""
        self.faults.append(
            Fault("drop", count, frozenset(methods), chats=frozenset(map(str, chats)) if chats else None)
        )

    def take_fault(self, method: str, chat: str | None) -> Fault | None:
        """The fault that applies to this call, if any (and count it as used)."""
        for fault in self.faults:
            if method in fault.methods and (fault.chats is None or chat in fault.chats):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def respond(
        self,
        request: web.Request,
        method: str,
        chat: str | None,
        answer: Callable[[], web.Response],
        rate_limited: Callable[[int], web.Response],
    ) -> web.Response:
        """Apply latency and faults, then ``answer()``: the common path of every fake method."""
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.take_fault(method, chat)
        if fault is not None and fault.kind == "drop":
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPServiceUnavailable()
        if fault is not None and fault.kind == "rate_limit":
            return rate_limited(fault.retry_after)
        return answer()


async def form_params(request: web.Request) -> dict[str, Any]:
    """Parameters sent as a query string, a form, multipart (files as (filename, bytes)) or JSON.

    Bot API clients send nested values (reply_markup) as JSON strings; they are decoded here.
    """
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.read()
        params.update(json.loads(body) if body else {})
        return params
    if request.method == "POST":
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = (value.filename, value.file.read())
            else:
                params[key] = _maybe_json(value)
    return params


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
