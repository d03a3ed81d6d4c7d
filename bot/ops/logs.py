"""Logs an operator can keep: stderr always, optionally a rotating file, text or JSON lines, and
phone numbers and invite codes masked in every record.

Masking happens on the formatted line (message, arguments and traceback alike), so a phone that
reaches the log through an exception text or a library's message is masked too. An invite code
is a credential until it is used: whoever reads it can link their chat to that cadre.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import logging.handlers
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot import store
from bot.config import Config, ConfigError
from bot.core.roster.roster import INVITE_ALPHABET, RosterSettings

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "quantriet"  # the handlers setup() installed (and replaces on a second call)

# A Vietnamese phone as people write it: 0 or (+)84, then 9–10 digits, maybe grouped by spaces,
# dots or dashes ("0905 000 001", "+84 905.000.001"); not inside a longer number or a decimal.
PHONE = re.compile(r"(?<![\d+.])(?:\+?84[ .\-]?|0)\d(?:[ .\-]?\d){6,7}[ .\-]?(\d)[ .\-]?(\d)(?!\d)")


def invite_pattern(length: int) -> re.Pattern[str]:
    """An invite code: ``length`` characters of INVITE_ALPHABET, letters AND digits (as made)."""
    chars = re.escape(INVITE_ALPHABET)
    return re.compile(rf"\b(?=[{chars}]*\d)(?=[{chars}]*[A-Z])[{chars}]{{{length}}}\b")


@dataclasses.dataclass
class LogSettings:
    """``[logging]`` in config.toml."""

    file: str = ""  # "" = stderr only
    format: str = "text"  # "text" or "json"
    max_mb: float = 20.0  # the file rotates at this size
    keep: int = 10  # rotated files kept (quantriet.log.1 … .N)


def mask(text: str, invite: re.Pattern[str]) -> str:
    """Phones keep their last two digits ("***01"); invite codes are replaced whole."""
    text = PHONE.sub(lambda m: f"***{m.group(1)}{m.group(2)}", text)
    return invite.sub("[invite]", text)


class MaskingFormatter(logging.Formatter):
    def __init__(self, fmt: str | None = None, invite_length: int = RosterSettings.invite_length) -> None:
        super().__init__(fmt)
        self.invite = invite_pattern(invite_length)

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record), self.invite)


class JsonFormatter(MaskingFormatter):
    """One JSON object per line: time (UTC), level, logger, message[, exception]."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": store.isotime(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask(json.dumps(entry, ensure_ascii=False), self.invite)


def setup(config: Config, level: int) -> None:
    """Install the handlers on the root logger (the CLI calls this first; calling it again replaces
    them). A host that configured logging already (pytest, an embedding program) keeps its handlers
    and level: only the log file is added."""
    settings = config.section("logging", LogSettings)
    if settings.format not in FORMATS:
        raise ConfigError(f"[logging] format must be one of {', '.join(FORMATS)}, not {settings.format!r}")
    length = config.section("roster", RosterSettings).invite_length
    formatter = JsonFormatter(None, length) if settings.format == "json" else MaskingFormatter(TEXT_FORMAT, length)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    handlers: list[logging.Handler] = []
    if not root.handlers:
        root.setLevel(level)
        handlers.append(_Stderr())
    if settings.file:
        path = config.resolve(settings.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                path, maxBytes=int(settings.max_mb * 1024 * 1024), backupCount=settings.keep, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.name = HANDLER_NAME
        handler.setFormatter(formatter)
        root.addHandler(handler)


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (it may be replaced after set-up)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass
