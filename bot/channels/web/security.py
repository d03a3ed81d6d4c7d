"""Sessions, CSRF tokens, the admin password and the client address (behind trusted proxies).

Sessions are server-side so that logging out really ends them: the browser holds a random token
in an HttpOnly, SameSite=Strict cookie; ``web_sessions`` holds the sha256 of that token with the
session (what kind, which chat account, its CSRF token, when it expires). Storing the hash, not
the token, means a copy of the database does not hand out usable cookies.

Every POST carries a CSRF token that is compared in constant time: the session's own token once
logged in, and before that a random token mirrored in a second cookie (double submit), so even the
login forms cannot be posted from another site.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import store
from bot.channels.web_settings import ADMIN_PASSWORD_ENV
from bot.config import secret

if TYPE_CHECKING:
    from bot.app import App

SESSION_COOKIE = "qt_session"
ANON_CSRF_COOKIE = "qt_csrf"
DEVICE_COOKIE = "qt_device"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: ``kind`` is "chat" (invite code) or "admin" (password)."""

    kind: str
    external_id: str  # accounts.external_id of the linked "web" account
    csrf: str
    expires_at: str  # UTC ISO; compared as strings like every stored time


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(app: App, kind: str, external_id: str, lifetime: timedelta) -> tuple[str, WebSession]:
    """Store a new session and return (cookie token, session); expired sessions are purged here."""
    now = store.isotime(app.now())
    token = new_token()
    session = WebSession(kind, external_id, new_token(), store.isotime(app.now() + lifetime))
    with store.transaction(app.db):
        app.db.execute("DELETE FROM web_sessions WHERE expires_at <= ?", (now,))
        app.db.execute(
            "INSERT INTO web_sessions (token_hash, kind, external_id, csrf, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_hash(token), kind, external_id, session.csrf, now, session.expires_at),
        )
    return token, session


def load_session(app: App, token: str | None) -> WebSession | None:
    """The live session behind a cookie token, or None (unknown or expired)."""
    if not token:
        return None
    row = app.db.execute(
        "SELECT kind, external_id, csrf, expires_at FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
        (_hash(token), store.isotime(app.now())),
    ).fetchone()
    return WebSession(*row) if row else None


def end_session(app: App, token: str | None) -> None:
    if token:
        app.db.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time equality for tokens and passwords (hashing first equalises the lengths)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest())


def admin_password() -> str | None:
    """The admin password from the environment; None disables the password login."""
    return secret(ADMIN_PASSWORD_ENV)


def _trusted(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    remote: str | None,
    forwarded_for: list[str],
    proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
) -> str:
    """The address of the client, for limits and logs.

    ``X-Forwarded-For`` is believed only when the peer is one of ``[web] trusted_proxies``, and
    then only as far as it was written by trusted proxies: the rightmost address that is not a
    trusted proxy is the client (anything left of it the client may have made up).
    """
    address = remote or "unknown"
    if not proxies or not _trusted(address, proxies):
        return address
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else address
