"""Limits on guessing: the admin password and invite codes, on every channel.

Each failed attempt is counted under several keys at once: who is trying (the client address on
the web, the chat account on Telegram and Zalo) and, for a login, the account tried. After
``free_failures`` failures under a key, its next attempt must wait ``first_delay_seconds``, then
twice as long after each further failure, up to ``max_delay_minutes``: guessing gets slow fast,
but nothing is ever locked for good, and a key is forgotten ``forget_minutes`` after its last
failure. A success clears the keys it was tried under.

Why not "five wrong tries lock the address for 15 minutes": behind a reverse proxy every user
shares one address, so one person could lock every admin and every new cadre out. The web
channel therefore keys on the real client address (``[web] trusted_proxies``) and lets a browser
that already logged in as the admin through on its own key (see bot/channels/web/auth.py).

In memory on purpose: it only has to slow guessing against one process, and restarting the
service (which an attacker cannot cause) clears every wait — the documented way out for an
operator who is kept waiting. Thread-safe: the answer workers and the event loop both use it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.config import Config

T = TypeVar("T")

TOO_MANY = "Đồng chí đã nhập sai nhiều lần. Vui lòng thử lại sau {wait}."


class TooManyAttempts(UserError):
    """An attempt refused unseen because its key must still wait."""


@dataclass
class AttemptSettings:
    """``[limits]`` in config.toml (documented there)."""

    free_failures: int = 5
    first_delay_seconds: float = 2.0
    max_delay_minutes: float = 15.0
    forget_minutes: float = 60.0

    @classmethod
    def load(cls, config: Config) -> AttemptSettings:
        return config.section("limits", cls)


def wait_text(seconds: float) -> str:
    """ "45 giây" / "3 phút", rounded up so the user never comes back too early."""
    if seconds < 60:
        return f"{max(1, int(-(-seconds // 1)))} giây"
    return f"{int(-(-seconds // 60))} phút"


class Attempts:
    """Failure counts per key with growing delays (see the module doc)."""

    MAX_KEYS = 50_000  # bounded memory even under a flood of distinct addresses or accounts

    def __init__(self, settings: AttemptSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key → (failures, time of the last)
        self._known: dict[str, None] = {}  # keys that logged in before (ordered: oldest dropped first)
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> float:
        s = self.settings
        if failures < s.free_failures:
            return 0.0
        return min(s.first_delay_seconds * 2 ** (failures - s.free_failures), s.max_delay_minutes * 60)

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._failures.get(key)
        if entry is not None and now - entry[1] > self.settings.forget_minutes * 60:
            del self._failures[key]
            return None
        return entry

    def wait(self, *keys: str) -> float:
        """Seconds before an attempt under all of ``keys`` is allowed (0: now)."""
        with self._lock:
            now = self.clock()
            waits = [0.0]
            for key in keys:
                entry = self._live(key, now)
                if entry is not None:
                    waits.append(entry[1] + self._delay(entry[0]) - now)
            return max(waits)

    def failed(self, *keys: str) -> None:
        with self._lock:
            now = self.clock()
            for key in keys:
                entry = self._live(key, now)
                if entry is None and len(self._failures) >= self.MAX_KEYS:
                    self._failures.pop(next(iter(self._failures)))
                self._failures[key] = ((entry[0] if entry else 0) + 1, now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def remember(self, key: str) -> None:
        """Mark ``key`` (a browser that just logged in) as known; see :meth:`known`."""
        with self._lock:
            self._known.pop(key, None)
            if len(self._known) >= self.MAX_KEYS:
                self._known.pop(next(iter(self._known)))
            self._known[key] = None

    def known(self, key: str) -> bool:
        """True for a key that logged in before: it is limited on its own, not with strangers."""
        with self._lock:
            return key in self._known

    def guard(self, keys: list[str], attempt: Callable[[], T]) -> T:
        """``attempt()`` unless a key must wait (:class:`TooManyAttempts` saying how long); a
        UserError from ``attempt`` (a wrong code) counts as a failure under every key."""
        wait = self.wait(*keys)
        if wait > 0:
            raise TooManyAttempts(TOO_MANY.format(wait=wait_text(wait)))
        try:
            result = attempt()
        except UserError:
            self.failed(*keys)
            raise
        self.succeeded(*keys)
        return result
