"""Units that change: history, reorganisation operations, mapping files, reports by date."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import store
from bot.app import App
from bot.cli import main
from bot.config import Config
from bot.core.errors import PermissionDenied
from bot.core.evidence import exports, ledger, reports
from bot.core.roster import audit, history, roster
from bot.core.roster.placements import Placement
from bot.core.roster.reorganise import Operation, apply_mapping, reorganise
from tests.ledger_support import (
    BINH_DUONG,
    BINH_TRIEU,
    PROVINCE,
    THANG_BINH,
    add_document,
    assign_all,
    load_province,
    person_id,
    pin_now,
    write_csv,
)

JULY = date(2025, 7, 1)
MAPPING_HEADER = ["Đơn vị cũ", "Đơn vị mới", "Thao tác", "Ngày hiệu lực"]
NEW_COMMUNE = "Xã Thăng Bình"


def snapshot(app) -> tuple:
    tables = ("units", "people", "unit_versions", "memberships", "unit_changes", "acks")
    return tuple(tuple(app.db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()) for t in tables)


def merge_communes(app, dry_run: bool = False):
    op = Operation("merge", (BINH_DUONG, BINH_TRIEU), (NEW_COMMUNE,), JULY)
    return reorganise(app, None, [op], dry_run=dry_run)


def totals(progress) -> dict[str, tuple[int, int]]:
    return {u.name: (u.assigned, u.confirmed) for u in progress.units}


def test_merge_moves_people_keeps_acks_and_reports_both_trees(app, tmp_path):
    load_province(app, tmp_path)
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    binh = person_id(app, "0905000004")
    pin_now(app, datetime(2025, 6, 20, 3, 0, tzinfo=UTC))
    ledger.acknowledge(app, binh, assignment, "telegram")
    old_unit = roster.get_person(app, binh).unit_id
    head = ledger.head_hash(app)
    pin_now(app, datetime(2025, 7, 2, 3, 0, tzinfo=UTC))

    report = merge_communes(app)

    assert report.applied and not report.errors, report.errors
    assert (report.units_created, report.units_closed, report.people_moved) == (1, 2, 3)
    paths = roster.unit_paths(app)
    assert f"{THANG_BINH} > {NEW_COMMUNE}" in paths.values()
    assert BINH_DUONG not in paths.values()  # closed units leave today's tree
    moved = roster.get_person(app, binh)
    assert paths[moved.unit_id] == f"{THANG_BINH} > {NEW_COMMUNE}"
    # the acknowledgement still names the unit it was made in, and the chain is untouched
    (ack_unit,) = app.db.execute(f"SELECT {history.ACK_UNIT_SQL} FROM acks k").fetchone()
    assert ack_unit == old_unit
    assert history.last_paths(app)[old_unit] == f"{BINH_DUONG} (đến 30/06/2025)"
    assert ledger.verify(app).ok and ledger.head_hash(app) == head
    # the assignment given before the merger still counts its people, in the new unit today...
    today = totals(reports.compute_progress(app, reports.require_assignment(app, assignment)))
    assert today[NEW_COMMUNE] == (3, 1)
    assert "Xã Bình Dương" not in today
    # ...and in the old ones by the tree of 30/06/2025
    before = totals(reports.compute_progress(app, reports.require_assignment(app, assignment), on=date(2025, 6, 30)))
    assert before["Xã Bình Dương"] == (2, 1) and before["Xã Bình Triều"] == (1, 0)
    assert NEW_COMMUNE not in before
    assert before["Huyện ủy Thăng Bình"] == today["Huyện ủy Thăng Bình"] == (4, 1)
    # the dashboard's totals (no grouping) agree with both trees' totals
    record = reports.require_assignment(app, assignment)
    quick = reports.totals(app, record)
    for on in (None, date(2025, 6, 30)):
        full = reports.compute_progress(app, record, on=on).total
        assert (quick.assigned, quick.on_time, quick.late) == (full.assigned, full.on_time, full.late)
    # people's history of units
    periods = app.db.execute(
        "SELECT unit_id, valid_from, valid_until FROM memberships WHERE person_id = ? ORDER BY id", (binh,)
    ).fetchall()
    assert periods == [(old_unit, None, "2025-07-01"), (moved.unit_id, "2025-07-01", None)]
    (change,) = history.recent_changes(app)
    assert change.operation == "merge" and change.effective == "2025-07-01"
    assert [v.period for v in history.unit_history(app, old_unit)] == ["trước khi ghi nhận – 30/06/2025"]


def test_new_acks_record_their_unit(app, tmp_path):
    load_province(app, tmp_path)
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    merge_communes(app)
    binh = person_id(app, "0905000004")
    ledger.acknowledge(app, binh, assignment, "web")
    (unit,) = app.db.execute("SELECT unit_id FROM acks WHERE person_id = ?", (binh,)).fetchone()
    assert unit == roster.get_person(app, binh).unit_id


def test_dry_run_changes_nothing_and_previews_the_same(app, tmp_path):
    load_province(app, tmp_path)
    before = snapshot(app)
    preview = merge_communes(app, dry_run=True)
    assert snapshot(app) == before
    assert not preview.applied and preview.summary().startswith("Chạy thử")
    done = merge_communes(app)
    assert done.lines == preview.lines
    assert (done.units_created, done.units_closed, done.people_moved) == (1, 2, 3)


def test_rename_move_split_and_dissolve(app, tmp_path):
    load_province(app, tmp_path)
    ops = [
        Operation("rename", (BINH_TRIEU,), ("Xã Bình Triều mới",), JULY),
        Operation("move", (f"{THANG_BINH} > Xã Bình Triều mới",), (PROVINCE,), JULY),
        Operation(
            "split",
            (BINH_DUONG,),
            ("Xã Bình Dương A", "Xã Bình Dương B"),
            JULY,
            placements=(Placement("Trần Thị Bình", "", "Xã Bình Dương A"),),
            rest="Xã Bình Dương B",
        ),
        Operation("dissolve", (THANG_BINH,), (PROVINCE,), JULY),
    ]
    report = reorganise(app, None, ops)
    assert report.applied, report.errors
    paths = set(roster.unit_paths(app).values())
    assert {
        f"{PROVINCE} > Xã Bình Triều mới",
        f"{PROVINCE} > Xã Bình Dương A",
        f"{PROVINCE} > Xã Bình Dương B",
    } <= paths
    assert not any("Thăng Bình" in p for p in paths)
    # the district's own people went to the province, the commune's where the split placed them
    unit_of = lambda phone: roster.unit_paths(app)[roster.get_person(app, person_id(app, phone)).unit_id]  # noqa: E731
    assert unit_of("0905000003") == PROVINCE
    assert unit_of("0905000004") == f"{PROVINCE} > Xã Bình Dương A"
    assert unit_of("0905000005") == f"{PROVINCE} > Xã Bình Dương B"  # the rule: the rest to B
    # the tree of 30/06/2025 is the old one
    old = roster.UnitIndex(app.db, on=date(2025, 6, 30))
    assert {old.path(u) for u in old.units} >= {BINH_DUONG, BINH_TRIEU, THANG_BINH}


def split_commune(app, dry_run: bool = False, **kwargs):
    op = Operation("split", (BINH_DUONG,), ("Xã Bình Dương A", "Xã Bình Dương B"), JULY, **kwargs)
    return reorganise(app, None, [op], dry_run=dry_run)


def test_split_places_each_person_and_blocks_on_anyone_unplaced(app, tmp_path):
    load_province(app, tmp_path)
    before = snapshot(app)
    # nobody placed: the dry run already names both members, and nothing changes
    preview = split_commune(app, dry_run=True)
    assert not preview.applied and len(preview.errors) == 1
    problem = preview.problems()[0]
    assert "Chưa phân công đơn vị mới cho 2 người" in problem
    assert "Trần Thị Bình" in problem and "Võ Văn Cường" in problem
    # one placed (by phone, typed any usual way): the other is still named
    half = split_commune(app, placements=(Placement("", "0905000004", "Xã Bình Dương A"),))
    assert not half.applied and "1 người" in half.problems()[0] and "Võ Văn Cường" in half.problems()[0]
    # a placement naming a unit that is not one of the new ones, or nobody of the unit
    wrong = split_commune(
        app,
        placements=(Placement("Trần Thị Bình", "", "Xã Bình Triều"), Placement("Võ Văn Cường", "", "Xã Bình Dương B")),
    )
    assert "không phải một đơn vị mới" in wrong.problems()[0]
    stranger = split_commune(
        app,
        placements=(
            Placement("Trần Thị Bình", "", "Xã Bình Dương A"),
            Placement("Võ Văn Cường", "", "Xã Bình Dương B"),
            Placement("Người Lạ", "", "Xã Bình Dương B", row=4),
        ),
    )
    assert "Người Lạ" in stranger.problems()[0] and "không có người này" in stranger.problems()[0]
    assert snapshot(app) == before
    # everyone placed, the new unit written as a path or a bare name
    done = split_commune(
        app,
        placements=(
            Placement("tran thi binh", "", f"{THANG_BINH} > Xã Bình Dương A"),
            Placement("", "0905000005", "Xã Bình Dương B"),
        ),
    )
    assert done.applied, done.problems()
    assert done.people_moved == 2 and done.units_closed == 1
    assert any("(1 người)" in line for line in done.lines)
    paths = roster.unit_paths(app)
    assert paths[roster.get_person(app, person_id(app, "0905000004")).unit_id].endswith("Xã Bình Dương A")
    assert paths[roster.get_person(app, person_id(app, "0905000005")).unit_id].endswith("Xã Bình Dương B")


def test_split_from_a_mapping_file_with_a_placements_file_and_the_cli(app, tmp_path, capsys):
    load_province(app, tmp_path)
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [
            [BINH_DUONG, "Xã Bình Dương A", "Chia tách", "01/07/2025"],
            [BINH_DUONG, "Xã Bình Dương B", "Chia tách", "01/07/2025"],
        ],
        header=MAPPING_HEADER,
    )
    header = ["Họ và tên", "Số điện thoại", "Đơn vị cũ", "Đơn vị mới"]
    people = write_csv(
        tmp_path / "phan-cong.csv",
        [["Trần Thị Bình", "", "Xã Bình Dương", "Xã Bình Dương A"], ["", "905000005", "", "Xã Bình Dương B"]],
        header=header,
    )
    partial = write_csv(tmp_path / "thieu.csv", [["Trần Thị Bình", "", "", "Xã Bình Dương A"]], header=header)
    broken = write_csv(tmp_path / "loi.csv", [["Trần Thị Bình", "12", "", "Xã Bình Dương A"]], header=header)
    assert main(["units", "apply", str(mapping), "--dry-run"]) == 1
    assert "Trần Thị Bình, Võ Văn Cường" in capsys.readouterr().out
    assert main(["units", "apply", str(mapping), "--people", str(broken)]) == 1
    assert "Dòng 2: tệp phân công: số điện thoại “12” không hợp lệ" in capsys.readouterr().out
    assert (
        main(
            [
                "units",
                "split",
                BINH_DUONG,
                "--into",
                "Xã Bình Dương A,Xã Bình Dương B",
                "--people",
                str(partial),
                "--date",
                "2025-07-01",
                "--dry-run",
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "Võ Văn Cường" in out and "Trần Thị Bình" not in out.split("người của")[1]
    assert main(["units", "apply", str(mapping), "--people", str(people), "--dry-run"]) == 0
    assert "(1 người)" in capsys.readouterr().out
    assert (
        main(
            [
                "units",
                "split",
                BINH_DUONG,
                "--into",
                "Xã Bình Dương A,Xã Bình Dương B",
                "--people",
                str(partial),
                "--rest",
                "Xã Bình Dương B",
                "--date",
                "2025-07-01",
            ]
        )
        == 0
    )
    assert "Đã sắp xếp lại" in capsys.readouterr().out
    paths = roster.unit_paths(app)
    assert paths[roster.get_person(app, person_id(app, "0905000005")).unit_id].endswith("Xã Bình Dương B")


def test_checks_refuse_and_change_nothing(app, tmp_path):
    load_province(app, tmp_path)
    before = snapshot(app)
    report = reorganise(
        app,
        None,
        [
            Operation("rename", (BINH_TRIEU,), ("Xã Bình Triều mới",), JULY),  # fine, but rolled back
            Operation("move", (THANG_BINH,), (BINH_DUONG,), JULY),  # under its own child
            Operation("dissolve", (BINH_DUONG,), (), JULY),  # people would be left without a unit
            Operation("merge", ("Xã Không Có", BINH_DUONG), ("Xã Mới",), JULY),  # unknown unit
            Operation("rename", (BINH_DUONG,), ("X",), date(2999, 1, 1)),  # future date
        ],
    )
    assert not report.applied
    messages = [e.message for e in report.errors]
    assert "vòng lặp" in messages[0]
    assert "không còn đơn vị" in messages[1]
    assert "không tìm thấy đơn vị" in messages[2].lower()
    assert "chưa đến" in messages[3]
    assert snapshot(app) == before


def test_reorganising_is_admin_only_and_audited(app, tmp_path):
    load_province(app, tmp_path)
    officer = roster.get_person(app, person_id(app, "0905000002"))
    with pytest.raises(PermissionDenied):
        reorganise(app, officer, [Operation("rename", (BINH_TRIEU,), ("X",), JULY)])
    merge_communes(app)
    actions = [(a.action, a.allowed) for a in audit.recent(app, action="units.reorganise")]
    assert ("units.reorganise", False) in actions and ("units.reorganise", True) in actions


def test_mapping_file_groups_rows_and_is_atomic(app, tmp_path):
    load_province(app, tmp_path)
    good = write_csv(
        tmp_path / "mapping.csv",
        [
            [BINH_DUONG, NEW_COMMUNE, "Hợp nhất", "01/07/2025"],
            [BINH_TRIEU, NEW_COMMUNE, "hop nhat", "01/07/2025"],
            [THANG_BINH, PROVINCE, "Giải thể", "2025-07-01"],
        ],
        header=MAPPING_HEADER,
    )
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            [BINH_DUONG, NEW_COMMUNE, "Hợp nhất", "01/07/2025"],
            ["Huyện ủy Không Có", PROVINCE, "Giải thể", "01/07/2025"],
            [BINH_TRIEU, "", "Chuyển", "31/02/2025"],
        ],
        header=MAPPING_HEADER,
    )
    before = snapshot(app)
    failed = apply_mapping(app, None, bad)
    assert not failed.applied and [e.row for e in failed.errors] == [4, 4]  # the file's own checks first
    assert snapshot(app) == before
    report = apply_mapping(app, None, good)
    assert report.applied, report.errors
    assert f"{PROVINCE} > {NEW_COMMUNE}" in roster.unit_paths(app).values()
    assert len(history.recent_changes(app)) == 2  # one merge (two rows), one dissolution
    assert {c.source_file for c in history.recent_changes(app)} == {"mapping.csv"}


def test_migration_keeps_an_existing_database(app, tmp_path, data_dir):
    """A database made before unit history: the migration adds it, seeded from what is there."""
    load_province(app, tmp_path)
    assignment = assign_all(app, add_document(app))
    ledger.acknowledge(app, person_id(app, "0905000004"), assignment, "telegram")
    head = ledger.head_hash(app)
    db = app.db
    # take the database back to its shape before the migration
    for trigger in ("units_created", "units_changed", "units_closed", "people_placed", "people_moved"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP INDEX units_current")
    for table, column in (("units", "valid_from"), ("units", "valid_until"), ("acks", "unit_id")):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("DELETE FROM unit_versions")
    db.execute("DELETE FROM memberships")
    db.execute("DELETE FROM schema_migrations WHERE name = 'units-history'")
    db.execute("CREATE INDEX memberships_person ON memberships(person_id, valid_until)")  # the index before
    db.execute("DELETE FROM schema_migrations WHERE name = 'memberships-on'")

    migrated = store.connect(data_dir / "quantriet.db") if (data_dir / "quantriet.db").exists() else None
    assert migrated is not None, list(data_dir.iterdir())
    people = migrated.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    assert migrated.execute("SELECT COUNT(*) FROM memberships").fetchone()[0] == people
    indexes = {r[0] for r in migrated.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'memberships'")}
    assert indexes >= {"memberships_on", "memberships_unit"} and "memberships_person" not in indexes
    units = migrated.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    assert migrated.execute("SELECT COUNT(*) FROM unit_versions").fetchone()[0] == units
    assert migrated.execute("SELECT unit_id FROM acks").fetchone() == (None,)
    (ack_unit,) = migrated.execute(f"SELECT {history.ACK_UNIT_SQL} FROM acks k").fetchone()
    assert ack_unit == roster.get_person(app, person_id(app, "0905000004")).unit_id
    assert ledger.verify(app).ok and ledger.head_hash(app) == head


def test_export_names_the_unit_of_each_confirmation_and_groups_by_date(app, tmp_path):
    load_province(app, tmp_path)
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    ledger.acknowledge(app, person_id(app, "0905000004"), assignment, "telegram")
    merge_communes(app)

    def detail(**kwargs) -> dict[str, list[str]]:
        out = exports.export_acks(app, None, "csv", tmp_path / "x.csv", assignment_id=assignment, **kwargs)
        return {r[0]: r for r in csv.reader(io.StringIO(out.read_text("utf-8-sig")))}

    today = detail()
    assert today["Trần Thị Bình"][1] == f"{THANG_BINH} > {NEW_COMMUNE}"
    assert today["Trần Thị Bình"][12] == f"{BINH_DUONG} (đến 30/06/2025)"
    assert today["Võ Văn Cường"][12] == ""  # not confirmed yet
    then = detail(on=date(2025, 6, 30))
    assert then["Trần Thị Bình"][1] == BINH_DUONG
    scoped = detail(
        on=date(2025, 6, 30), unit_id=roster.resolve_in(roster.UnitIndex(app.db, date(2025, 6, 30)), BINH_TRIEU).id
    )
    assert set(scoped) == {"Họ và tên", "Huỳnh Thị Dung"}
    xlsx = exports.export_acks(app, None, "xlsx", tmp_path / "x.xlsx", assignment_id=assignment, on=date(2025, 6, 30))
    names = [r[3].strip() for r in load_workbook(xlsx)["Tổng hợp"].iter_rows(min_row=2, values_only=True) if r[3]]
    assert "Xã Bình Dương" in names and NEW_COMMUNE not in names


def test_cli_units_operations_apply_list_and_history(app, tmp_path, capsys):
    load_province(app, tmp_path)
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [[BINH_DUONG, NEW_COMMUNE, "Hợp nhất", "01/07/2025"], [BINH_TRIEU, NEW_COMMUNE, "Hợp nhất", "01/07/2025"]],
        header=MAPPING_HEADER,
    )
    assert main(["units", "apply", str(mapping), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Chạy thử" in out and "Lập đơn vị mới" in out
    assert main(["units", "apply", str(mapping)]) == 0
    assert "Đã sắp xếp lại" in capsys.readouterr().out
    assert main(["units", "rename", f"{THANG_BINH} > {NEW_COMMUNE}", "Xã Thăng Bình Mới", "--date", "2025-08-01"]) == 0
    capsys.readouterr()
    assert main(["units", "list", "--closed"]) == 0
    out = capsys.readouterr().out
    assert "Xã Thăng Bình Mới" in out and "(đến 30/06/2025)" in out
    assert main(["units", "list", "--on", "2025-06-30"]) == 0
    assert BINH_DUONG in capsys.readouterr().out
    new_id = roster.resolve_unit(app, "Xã Thăng Bình Mới").id
    assert main(["units", "history", str(new_id)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"01/07/2025 – 31/07/2025: {NEW_COMMUNE} (trực thuộc {THANG_BINH}) [hợp nhất]",
        f"01/08/2025 – nay: Xã Thăng Bình Mới (trực thuộc {THANG_BINH}) [đổi tên]",
    ]
    assert main(["units", "dissolve", THANG_BINH]) == 1
    assert "không còn đơn vị" in capsys.readouterr().out


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_examples_walk_through_the_2025_merger(app, tmp_path, data_dir):
    """README's walk-through: the 2024 roster, the mapping file, then the current roster changes no unit."""
    assert roster.import_roster(app, None, EXAMPLES / "danh-sach-can-bo-2024.csv").imported
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    khoa = person_id(app, "0905000011")
    ledger.acknowledge(app, khoa, assignment, "zalo")
    blocked = apply_mapping(app, None, EXAMPLES / "sap-xep-don-vi-2025.csv", dry_run=True)
    assert "Ngô Thị Lan, Trương Văn Khoa" in blocked.problems()[0]  # the split needs its placements
    report = apply_mapping(
        app, None, EXAMPLES / "sap-xep-don-vi-2025.csv", people=EXAMPLES / "phan-cong-chia-tach-2025.csv"
    )
    assert report.applied, report.errors
    again = roster.import_roster(app, None, EXAMPLES / "danh-sach-can-bo-mau.csv")
    assert (again.created, again.units_created, again.errors) == (0, 0, [])
    merged_tree = set(roster.unit_paths(app).values())
    # the same tree as importing today's roster into an empty database
    fresh = App(Config.load(EXAMPLES.parent / "config.toml"))
    fresh.__dict__["db"] = store.connect(tmp_path / "fresh" / "quantriet.db")  # another database
    assert roster.import_roster(fresh, None, EXAMPLES / "danh-sach-can-bo-mau.csv").imported
    empty = {p for p in merged_tree if not roster.list_people(app, roster.resolve_unit(app, p).id)}
    assert merged_tree - empty == set(roster.unit_paths(fresh).values())
    # Khoa confirmed in the district committee; the split placed him in Tam Anh (the re-import agrees)
    units = [
        history.last_paths(app)[u]
        for (u,) in app.db.execute("SELECT unit_id FROM memberships WHERE person_id = ? ORDER BY id", (khoa,))
    ]
    assert units == [
        "Tỉnh ủy Quảng Nam > Huyện ủy Núi Thành (đến 30/06/2025)",
        "Thành ủy Đà Nẵng > Đảng ủy xã Tam Anh",
    ]
    (ack_unit,) = app.db.execute("SELECT unit_id FROM acks WHERE person_id = ?", (khoa,)).fetchone()
    assert history.last_paths(app)[ack_unit].startswith("Tỉnh ủy Quảng Nam > Huyện ủy Núi Thành")
    before = reports.compute_progress(app, reports.require_assignment(app, assignment), on=date(2025, 6, 30))
    assert before.units[0].name == "Tỉnh ủy Quảng Nam" and ledger.verify(app).ok


def reorganised_examples(app) -> int:
    """The 2024 example roster with an assignment, one confirmation made in Huyện ủy Thăng Bình, then
    the 2025 mapping applied; returns the assignment."""
    assert roster.import_roster(app, None, EXAMPLES / "danh-sach-can-bo-2024.csv").imported
    assignment = assign_all(app, add_document(app), due=date(2025, 8, 1))
    ledger.acknowledge(app, person_id(app, "0905000003"), assignment, "telegram")
    report = apply_mapping(
        app, None, EXAMPLES / "sap-xep-don-vi-2025.csv", people=EXAMPLES / "phan-cong-chia-tach-2025.csv"
    )
    assert report.applied, report.problems()
    return assignment


def test_progress_on_a_date_finds_a_unit_merged_away_since(app, tmp_path, capsys):
    reorganised_examples(app)
    # the district committee no longer exists today...
    assert main(["progress", "--unit", "Huyện ủy Thăng Bình"]) == 1
    assert "Không tìm thấy đơn vị “Huyện ủy Thăng Bình”" in capsys.readouterr().err
    # ...but is found in the tree of 30/06/2025, with its communes, by its old name or path
    assert main(["progress", "--on", "30/06/2025", "--unit", "Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình"]) == 0
    out = capsys.readouterr().out
    assert "Huyện ủy Thăng Bình" in out and "Đảng ủy xã Bình Dương" in out and "Thành ủy" not in out
    total = [cell for cell in out.strip().splitlines()[-1].split(" ") if cell]  # "33,3 %" keeps its no-break space
    assert total[-5:] == ["3", "0", "1", "2", "33,3\u00a0%"]  # 3 people then, one confirmed (late)
    assert main(["progress", "--on", "2025-06-30", "--unit", "Đảng ủy xã Bình Triều"]) == 0
    assert "Đảng ủy xã Bình Triều" in capsys.readouterr().out
    # a unit created by the merger did not exist yet on that day
    assert main(["progress", "--on", "2025-06-30", "--unit", "Đảng ủy xã Thăng Bình"]) == 1
    assert "trong cây đơn vị ngày 30/06/2025" in capsys.readouterr().err
    # the export is scoped the same way
    out = tmp_path / "bao-cao.csv"
    args = ["export", "acks", "--format", "csv", "--on", "2025-06-30", "--unit", "Huyện ủy Thăng Bình"]
    assert main([*args, "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))[1:]
    assert sorted(r[0] for r in rows) == ["Hoàng Văn Cường", "Lê Văn An", "Phạm Thị Bình"]
    assert {r[1] for r in rows} >= {"Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình"}


async def test_chat_progress_by_the_tree_of_a_date(app):
    from bot.core.chat.conversation import Conversation
    from tests.chat_support import Chat, link, payloads

    first = reorganised_examples(app)
    officer = Chat(Conversation(app), link(app, "0905000002"), "telegram")
    today = await officer.text("/tiendo")
    assert "Đảng ủy xã Thăng Bình" in today and "Huyện ủy" not in today
    then = await officer.text("/tiendo 30/6/2025")
    assert "Theo cây đơn vị ngày 30/06/2025" in then
    assert "Huyện ủy Thăng Bình: 1/3" in then and "Đảng ủy xã Thăng Bình" not in then
    assert "Huyện ủy Thăng Bình" in await officer.text(f"/tiendo {first} 30/06/2025")
    assert "Chưa hiểu ngày “31/2/2025”" in await officer.text("/tiendo 31/2/2025")
    # with two assignments the buttons carry the date
    assign_all(app, add_document(app, number="70-KL/TW"), due=date(2025, 9, 1))
    choices = await officer.say("/tiendo 30/6/2025")
    assert f"td:{first}:2025-06-30" in payloads(choices)
    pressed = await officer.press(f"td:{first}:2025-06-30")
    assert "Theo cây đơn vị ngày 30/06/2025" in pressed[0].text
