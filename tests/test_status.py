"""`quantriet status`: catalogue and index, roster and linked accounts, open assignments, outbox,
last backup and the ledger head, as text and as JSON for monitoring."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from bot.cli import main
from bot.core import clock
from bot.core.chat.messages import Reply
from bot.core.evidence import assignments, ledger
from bot.core.outbox import broadcasts
from bot.ops import backup
from tests.ledger_support import PEOPLE, add_document, assign_all, load_province, person_id

REPO = Path(__file__).resolve().parent.parent


def test_status_shows_every_part_of_a_running_installation(app, tmp_path, capsys):
    assert main(["ingest", str(REPO / "tests" / "data" / "knowledge")]) == 0
    load_province(app, tmp_path)
    app.db.execute(
        "INSERT INTO accounts (channel, external_id, person_id, linked_at) VALUES ('telegram', '42', ?, '2026-01-01')",
        (person_id(app, "0905000003"),),
    )
    today = clock.local_today(app.now())
    closed = assign_all(app, add_document(app, number="01-KH/TU", title="Kế hoạch cũ"), due=today - timedelta(days=1))
    open_id = assign_all(app, add_document(app), due=today + timedelta(days=10))
    ledger.acknowledge(app, person_id(app, "0905000003"), open_id, "telegram")
    broadcasts.enqueue(app, "notice", Reply("Nhắc học tập"), assignments.member_ids(app, open_id))
    made = backup.backup(app)
    ledger.acknowledge(app, person_id(app, "0905000001"), open_id, "web")
    capsys.readouterr()

    assert main(["status", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    documents = app.db.execute("SELECT COUNT(*) FROM documents WHERE removed_at IS NULL").fetchone()[0]
    assert found["catalogue"]["documents"] == documents and found["catalogue"]["chunks"] > 0
    index = found["catalogue"]["index"]
    assert index["model"] and index["up_to_date"] and index["vectors"] == found["catalogue"]["chunks"]
    assert found["roster"]["people"] == len(PEOPLE) and found["roster"]["accounts"] == {"telegram": 1}
    assert [a["id"] for a in found["assignments"]] == [open_id] and closed != open_id
    assert found["assignments"][0]["confirmed"] == 2 and found["assignments"][0]["assigned"] == len(PEOPLE)
    queued = found["outbox"]
    assert queued["pending"] + queued["unreachable"] == len(PEOPLE) and queued["broadcasts_sending"] == 1
    assert found["backup"]["head_hash"] == made.check.head_hash and found["backup"]["rows"] == 1
    assert found["ledger"] == {"rows": 2, "head_hash": ledger.head_hash(app)}
    assert date.fromisoformat(found["assignments"][0]["due_date"]) == today + timedelta(days=10)

    assert main(["status"]) == 0
    text = capsys.readouterr().out
    assert f"Danh sách: {len(PEOPLE)} người" in text and "telegram 1" in text
    assert f"Đợt {open_id}: 69-KL/TW, hạn" in text and f"2/{len(PEOPLE)}" in text
    assert f"Sao lưu gần nhất: {made.path}" in text and made.check.head_hash in text
    assert f"Sổ xác nhận: 2 hàng, mã băm cuối {ledger.head_hash(app)}" in text


def test_status_of_an_empty_installation_says_what_to_do(app, capsys):
    assert main(["status"]) == 0
    text = capsys.readouterr().out
    assert "chưa có (chạy `quantriet ingest`)" in text and "CHƯA CÓ bản sao lưu" in text
