"""Assignments, the hash-chained ledger (double ack, versions, tampering, concurrency), attendance
import, progress reports and the CLI."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from bot.app import App
from bot.cli import main
from bot.core.errors import PermissionDenied, UserError
from bot.core.evidence import assignments, documents, ledger, reports
from bot.core.roster import audit, roster
from bot.core.roster.tabular import file_sha256
from tests.ledger_support import (
    PEOPLE,
    add_document,
    assign_all,
    load_province,
    person,
    person_id,
    pin_now,
    write_csv,
    write_xlsx,
)

APRIL_2 = datetime(2024, 4, 2, 1, 15, tzinfo=UTC)  # 08:15 in Vietnam


@pytest.fixture
def province(app, tmp_path):
    load_province(app, tmp_path)
    pin_now(app, APRIL_2)
    return app


def members(app, assignment_id) -> set[str]:
    return {
        r[0]
        for r in app.db.execute(
            "SELECT p.full_name FROM assignment_members m JOIN people p ON p.id = m.person_id "
            "WHERE m.assignment_id = ?",
            (assignment_id,),
        )
    }


def tamper(app, sql, params=()):
    """What someone with the database file could do: drop the append-only triggers and write."""
    app.db.execute("DROP TRIGGER acks_no_update")
    app.db.execute("DROP TRIGGER acks_no_delete")
    if params:
        app.db.execute(sql, params)
    else:
        app.db.conn.executescript(sql)


def ack_everyone(app, assignment_id):
    for pid in sorted(
        r[0]
        for r in app.db.execute("SELECT person_id FROM assignment_members WHERE assignment_id = ?", (assignment_id,))
    ):
        ledger.acknowledge(app, pid, assignment_id, "telegram")


def test_find_document_forgiving(province):
    kl = add_document(province)
    nq = add_document(province, number="57-NQ/TW", title="Nghị quyết 57")
    for text in ("69-KL/TW", "69", "kl69", "KL 69", "kết luận 69", "Ket luan so 69"):
        assert documents.find_document(province, text).id == kl, text
    assert documents.find_document(province, "nq57").id == nq
    assert documents.find_document(province, "nghi quyet 57").id == nq
    assert documents.find_document(province, "kl57") is None
    assert documents.find_document(province, "99") is None
    assert documents.find_document(province, "") is None


def test_audience_resolution(province):
    doc = add_document(province)
    thang_binh = roster.resolve_unit(province, "Huyện ủy Thăng Bình").id
    duy_xuyen = roster.resolve_unit(province, "Huyện ủy Duy Xuyên").id
    everyone = assign_all(province, doc)
    assert len(members(province, everyone)) == len(PEOPLE)
    with_sub = assign_all(province, doc, units=[thang_binh])
    assert members(province, with_sub) == {"Nguyễn Văn An", "Trần Thị Bình", "Võ Văn Cường", "Huỳnh Thị Dung"}
    only = assign_all(province, doc, units=[thang_binh], include_subunits=False)
    assert members(province, only) == {"Nguyễn Văn An"}
    staff = assign_all(province, doc, roles=["tuyên giáo", "admin"])
    assert members(province, staff) == {"Phan Văn Quản", "Lê Thị Tuyên", "Đặng Văn Em"}
    mixed = assign_all(province, doc, units=[duy_xuyen], roles=["cadre"])
    assert members(province, mixed) == {"Ngô Thị Phương"}
    with pytest.raises(UserError, match="Không có cán bộ"):
        assign_all(province, doc, units=[duy_xuyen], roles=["quản trị"])
    with pytest.raises(UserError, match="Vai trò"):
        assign_all(province, doc, roles=["giám đốc"])
    # the audience is fixed at creation: a newcomer is not added to an existing assignment
    roster.self_register(province, "web", "x", "Người Mới", "Huyện ủy Thăng Bình")
    roster.approve(province, None, roster.person_for(province, "web", "x").id)
    assert "Người Mới" not in members(province, with_sub)
    stored = assignments.get_assignment(province, mixed)
    assert stored.audience == {"units": [duy_xuyen], "subunits": True, "roles": ["cadre"]}


def test_assignment_permissions_are_audited(province):
    doc = add_document(province)
    with pytest.raises(PermissionDenied, match="giao văn bản"):
        assignments.create_assignment(province, person(province, "0905000004"), doc, date(2024, 4, 15))
    officer = person(province, "0905000002")
    created = assignments.create_assignment(province, officer, doc, date(2024, 4, 15))
    assert assignments.get_assignment(province, created).created_by == officer.id
    log = audit.recent(province, action="assign")
    assert [(e.allowed, e.channel) for e in log] == [(True, "telegram"), (False, "telegram")]


def test_pending_and_double_acknowledgement(province):
    doc = add_document(province)
    aid = assign_all(province, doc)
    binh = person_id(province, "0905000004")
    pending = assignments.pending_for(province, binh)
    assert [(p.document.number, p.due_text, p.overdue) for p in pending] == [("69-KL/TW", "15/04/2024", False)]
    first = ledger.acknowledge(province, binh, aid, "telegram")
    assert first.created and first.when == "08:15 ngày 02/04/2024"
    pin_now(province, datetime(2024, 4, 3, 9, 0, tzinfo=UTC))
    second = ledger.acknowledge(province, binh, aid, "zalo")
    assert not second.created and second.row == first.row and second.when == "08:15 ngày 02/04/2024"
    assert province.db["acks"].count == 1
    assert assignments.pending_for(province, binh) == []
    [done] = assignments.assignments_for(province, binh)
    assert done.acked_at == "2024-04-02T01:15:00+00:00"
    # overdue once the due day has ended in Vietnam (17:00 UTC on the 15th is 00:00 on the 16th)
    an = person_id(province, "0905000003")
    pin_now(province, datetime(2024, 4, 15, 16, 59, tzinfo=UTC))
    assert not assignments.pending_for(province, an)[0].overdue
    pin_now(province, datetime(2024, 4, 15, 17, 0, tzinfo=UTC))
    assert assignments.pending_for(province, an)[0].overdue


def test_only_members_and_checks_gate_acknowledgement(province):
    doc = add_document(province)
    narrow = assign_all(province, doc, roles=["admin"])
    with pytest.raises(UserError, match="không có trong danh sách"):
        ledger.acknowledge(province, person_id(province, "0905000004"), narrow, "telegram")
    checked = assign_all(province, doc, require_check=True)
    with pytest.raises(UserError, match="câu hỏi kiểm tra"):
        ledger.acknowledge(province, person_id(province, "0905000004"), checked, "telegram")
    with pytest.raises(UserError, match="số 999"):
        ledger.acknowledge(province, 1, 999, "telegram")


def test_new_version_opens_a_new_round(province):
    doc = add_document(province)
    binh = person_id(province, "0905000004")
    old = assign_all(province, doc)
    ledger.acknowledge(province, binh, old, "telegram")
    province.db.execute("UPDATE documents SET version = 'v2' WHERE id = ?", (doc,))
    assert not assignments.get_assignment(province, old).current
    new = assign_all(province, doc, due=date(2024, 6, 30))
    assert [p.assignment_id for p in assignments.pending_for(province, binh)] == [new]
    assert ledger.acknowledge(province, binh, new, "telegram").created
    versions = [r[0] for r in province.db.execute("SELECT version FROM acks WHERE person_id = ? ORDER BY id", (binh,))]
    assert versions == ["v1", "v2"]
    assert reports.compute_progress(province, assignments.get_assignment(province, new)).total.confirmed == 1
    assert ledger.verify(province).ok


def test_ledger_rows_cannot_be_changed_through_sql(province):
    doc = add_document(province)
    aid = assign_all(province, doc)
    ledger.acknowledge(province, person_id(province, "0905000004"), aid, "telegram")
    with pytest.raises(Exception, match="append-only"):
        province.db.execute("UPDATE acks SET channel = 'web'")
    with pytest.raises(Exception, match="append-only"):
        province.db.execute("DELETE FROM acks")


@pytest.mark.parametrize(
    "sql, first_bad, words",
    [
        ("UPDATE acks SET acked_at = '2024-04-01T00:00:00+00:00' WHERE id = 3", 3, "bị sửa"),
        ("UPDATE acks SET check_score = '3/3' WHERE id = 5", 5, "bị sửa"),
        ("DELETE FROM acks WHERE id = 4", 5, "hàng 4 đã bị xóa"),
        (
            "UPDATE acks SET id = -2 WHERE id = 2; UPDATE acks SET id = 2 WHERE id = 6;"
            "UPDATE acks SET id = 6 WHERE id = -2",
            2,
            "đổi chỗ",
        ),  # rows 2 and 6 swapped
        ("DELETE FROM acks WHERE id >= 7", 7, "hàng cuối"),
    ],
)
def test_verify_names_the_first_bad_row(province, sql, first_bad, words):
    doc = add_document(province)
    aid = assign_all(province, doc)
    ack_everyone(province, aid)
    assert ledger.verify(province).ok and ledger.verify(province).rows == len(PEOPLE)
    tamper(province, sql)
    result = ledger.verify(province)
    assert not result.ok and result.first_bad_id == first_bad
    assert words in result.reason


def test_rewriting_a_row_and_its_hash_still_breaks_the_chain(province):
    doc = add_document(province)
    aid = assign_all(province, doc)
    ack_everyone(province, aid)
    *content, prev = province.db.execute(
        f"SELECT {', '.join(ledger.Entry._fields)}, prev_hash FROM acks WHERE id = 3"
    ).fetchone()
    entry = ledger.Entry(*content)._replace(acked_at="2024-03-01T00:00:00+00:00")
    tamper(
        province, "UPDATE acks SET acked_at = ?, hash = ? WHERE id = 3", (entry.acked_at, ledger.row_hash(prev, entry))
    )
    result = ledger.verify(province)
    assert (result.ok, result.first_bad_id) == (False, 4)


def test_concurrent_appends_lose_nothing(province, tmp_path):
    doc = add_document(province)
    extra = [[f"Cán bộ {i}", "Xã Bình Dương", "", f"0966{i:06d}", ""] for i in range(200)]
    roster.import_roster(province, None, write_csv(tmp_path / "many.csv", extra))
    aid = assign_all(province, doc)
    ids = sorted(
        r[0] for r in province.db.execute("SELECT person_id FROM assignment_members WHERE assignment_id = ?", (aid,))
    )
    errors: list[BaseException] = []

    def writer(chunk: list[int]) -> None:
        own = App(province.config)  # its own connection, as a separate worker would have
        try:
            for pid in chunk:
                ledger.acknowledge(own, pid, aid, "telegram")
                ledger.acknowledge(own, pid, aid, "telegram")  # a double press
        except BaseException as exc:
            errors.append(exc)

    verdicts: list[bool] = []

    def verifier() -> None:  # `ledger verify` run while the writers append
        own = App(province.config)
        for _ in range(20):
            verdicts.append(ledger.verify(own).ok)

    threads = [threading.Thread(target=writer, args=(ids[i::8],)) for i in range(8)]
    threads.append(threading.Thread(target=verifier))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    assert verdicts and all(verdicts)
    assert province.db["acks"].count == len(ids)
    result = ledger.verify(province)
    assert result.ok and result.rows == len(ids)


def test_shared_connection_threads_do_not_fork_the_chain(province):
    doc = add_document(province)
    aid = assign_all(province, doc)
    ids = sorted(r[0] for r in province.db.execute("SELECT person_id FROM assignment_members"))
    threads = [threading.Thread(target=ledger.acknowledge, args=(province, pid, aid, "web")) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert ledger.verify(province).ok and province.db["acks"].count == len(ids)


ATTENDANCE_HEADER = ["STT", "Họ và tên", "Đơn vị", "Số điện thoại", "Ký tên"]


def test_attendance_import(province, tmp_path):
    doc = add_document(province)
    thang_binh = roster.resolve_unit(province, "Huyện ủy Thăng Bình").id
    aid = assign_all(province, doc, units=[thang_binh])
    officer = person(province, "0905000002", channel="web")
    rows = [
        [1, "Nguyễn Văn An", "", "0905 000 003", "x"],  # row 4: by phone
        [2, "tran thi binh", "Xa Binh Duong", "", "x"],  # row 5: by name + unit, no diacritics
        [3, "Người Lạ", "Xã Bình Dương", "", "x"],  # row 6: not in the roster
        [4, "Ngô Thị Phương", "Huyện ủy Duy Xuyên", "", "x"],  # row 7: not in this assignment
        [5, "Huỳnh Thị Dung", "Xã Không Có", "", "x"],  # row 8: unknown unit
        [6, "Nguyễn Văn An", "", "0905000003", "x"],  # row 9: twice
        [7, "Võ Văn Cường", "", "0905000006", "x"],  # row 10: phone of someone else
        [8, "", "Xã Bình Dương", "", "x"],  # row 11: no name, no phone
    ]
    sheet = write_xlsx(tmp_path / "hoi-nghi.xlsx", rows, header=ATTENDANCE_HEADER, title="DANH SÁCH DỰ HỘI NGHỊ")
    report = ledger.import_attendance(province, officer, sheet, aid)
    assert not report.imported and province.db["acks"].count == 0
    assert [e.row for e in report.errors] == [6, 7, 8, 9, 10, 11]
    text = "\n".join(map(str, report.errors))
    for words in (
        "Dòng 6: không có Người Lạ",
        "Dòng 7: Ngô Thị Phương không thuộc",
        "Dòng 8: không tìm thấy đơn vị",
        "Dòng 9: trùng với dòng 4",
        "Dòng 10: số điện thoại 0905000006 là của Huỳnh Thị Dung",
        "Dòng 11: thiếu họ và tên",
    ):
        assert words in text
    report = ledger.import_attendance(province, officer, sheet, aid, skip_invalid=True)
    assert report.imported and (report.recorded, report.already) == (2, 0)
    rows = province.db.execute("SELECT channel, recorded_by, source_hash FROM acks").fetchall()
    digest = file_sha256(sheet)
    assert rows == [("hội nghị", officer.id, digest)] * 2
    again = ledger.import_attendance(province, officer, sheet, aid, skip_invalid=True)
    assert (again.recorded, again.already) == (0, 2) and province.db["acks"].count == 2
    assert ledger.verify(province).ok
    with pytest.raises(PermissionDenied):
        ledger.import_attendance(province, person(province, "0905000004"), sheet, aid)


def test_progress_rolls_up_with_on_time_and_late(province):
    doc = add_document(province)
    aid = assign_all(province, doc)
    ledger.acknowledge(province, person_id(province, "0905000004"), aid, "telegram")  # Bình Dương, on time
    pin_now(province, datetime(2024, 4, 20, 2, 0, tzinfo=UTC))
    ledger.acknowledge(province, person_id(province, "0905000006"), aid, "zalo")  # Bình Triều, late
    officer = person(province, "0905000002")
    report = reports.progress(province, officer, aid)
    by_name = {u.name: u for u in report.units}
    assert [u.name for u in report.units][:3] == ["Tỉnh ủy Quảng Nam", "Huyện ủy Thăng Bình", "Xã Bình Dương"]
    tb = by_name["Huyện ủy Thăng Bình"]
    assert (tb.assigned, tb.on_time, tb.late, tb.not_yet, tb.percent) == (4, 1, 1, 2, 50.0)
    assert (by_name["Tỉnh ủy Quảng Nam"].assigned, report.total.confirmed) == (len(PEOPLE), 2)
    assert by_name["Xã Bình Dương"].depth == 2
    assert "Huyện ủy Thăng Bình: 2/4 (50\u00a0%), trễ hạn 1, chưa xác nhận 2" in [
        line.strip() for line in report.lines()
    ]
    scoped = reports.progress(province, officer, aid, roster.resolve_unit(province, "Huyện ủy Thăng Bình").id)
    assert next(u.name for u in scoped.units) == "Huyện ủy Thăng Bình" and scoped.total.assigned == 4
    missing = reports.not_confirmed(province, officer, aid, roster.resolve_unit(province, "Huyện ủy Thăng Bình").id)
    assert [p.full_name for p in missing] == ["Nguyễn Văn An", "Võ Văn Cường"]
    with pytest.raises(PermissionDenied, match="tiến độ"):
        reports.progress(province, person(province, "0905000004"), aid)


def test_cli_assign_progress_verify_and_ack_import(province, tmp_path, capsys):
    add_document(province)
    assert (
        main(["assign", "--document", "kl69", "--units", "Huyện ủy Thăng Bình", "--no-subunits", "--due", "2024-04-15"])
        == 0
    )
    printed = capsys.readouterr()
    assert printed.out.strip() == "1" and "cho 1 người" in printed.err
    queued = province.db.execute(
        "SELECT b.kind, b.assignment_id, b.status, COUNT(d.id) FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id"
    ).fetchone()
    assert queued == ("assignment", 1, "sending", 1)  # `quantriet serve` delivers it like the chat's /giao
    assert "ack:1" in province.db.execute("SELECT reply FROM broadcasts").fetchone()[0]
    assert main(["assign", "--document", "NQ 99", "--due", "2024-04-15"]) == 1
    assert "Không tìm thấy văn bản" in capsys.readouterr().err
    sheet = write_csv(
        tmp_path / "hn.csv",
        [["Nguyễn Văn An", "Huyện ủy Thăng Bình", "", ""]],
        header=["Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại"],
    )
    assert main(["ack", "import", str(sheet), "--assignment", "1"]) == 0
    assert "ghi nhận 1 người" in capsys.readouterr().out
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "Đợt 1: 69-KL/TW" in out and "100\u00a0%" in out
    assert main(["ledger", "verify"]) == 0
    assert "toàn vẹn: 1 hàng" in capsys.readouterr().out
    tamper(province, "UPDATE acks SET channel = 'web'")
    assert main(["ledger", "verify"]) == 1
    assert "hàng 1" in capsys.readouterr().out
    entries = audit.recent(province)
    assert {e.action for e in entries} >= {"assign", "ack.import", "progress"} and {e.channel for e in entries} == {
        "cli"
    }
