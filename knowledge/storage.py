"""The SQLite conventions shared by the catalogue and the application: UTC timestamps and transactions.

The catalogue lives in the application's database file, so both must open transactions the same
way (join the caller's transaction, ``BEGIN IMMEDIATE`` for writers that must not interleave) and
stamp rows the same way. The rule is written here, at the bottom layer, and ``bot.store``
re-exports it: the libraries stay free of ``bot`` and there is still one definition.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils


def utcnow() -> datetime:
    """The wall clock, aware, in UTC (the store keeps UTC; channels show Asia/Ho_Chi_Minh).

    Application facts are stamped with ``app.now()`` (the one clock tests pin); the wall clock is
    for physical time only: the outbox's retry and pacing deadlines, and the catalogue's default.
    """
    return datetime.now(UTC)


def isotime(moment: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp with seconds precision, as stored in every ``*_at`` column."""
    return (moment or utcnow()).astimezone(UTC).isoformat(timespec="seconds")


@contextmanager
def transaction(db: sqlite_utils.Database, immediate: bool = False) -> Iterator[sqlite3.Connection]:
    """One atomic unit of work; ``immediate`` takes the write lock up front. Use it whenever the
    unit reads before it writes (hash-chain appends, invite codes): a deferred transaction that
    has read cannot take the write lock once another connection has written meanwhile, and SQLite
    then fails at once with "database is locked" instead of waiting its busy timeout."""
    conn = db.conn
    if conn.in_transaction:  # nested: join the outer transaction
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
