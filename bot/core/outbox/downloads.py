"""Short-lived download links for files a channel cannot send as a document.

Zalo (Bot Platform and OA) has no way to send a file, and the web chat shows files as links, so
an export or a document reaches those users as a URL. The URL must be safe to share in a chat: it
carries a random single-purpose token (one per recipient and file, unguessable, stored only as its
sha256) that stops working after ``ttl_hours``. Bytes are stored once per content under
``<data>/downloads/`` however many links point to them (a broadcast of one document to thousands
of Zalo users writes the file once). The HTTP route lives in ``bot/channels/download_route.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot import store
from bot.core.chat.messages import Attachment
from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Config

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

LINK_UNKNOWN = "Liên kết tải tệp không đúng. Đồng chí kiểm tra lại liên kết hoặc yêu cầu gửi lại tệp."
LINK_EXPIRED = (
    "Liên kết tải tệp đã hết hạn (liên kết chỉ dùng được trong thời gian ngắn để bảo mật). "
    "Đồng chí yêu cầu trợ lý gửi lại tệp."
)


@dataclass
class DownloadSettings:
    """``[downloads]`` in config.toml (documented there)."""

    public_url: str = ""
    ttl_hours: float = 24.0

    @classmethod
    def load(cls, config: Config) -> DownloadSettings:
        return config.section("downloads", cls, env={"public_url": "QUANTRIET_PUBLIC_URL"})


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    mime: str


class LinkUnknown(UserError):
    def __init__(self) -> None:
        super().__init__(LINK_UNKNOWN)


class LinkExpired(UserError):
    def __init__(self) -> None:
        super().__init__(LINK_EXPIRED)


def folder(app: App) -> Path:
    return app.data_dir / "downloads"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(app: App, attachment: Attachment, purpose: str = "", ttl_hours: float | None = None) -> Issued:
    """Store ``attachment`` (once per content) and return a new token for it, valid ``ttl_hours``."""
    ttl = DownloadSettings.load(app.config).ttl_hours if ttl_hours is None else ttl_hours
    blob = hashlib.sha256(attachment.content).hexdigest()
    path = folder(app) / blob
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{blob}.{secrets.token_hex(4)}.part")
        partial.write_bytes(attachment.content)
        os.replace(partial, path)  # a reader never sees half a file
    token = secrets.token_urlsafe(32)
    now = app.now()
    expires = now + timedelta(hours=ttl)
    app.db.execute(
        "INSERT INTO downloads (token_hash, blob, filename, mime, purpose, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_hash(token), blob, attachment.filename, attachment.mime, purpose, store.isotime(now), store.isotime(expires)),
    )
    return Issued(token, expires)


def fetch(app: App, token: str) -> Download:
    """The file behind ``token``; raises :class:`LinkUnknown` or :class:`LinkExpired`."""
    if not TOKEN_PATTERN.match(token or ""):
        raise LinkUnknown()
    row = app.db.execute(
        "SELECT blob, filename, mime, expires_at FROM downloads WHERE token_hash = ?", (_hash(token),)
    ).fetchone()
    if row is None:
        raise LinkUnknown()
    blob, filename, mime, expires_at = row
    path = folder(app) / blob
    if expires_at <= store.isotime(app.now()) or not path.exists():
        raise LinkExpired()
    app.db.execute("UPDATE downloads SET downloads = downloads + 1 WHERE token_hash = ?", (_hash(token),))
    return Download(path, filename, mime)


def purge_expired(app: App) -> int:
    """Forget expired links and delete the files no live link points to; returns links removed."""
    now = store.isotime(app.now())
    with store.transaction(app.db):
        removed = app.db.execute("DELETE FROM downloads WHERE expires_at <= ?", (now,)).rowcount
        live = {row[0] for row in app.db.execute("SELECT DISTINCT blob FROM downloads")}
    base = folder(app)
    if base.is_dir():
        for path in base.iterdir():
            if path.is_file() and path.name not in live and not path.name.endswith(".part"):
                path.unlink(missing_ok=True)
    return removed
