"""The SQLite store: one file under the data folder, opened through sqlite-utils.

Each area of the application owns one schema file in ``bot/schema/`` (catalogue, roster, ledger,
outbox, conversation). Schema files are idempotent (``CREATE ... IF NOT EXISTS``); changes to a
table that already exists in the field go into :data:`MIGRATIONS`, applied once and recorded in
``schema_migrations``. Keeping every SQL statement that shapes the file here is what makes a later
move to PostgreSQL a local change.
"""

from __future__ import annotations

import sqlite3
import threading
from importlib import resources
from pathlib import Path

import sqlite_utils

# One definition of the clock format and of transactions, shared with the catalogue library.
from knowledge.storage import isotime as isotime
from knowledge.storage import transaction as transaction
from knowledge.storage import utcnow as utcnow

SCHEMA_FILES = ("catalogue", "roster", "ledger", "outbox", "conversation", "web", "channels", "conferences", "curated")

# (name, schema file) pairs: changes to tables that exist in the field, applied in order, once
# each, after the schema files.
MIGRATIONS: list[tuple[str, str]] = [
    ("units-history", "units_history"),
    ("questions-model-note", "questions_model_note"),
    ("assignments.closed_at", "assignments_closed"),  # an officer closes an assignment
    ("memberships-on", "memberships_on"),  # a covering index for reports by a past day's tree
]

_schema_lock = threading.Lock()
# Page cache per connection, in KiB (SQLite's default is 2 MiB). A province's reports read every
# member's person, membership and confirmation rows (≈ 70 MiB of database at 100,000 people): with
# the default they go back to the file for most pages, ≈ 1.5× slower. Taken only as pages are read.
CACHE_KIB = 64 * 1024


def new_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just created; sqlite3 types it ``int | None`` because not every statement inserts."""
    rowid = cursor.lastrowid
    if rowid is None:
        raise RuntimeError("the statement inserted no row")
    return rowid


def connect(path: str | Path, schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` with WAL and foreign keys on; ``schema``
    False skips :func:`ensure_schema` (another connection of this process already ran it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    db = sqlite_utils.Database(conn)
    if schema:
        ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table and apply pending migrations; cheap when nothing is pending."""
    with _schema_lock:
        for name in SCHEMA_FILES:
            db.conn.executescript(_schema_sql(name))
        db.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in db.conn.execute("SELECT name FROM schema_migrations")}
        for name, file in MIGRATIONS:
            if name not in done:
                _migrate(db, name, _schema_sql(file))


def _schema_sql(name: str) -> str:
    return resources.files("bot.schema").joinpath(f"{name}.sql").read_text("utf-8")


def _migrate(db: sqlite_utils.Database, name: str, sql: str) -> None:
    """Apply one migration atomically, once even when several processes start together.

    Statements run one by one (``executescript`` would commit the transaction before running);
    the write lock is taken first and the record re-checked under it.
    """
    with transaction(db, immediate=True) as conn:
        if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
            return
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                conn.execute(statement)
                statement = ""
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, isotime()))
