"""Small named values in the ``kv`` table (tokens, flags, counters that must survive a restart).

Writes take an open connection so a caller can put several keys in one transaction: the Zalo OA
token rotation must store the new refresh token and the new access token together or not at all.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import sqlite_utils

from bot import store

if TYPE_CHECKING:
    from bot.app import App


def get(app: App, key: str) -> str | None:
    return read(app.db, key)


def read(db: sqlite_utils.Database, key: str) -> str | None:
    """``key`` from any store file (a backup copy has no App of its own)."""
    row = db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Insert or replace ``key`` (inside the caller's transaction when there is one)."""
    conn.execute(
        "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, store.isotime()),
    )


def delete(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM kv WHERE key = ?", (key,))
