"""Progress of long commands (ingest, roster import, exports, broadcasts) for the operator.

The libraries and the core only call ``progress(done, total)``; this module decides how it looks.
On a terminal it is a tqdm bar with counts, rate and time left. When the output is a file or a
pipe (cron, systemd, ``| tee``) carriage-return bars would fill the log with garbage, so it
writes a plain line at most every ``interval`` seconds plus one when the work is complete.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

from bot.core.numbers import format_number, format_percent

ProgressCallback = Callable[[int, int], None]  # (done, total)

# Seconds between two plain lines when the output is not a terminal.
PLAIN_INTERVAL = 10.0


class Progress:
    """One counted step of work ("Nhúng đoạn văn: 1200/5000 đoạn"); use as a callback and close it.

    ``stream`` defaults to stderr so stdout stays for results that scripts capture."""

    def __init__(
        self,
        label: str,
        unit: str,
        stream: TextIO | None = None,
        interval: float = PLAIN_INTERVAL,
    ) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.interval = interval
        self.done = self.total = 0
        self._started = time.monotonic()
        self._last_line = float("-inf")
        self._bar: tqdm | None = None
        if _is_terminal(self.stream):
            self._bar = tqdm(desc=label, unit=f" {unit}", file=self.stream, dynamic_ncols=True, leave=True)

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self._bar is not None:
            if self._bar.total != total:
                self._bar.total = total
            self._bar.update(done - self._bar.n)
            return
        now = time.monotonic()
        if now - self._last_line >= self.interval or (total and done >= total):
            self._last_line = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        """ "Nhúng đoạn văn: 1200/5000 đoạn (24%), còn khoảng 2 phút" """
        elapsed = (now if now is not None else time.monotonic()) - self._started
        text = f"{self.label}: {format_number(self.done)}/{format_number(self.total)} {self.unit}"
        if self.total:
            text += f" ({format_percent(100 * self.done // self.total)})"
        if 0 < self.done < self.total and elapsed > 0:
            text += f", còn khoảng {duration_text((self.total - self.done) * elapsed / self.done)}"
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Stages:
    """One :class:`Progress` per kind of work reported as ``(kind, done, total)``, each opened on its
    first report and closed when the next kind starts (the search refresh embeds chunks, then sentences)."""

    def __init__(self, labels: dict[str, tuple[str, str]], stream: TextIO | None = None) -> None:
        self.labels = labels  # kind → (label, unit)
        self.stream = stream
        self._current: tuple[str, Progress] | None = None

    def __call__(self, kind: str, done: int, total: int) -> None:
        if self._current is None or self._current[0] != kind:
            self.close()
            label, unit = self.labels.get(kind, (kind, ""))
            self._current = (kind, Progress(label, unit, self.stream))
        self._current[1](done, total)

    def close(self) -> None:
        if self._current is not None:
            self._current[1].close()
            self._current = None

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def duration_text(seconds: float) -> str:
    """ "45 giây", "3 phút", "1 giờ 20 phút": how long, as an operator reads it."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} giây"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
