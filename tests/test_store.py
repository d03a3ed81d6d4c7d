import sqlite3

import pytest

from bot import store


def test_schema_is_idempotent(app):
    tables = set(app.db.table_names())
    assert {"documents", "chunks", "duties", "people", "acks", "deliveries", "audit"} <= tables
    store.ensure_schema(app.db)  # a second run changes nothing and does not fail
    assert set(app.db.table_names()) == tables


def test_transaction_rolls_back(app):
    try:
        with store.transaction(app.db):
            app.db.execute("INSERT INTO kv VALUES ('k', 'v', 'now')")
            raise RuntimeError
    except RuntimeError:
        pass
    assert app.db["kv"].count == 0


def test_a_failing_migration_changes_nothing_and_is_tried_again(tmp_path):
    db = store.connect(tmp_path / "m.db")
    with pytest.raises(sqlite3.OperationalError):
        store._migrate(db, "broken", "CREATE TABLE half (x);\nINSERT INTO nowhere VALUES (1);\n")
    assert not db["half"].exists() and not db.conn.in_transaction
    assert "broken" not in {r[0] for r in db.conn.execute("SELECT name FROM schema_migrations")}
