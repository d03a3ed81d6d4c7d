"""Roster import (CSV/XLSX, errors with row numbers, idempotence), linking and roles."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.core.errors import PermissionDenied, UserError
from bot.core.roster import audit, roster
from tests.ledger_support import (
    BINH_DUONG,
    DUY_XUYEN,
    PEOPLE,
    load_province,
    people_rows,
    person,
    person_id,
    write_csv,
    write_xlsx,
)


def snapshot(app) -> tuple:
    return tuple(
        tuple(app.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()) for table in ("units", "people")
    )


def test_csv_with_bom_builds_tree_and_normalises(app, tmp_path):
    report = load_province(app, tmp_path)
    assert (report.created, report.units_created, report.errors) == (len(PEOPLE), 5, [])
    paths = roster.unit_paths(app)
    assert set(paths.values()) == {
        "Tỉnh ủy Quảng Nam",
        "Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình",
        BINH_DUONG,
        "Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình > Xã Bình Triều",
        DUY_XUYEN,
    }
    binh = person(app, "0905000004")
    assert (binh.full_name, binh.unit_name, binh.role) == ("Trần Thị Bình", "Xã Bình Dương", "cadre")
    assert person(app, "0905000005").role == "cadre"  # blank role → cadre; "84.905…" phone
    assert person(app, "0905000006").phone == "0905000006"  # Excel dropped the leading 0
    assert person(app, "0905000001").role == "admin"
    assert person(app, "0905000007").role == "officer"
    assert {p.role for p in roster.list_people(app)} == {"admin", "officer", "cadre"}


def test_csv_without_bom_semicolons_and_english_headers(app, tmp_path):
    path = write_csv(
        tmp_path / "r.csv",
        [["Mai Văn Hùng", "Sở Khoa học và Công nghệ", "Giám đốc", "0911222333", "admin"]],
        header=["Full name", "Unit", "Position", "Phone", "Role"],
        bom=False,
        delimiter=";",
    )
    report = roster.import_roster(app, None, path)
    assert report.imported and report.created == 1
    assert person(app, "0911222333").unit_name == "Sở Khoa học và Công nghệ"


def test_xlsx_with_title_row_parent_column_and_numeric_phone(app, tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["Lý Văn Hải", "Xã Duy Sơn", "Huyện ủy Duy Xuyên", 905111222, "Cán bộ"],
            [None, "Xã Duy Sơn", "Huyện ủy Duy Xuyên", None, None],
        ],
        header=["Họ và tên", "Đơn vị", "Đơn vị cấp trên", "SĐT", "Vai trò"],
        title="DANH SÁCH CÁN BỘ",
    )
    report = roster.import_roster(app, None, path)
    assert [str(e) for e in report.errors] == ["Dòng 5: thiếu họ và tên"]  # title, blank, header, row 4
    assert not report.imported and app.db["people"].count == 0
    report = roster.import_roster(app, None, path, skip_invalid=True)
    assert report.imported and report.created == 1
    assert roster.unit_paths(app)[person(app, "0905111222").unit_id] == "Huyện ủy Duy Xuyên > Xã Duy Sơn"


def test_each_error_kind_with_row_numbers_imports_nothing(app, tmp_path):
    load_province(app, tmp_path)
    before = snapshot(app)
    rows = [
        ["Người Tốt", "Xã Mới", "", "0977000001", ""],  # row 2: fine on its own
        ["", "Xã Mới", "", "0977000002", ""],  # row 3: no name
        ["Người Hai", "Xã Mới", "", "0977000003", "giám đốc"],  # row 4: unknown role
        ["Người Ba", "Xã Mới", "", "0977 000 001", ""],  # row 5: duplicate in the file
        ["Người Bốn", "Xã Mới", "", "0905000003", ""],  # row 6: phone of Nguyễn Văn An
        ["Người Năm", "", "", "0977000005", ""],  # row 7: no unit
        ["Người Sáu", "Xã Mới", "", "12345", ""],  # row 8: not a phone
    ]
    report = roster.import_roster(app, None, write_csv(tmp_path / "bad.csv", rows))
    assert not report.imported
    assert [e.row for e in report.errors] == [3, 4, 5, 6, 7, 8]
    messages = {e.row: e.message for e in report.errors}
    assert "thiếu họ và tên" in messages[3]
    assert "giám đốc" in messages[4]
    assert "trùng với dòng 2" in messages[5]
    assert "Nguyễn Văn An" in messages[6]
    assert "thiếu đơn vị" in messages[7]
    assert "không hợp lệ" in messages[8]
    assert snapshot(app) == before
    assert "Chưa nhập gì" in report.summary()


def test_skip_invalid_imports_the_valid_rows(app, tmp_path):
    rows = [["Người Tốt", "Xã Mới", "", "0977000001", ""], ["", "Xã Mới", "", "", ""]]
    report = roster.import_roster(app, None, write_csv(tmp_path / "r.csv", rows), skip_invalid=True)
    assert report.imported and report.created == 1 and [e.row for e in report.errors] == [3]
    assert "bỏ qua 1 dòng lỗi" in report.summary()


def test_reimport_changes_nothing_and_updates_by_phone(app, tmp_path):
    load_province(app, tmp_path)
    before = snapshot(app)
    again = roster.import_roster(app, None, write_csv(tmp_path / "again.csv", people_rows()))
    assert (again.created, again.updated, again.unchanged, again.units_created) == (0, 0, len(PEOPLE), 0)
    assert snapshot(app) == before
    rows = people_rows()
    rows[3][2] = "Phó Chủ tịch"  # position changed
    rows[7][0] = "ngo thi phuong"  # no phone: matched by name (without diacritics) + unit
    rows[7][3] = "0905000008"  # … and gets a phone
    changed = roster.import_roster(app, None, write_csv(tmp_path / "changed.csv", rows))
    assert (changed.created, changed.updated) == (0, 2)
    assert person(app, "0905000004").position == "Phó Chủ tịch"
    assert person(app, "0905000008").full_name == "Ngô Thị Phương"


def test_ambiguous_unit_name_needs_its_parent(app, tmp_path):
    rows = [["A", "Huyện X > Xã Tam Thăng", "", "", ""], ["B", "Huyện Y > Xã Tam Thăng", "", "", ""]]
    roster.import_roster(app, None, write_csv(tmp_path / "a.csv", rows))
    report = roster.import_roster(app, None, write_csv(tmp_path / "b.csv", [["C", "xa tam thang", "", "", ""]]))
    assert [e.row for e in report.errors] == [2] and "trùng tên" in report.errors[0].message
    with pytest.raises(UserError, match="trùng tên"):
        roster.resolve_unit(app, "Xã Tam Thăng")
    assert roster.resolve_unit(app, "huyen y > xa tam thang").name == "Xã Tam Thăng"


def test_unit_first_seen_alone_is_moved_under_its_parent(app, tmp_path):
    roster.import_roster(app, None, write_csv(tmp_path / "a.csv", [["A", "Xã Quế Sơn", "", "", ""]]))
    report = roster.import_roster(
        app, None, write_csv(tmp_path / "b.csv", [["B", "Huyện Quế Sơn > Xã Quế Sơn", "", "", ""]])
    )
    assert report.units_created == 1
    assert sorted(roster.unit_paths(app).values()) == ["Huyện Quế Sơn", "Huyện Quế Sơn > Xã Quế Sơn"]


def test_not_a_spreadsheet_is_refused(app, tmp_path):
    bad = tmp_path / "roster.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UserError, match="Excel"):
        roster.import_roster(app, None, bad)
    pdf = tmp_path / "roster.pdf"
    pdf.write_text("x")
    with pytest.raises(UserError, match="chỉ nhận"):
        roster.import_roster(app, None, pdf)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Họ và tên,Đơn vị\n".encode("utf-16"))
    with pytest.raises(UserError, match="UTF-8"):
        roster.import_roster(app, None, latin)
    with pytest.raises(UserError, match="Họ và tên"):
        roster.import_roster(app, None, write_csv(tmp_path / "h.csv", [["x"]], header=["Tuổi"]))


def test_invites_link_once(app, tmp_path):
    load_province(app, tmp_path)
    app.config.raw["telegram"] = {"bot_username": "@quantriet_bot"}
    found = roster.invites(app, roster.resolve_unit(app, "Xã Bình Dương").id)
    assert [i.person.full_name for i in found] == ["Trần Thị Bình", "Võ Văn Cường"]
    code = found[0].code
    assert len(code) == 8 and not set(code) & set("0O1IL")
    assert found[0].link == f"https://t.me/quantriet_bot?start={code}"
    assert [i.code for i in roster.invites(app, roster.resolve_unit(app, "Xã Bình Dương").id)] == [
        i.code for i in found
    ]

    linked = roster.link_by_invite(app, "telegram", "111", code.lower(), "Bình")
    assert (linked.full_name, linked.channel) == ("Trần Thị Bình", "telegram")
    assert roster.person_for(app, "telegram", "111").id == linked.id
    assert roster.link_by_invite(app, "telegram", "111", code).id == linked.id  # same link pressed twice
    with pytest.raises(UserError, match="đã được sử dụng"):
        roster.link_by_invite(app, "telegram", "222", code)
    with pytest.raises(UserError, match="không đúng"):
        roster.link_by_invite(app, "telegram", "222", "ZZZZZZZZ")
    assert "Trần Thị Bình" not in [i.person.full_name for i in roster.invites(app)]


def test_link_by_phone(app, tmp_path):
    load_province(app, tmp_path)
    linked = roster.link_by_phone(app, "telegram", "333", "+84905000003", "An")
    assert linked.full_name == "Nguyễn Văn An"
    with pytest.raises(UserError, match="chưa có trong danh sách"):
        roster.link_by_phone(app, "telegram", "444", "0999999999")
    assert roster.person_for(app, "telegram", "444") is None
    roster.link_by_phone(app, "zalo", "z-1", "0905000003")
    accounts = roster.accounts_for(app, [linked.id])
    assert {(a.channel, a.external_id) for a in accounts} == {("telegram", "333"), ("zalo", "z-1")}


def test_self_registration_and_approval(app, tmp_path):
    load_province(app, tmp_path)
    pending = roster.self_register(app, "telegram", "555", "Phạm Thị Giang", "xa binh duong")
    assert (pending.status, pending.unit_name) == ("pending", "Xã Bình Dương")
    again = roster.self_register(app, "telegram", "555", "Phạm Thị Giang", "Xã Bình Triều")
    assert again.id == pending.id and again.unit_name == "Xã Bình Triều"
    with pytest.raises(UserError, match="Không tìm thấy đơn vị"):
        roster.self_register(app, "telegram", "556", "Ai Đó", "Xã Không Có")
    assert [p.id for p in roster.pending_people(app)] == [pending.id]

    cadre = person(app, "0905000004")
    with pytest.raises(PermissionDenied):
        roster.approve(app, cadre, pending.id)
    officer = person(app, "0905000002")
    assert roster.approve(app, officer, pending.id).status == "active"
    assert roster.person_for(app, "telegram", "555").active
    with pytest.raises(UserError, match="đã liên kết"):
        roster.self_register(app, "telegram", "555", "Phạm Thị Giang", "Xã Bình Triều")

    other = roster.self_register(app, "web", "w1", "Kẻ Lạ", "Xã Bình Triều")
    assert roster.reject(app, None, other.id).status == "inactive"
    entries = audit.recent(app, action="roster.approve")
    assert [(e.allowed, e.person_id, e.channel) for e in entries] == [
        (True, officer.id, "telegram"),
        (False, cadre.id, "telegram"),
    ]


def test_set_role_admin_only_and_last_admin(app, tmp_path):
    load_province(app, tmp_path)
    admin, officer = person(app, "0905000001"), person(app, "0905000002")
    cadre_id = person_id(app, "0905000004")
    with pytest.raises(PermissionDenied, match="quản trị viên"):
        roster.set_role(app, officer, cadre_id, "tuyên giáo")
    assert roster.set_role(app, admin, cadre_id, "Cán bộ tuyên giáo").role == "officer"
    with pytest.raises(UserError, match="cuối cùng"):
        roster.set_role(app, admin, admin.id, "cán bộ")
    refused = audit.recent(app, action="roster.role")[-1]
    assert not refused.allowed and refused.detail["person_id"] == cadre_id


def test_find_people_without_diacritics_or_by_phone(app, tmp_path):
    load_province(app, tmp_path)
    assert [p.full_name for p in roster.find_people(app, "tran thi binh")] == ["Trần Thị Bình"]
    assert [p.full_name for p in roster.find_people(app, "BÌNH trần")] == ["Trần Thị Bình"]
    assert [p.full_name for p in roster.find_people(app, "+84 905 000 006")] == ["Huỳnh Thị Dung"]
    assert roster.find_people(app, "   ") == []


def test_phone_normalisation():
    assert roster.normalise_phone("+84 905.000.004") == "0905000004"
    assert roster.normalise_phone("(0235) 3852 123") == "02353852123"
    assert roster.normalise_phone("") == ""
    for bad in ("+1 202 555 0100", "abc", "0123"):
        with pytest.raises(UserError):
            roster.normalise_phone(bad)


def test_import_is_audited_and_refused_for_officers(app, tmp_path):
    load_province(app, tmp_path)
    officer = person(app, "0905000002", channel="web")
    with pytest.raises(PermissionDenied):
        roster.import_roster(app, officer, tmp_path / "roster.csv")
    rows = app.db.execute(
        "SELECT channel, allowed, detail FROM audit WHERE action = 'roster.import' ORDER BY id"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("cli", 1), ("web", 0)]
    assert json.loads(rows[0][2])["file"] == "roster.csv"


def test_cli_roster_import_list_and_invites(app, tmp_path, capsys):
    bad = write_csv(tmp_path / "bad.csv", people_rows() + [["", "Xã Mới", "", "", ""]])
    assert main(["roster", "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"Dòng {len(PEOPLE) + 2}: thiếu họ và tên" in out and "Chưa nhập gì" in out
    assert main(["roster", "import", str(bad), "--skip-invalid"]) == 0
    assert f"{len(PEOPLE)} người mới" in capsys.readouterr().out
    assert main(["roster", "list", "--unit", "huyen uy duy xuyen"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 3 and "Đặng Văn Em" in listed[0] and "cán bộ tuyên giáo" in listed[0]
    assert main(["roster", "invites", "--unit", "Xã Bình Triều"]) == 0
    name, unit, code, web_link, *telegram = capsys.readouterr().out.splitlines()[0].split("\t")
    assert (name, unit, len(code)) == ("Huỳnh Thị Dung", "Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình > Xã Bình Triều", 8)
    assert web_link == f"http://127.0.0.1:8080/?code={code}"
    assert telegram == ([roster.invite_link(app, code)] if roster.invite_link(app, code) else [])
    assert main(["roster", "list", "--unit", "Không Có"]) == 1
    assert "Không tìm thấy đơn vị" in capsys.readouterr().err


def test_invites_survive_a_write_by_another_connection_meanwhile(app, tmp_path, monkeypatch):
    """The server's sender writes while an admin lists invite codes: the codes are read, then
    written, in one transaction that holds the write lock from the start (a deferred one could
    not upgrade once the other connection had written, and failed with "database is locked")."""
    import sqlite3

    load_province(app, tmp_path)
    other = sqlite3.connect(app.db.conn.execute("PRAGMA database_list").fetchone()[2], timeout=0.1)
    listed = roster.list_people

    def list_while_another_writes(*args, **kwargs):
        people = listed(*args, **kwargs)
        try:
            other.execute("UPDATE units SET name = name WHERE id = 1")
            other.commit()
        except sqlite3.OperationalError:
            pass  # the invites transaction holds the lock: the other writer waits its turn
        return people

    monkeypatch.setattr(roster, "list_people", list_while_another_writes)
    assert roster.invites(app, roster.resolve_unit(app, "Xã Bình Dương").id)
    other.close()
