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
