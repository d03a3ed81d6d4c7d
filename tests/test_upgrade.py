"""Upgrades keep data: every store in tests/fixtures/stores (made by the code of its day, see
make.py there) is opened by today's code, which applies the newest schema and migrations, and
still holds every acknowledgement, person and document, with a ledger chain that verifies and
accepts new rows."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot import store
from bot.app import App
from bot.config import Config
from bot.core.evidence import assignments, ledger

REPO = Path(__file__).resolve().parent.parent
STORES = sorted((REPO / "tests" / "fixtures" / "stores").glob("*.db"))

KEPT = {  # what must survive an upgrade unchanged, per table
    "acks": "SELECT id, person_id, document_id, version, acked_at, channel, check_score, prev_hash, hash FROM acks",
    "people": "SELECT id, full_name, unit_id, phone, role FROM people",
    "documents": "SELECT id, path, title, number, version FROM documents",
    "units": "SELECT id, name, parent_id FROM units",
    "assignments": "SELECT id, document_id, version, due_date FROM assignments",
    "assignment_members": "SELECT assignment_id, person_id FROM assignment_members",
    "accounts": "SELECT id, channel, external_id, person_id FROM accounts",
    "deliveries": "SELECT id, broadcast_id, person_id FROM deliveries",
}


def _rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {table: sorted(conn.execute(sql).fetchall()) for table, sql in KEPT.items()}


@pytest.mark.parametrize("fixture", STORES, ids=[p.stem for p in STORES])
def test_the_newest_migrations_keep_every_acknowledgement_person_and_document(fixture, data_dir):
    manifest = json.loads(fixture.with_suffix(".json").read_text("utf-8"))
    before = _rows(fixture)
    assert len(before["acks"]) == manifest["acks"] and len(before["people"]) == manifest["people"]
    assert len(before["documents"]) == manifest["documents"]
    data_dir.mkdir(parents=True)
    shutil.copyfile(fixture, data_dir / "quantriet.db")

    app = App(Config.load(REPO / "config.toml"))  # opening the store applies schema and migrations
    applied = {r[0] for r in app.db.execute("SELECT name FROM schema_migrations")}
    assert applied == {name for name, _ in store.MIGRATIONS}
    assert _rows(data_dir / "quantriet.db") == before
    result = ledger.verify(app)
    assert result.ok and result.rows == manifest["acks"] and result.head_hash == manifest["head_hash"]

    # the upgraded ledger keeps growing on the same chain
    latest = assignments.latest_assignment(app)
    waiting = app.db.execute(
        "SELECT person_id FROM assignment_members m WHERE assignment_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM acks k WHERE k.person_id = m.person_id AND k.document_id = ?) LIMIT 1",
        (latest.id, latest.document.id),
    ).fetchone()[0]
    added = ledger.acknowledge(app, waiting, latest.id, "web", check_score="2/3")
    assert added.created and added.row["prev_hash"] == manifest["head_hash"] and ledger.verify(app).ok
