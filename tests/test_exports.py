"""Evidence exports read back: XLSX sheets and chart, Vietnam times, CSV BOM, formula escaping,
filters and permissions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.core.errors import PermissionDenied, UserError
from bot.core.evidence import exports, ledger
from bot.core.roster import audit, roster
from tests.ledger_support import PEOPLE, add_document, assign_all, load_province, person, person_id, pin_now, write_csv

NASTY = [
    ['=HYPERLINK("http://x","bấm")', "Xã Bình Dương", "+84 gọi ngay", "0977000001", ""],
    ["@SUM(A1)", "Xã Bình Dương", "-1+1", "0977000002", ""],
    ["Tab", "Xã Bình Dương", "\tchức vụ", "0977000003", ""],
]


@pytest.fixture
def evidence(app, tmp_path):
    load_province(app, tmp_path)
    roster.import_roster(app, None, write_csv(tmp_path / "nasty.csv", NASTY))
    doc = add_document(app)
    pin_now(app, datetime(2024, 4, 1, 0, 0, tzinfo=UTC))
    aid = assign_all(app, doc)
    pin_now(app, datetime(2024, 4, 2, 1, 15, tzinfo=UTC))  # 08:15 Vietnam
    ledger.acknowledge(app, person_id(app, "0905000004"), aid, "telegram")
    pin_now(app, datetime(2024, 4, 15, 17, 30, tzinfo=UTC))  # 00:30 on the 16th: late
    ledger.acknowledge(app, person_id(app, "0905000006"), aid, "zalo")
    ledger.acknowledge(app, person_id(app, "0977000001"), aid, "web")
    return app, aid


def rows_of(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def test_xlsx_has_summary_chart_and_detail_in_vietnam_time(evidence, tmp_path):
    app, aid = evidence
    out = exports.export_acks(app, None, "xlsx", tmp_path / "out" / "bao-cao.xlsx", assignment_id=aid)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết"]
    summary, detail = wb["Tổng hợp"], wb["Chi tiết"]
    assert summary.freeze_panes == "A2" and detail.freeze_panes == "A2"
    assert len(summary._charts) == 1
    assert detail.column_dimensions["B"].width == 45

    head, *table = rows_of(summary)
    assert head[:9] == (
        "Đợt",
        "Văn bản",
        "Hạn",
        "Đơn vị",
        "Được giao",
        "Đúng hạn",
        "Trễ hạn",
        "Chưa xác nhận",
        "Tỷ lệ hoàn thành",
    )
    units = {r[3].strip(): r[4:9] for r in table if r[3]}
    # real numbers (a spreadsheet sums them), shown the Vietnamese way: "1.234", "42,9 %"
    assert units["Huyện ủy Thăng Bình"] == (7, 1, 2, 4, pytest.approx(0.429))
    assert units["Tổng cộng"] == (len(PEOPLE) + 3, 1, 2, len(PEOPLE), pytest.approx(0.273))
    cells = {row[3].value.strip(): row for row in summary.iter_rows(min_row=2) if isinstance(row[3].value, str)}
    thang_binh = cells["Huyện ủy Thăng Bình"]
    assert [c.number_format for c in thang_binh[4:9]] == [exports.COUNT_FORMAT] * 4 + [exports.PERCENT_FORMAT]
    assert exports.PERCENT_FORMAT.endswith("0.0\\ %") and exports.COUNT_FORMAT.endswith("#,##0")
    bars = [(r[10], r[11]) for r in table if r[10]]
    # the total first, then every unit (Xã Bình Triều, all confirmed, is a bar too)
    assert [(name.strip(), pct) for name, pct in bars] == [
        ("Tổng cộng", pytest.approx(0.273)),
        ("Tỉnh ủy Quảng Nam", pytest.approx(0.273)),
        ("Huyện ủy Thăng Bình", pytest.approx(0.429)),
        ("Xã Bình Dương", pytest.approx(0.4)),
        ("Xã Bình Triều", 1),
        ("Huyện ủy Duy Xuyên", 0),
    ]
    assert thang_binh[11].number_format == exports.PERCENT_FORMAT
    assert any(r[0] and "Mã băm cuối sổ" in str(r[0]) and ledger.head_hash(app) in r[0] for r in table)

    header, *lines = rows_of(detail)
    assert header == tuple(h for h, _ in exports.DETAIL_HEADERS)
    assert len(lines) == len(PEOPLE) + 3
    by_name = {r[0]: r for r in lines}
    binh = by_name["Trần Thị Bình"]
    assert binh[1:9] == (
        "Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình > Xã Bình Dương",
        "Bí thư Đảng ủy xã",
        "69-KL/TW",
        "v1",
        "15/04/2024",
        "Đúng hạn",
        "02/04/2024 08:15",
        "Telegram",
    )
    stored = app.db.execute("SELECT id, hash FROM acks WHERE person_id = ?", (person_id(app, "0905000004"),)).fetchone()
    assert binh[10:12] == stored
    assert by_name["Huỳnh Thị Dung"][6:9] == ("Trễ hạn", "16/04/2024 00:30", "Zalo")
    assert by_name["Nguyễn Văn An"][6:9] == ("Chưa xác nhận", None, None)


def test_formula_injection_is_escaped(evidence, tmp_path):
    app, aid = evidence
    # imports collapse whitespace; a value written by other means may still start with a tab or CR
    app.db.execute("UPDATE people SET position = ? WHERE full_name = 'Tab'", ("\tchức vụ",))
    wb = load_workbook(exports.export_acks(app, None, "xlsx", tmp_path / "x.xlsx", assignment_id=aid))
    names = {r[0]: r for r in rows_of(wb["Chi tiết"])}
    assert '\'=HYPERLINK("http://x","bấm")' in names
    assert names['\'=HYPERLINK("http://x","bấm")'][2] == "'+84 gọi ngay"
    assert names["'@SUM(A1)"][2] == "'-1+1"
    assert names["Tab"][2] == "'\tchức vụ"
    assert not any(isinstance(c, str) and c.startswith("=") for r in names.values() for c in r)
    text = exports.export_acks(app, None, "csv", tmp_path / "x.csv", assignment_id=aid).read_text("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert '\'=HYPERLINK("http://x","bấm")' in cells and "'@SUM(A1)" in cells and "'-1+1" in cells
    assert not any(c[:1] in "=+-@" for c in cells if c)
    assert exports.escape(-5) == -5 and exports.escape("\rx") == "'\rx" and exports.escape("Bình") == "Bình"


def test_detail_sheet_keeps_text_as_written(evidence, tmp_path):
    """The detail rows are XML written by hand (xlsx_rows): markup characters, a carriage return and
    characters XML cannot carry must come back as a spreadsheet shows them."""
    app, aid = evidence
    app.db.execute("UPDATE people SET position = ? WHERE full_name = 'Tab'", ("Trưởng <ban> & phó\rban\x07",))
    wb = load_workbook(exports.export_acks(app, None, "xlsx", tmp_path / "x.xlsx", assignment_id=aid))
    names = {r[0]: r for r in rows_of(wb["Chi tiết"])}
    assert names["Tab"][2] == "Trưởng <ban> & phó\rban"
    row_ids = [r[10] for r in names.values() if r[10] not in (None, "", "Hàng sổ")]
    assert row_ids and all(isinstance(i, int) for i in row_ids)  # ledger rows stay numbers


def test_csv_has_bom_and_filters(evidence, tmp_path):
    app, aid = evidence
    out = exports.export_acks(app, None, "csv", tmp_path / "a.csv", assignment_id=aid)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Họ và tên" and len(rows) == 1 + len(PEOPLE) + 3
    unit = roster.resolve_unit(app, "Huyện ủy Duy Xuyên").id
    scoped = exports.export_acks(app, None, "csv", tmp_path / "b.csv", unit_id=unit)
    assert [r[0] for r in csv.reader(io.StringIO(scoped.read_text("utf-8-sig")))][1:] == [
        "Đặng Văn Em",
        "Ngô Thị Phương",
    ]
    april_2 = exports.export_acks(app, None, "csv", tmp_path / "c.csv", since=date(2024, 4, 2), until=date(2024, 4, 2))
    assert [r[0] for r in csv.reader(io.StringIO(april_2.read_text("utf-8-sig")))][1:] == ["Trần Thị Bình"]
    later = exports.export_acks(app, None, "csv", tmp_path / "d.csv", since=date(2024, 4, 16))
    assert len(list(csv.reader(io.StringIO(later.read_text("utf-8-sig"))))) == 1 + 2
    with pytest.raises(UserError, match="Khoảng thời gian bị ngược"):
        exports.export_acks(app, None, "xlsx", tmp_path / "e.xlsx", since=date(2024, 4, 16), until=date(2024, 4, 2))


def test_a_period_summary_counts_what_its_detail_lists(evidence, tmp_path):
    app, aid = evidence
    unit = roster.resolve_unit(app, "Huyện ủy Thăng Bình").id
    for since, until, scope in [
        (date(2024, 4, 2), date(2024, 4, 2), None),
        (date(2024, 4, 16), None, None),
        (None, date(2024, 4, 15), None),
        (date(2024, 4, 1), date(2024, 4, 30), unit),
    ]:
        out = exports.export_acks(app, None, "xlsx", tmp_path / "p.xlsx", aid, scope, since, until)
        book = load_workbook(out)
        detail = rows_of(book["Chi tiết"])[1:]
        summary = [r for r in rows_of(book["Tổng hợp"])[1:] if isinstance(r[3], str)]
        [total] = [r for r in summary if r[3].startswith("Tổng cộng")]
        assert total[5] + total[6] == len(detail) > 0, (since, until)  # on time + late = rows listed
        assert total[5] == sum(r[6] == "Đúng hạn" for r in detail) and total[6] == sum(
            r[6] == "Trễ hạn" for r in detail
        )
        leaves = {r[3].strip(): r[5] + r[6] for r in summary if not r[3].startswith("Tổng cộng")}
        for name in ("Xã Bình Dương", "Xã Bình Triều", "Huyện ủy Duy Xuyên"):
            listed = sum(r[1].endswith(name) for r in detail)
            assert leaves.get(name, 0) == listed, (name, since, until)
        assert any(
            isinstance(r[0], str) and r[0].startswith("Chỉ tính các xác nhận") for r in rows_of(book["Tổng hợp"])
        )
    binh_duong = {
        r[3].strip(): r[4:8]
        for r in rows_of(
            load_workbook(exports.export_acks(app, None, "xlsx", tmp_path / "q.xlsx", aid, since=date(2024, 4, 16)))[
                "Tổng hợp"
            ]
        )
        if isinstance(r[3], str)
    }["Xã Bình Dương"]
    assert binh_duong == (5, 0, 1, 4)  # Trần Thị Bình confirmed before the period: not counted in it


def test_a_reversed_period_is_refused_on_the_command_line(evidence, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    code = main(["export", "acks", "--since", "2024-04-16", "--until", "2024-04-02", "--out", str(out)])
    assert code != 0 and not out.exists()
    assert "Khoảng thời gian bị ngược: «Từ ngày» (16/04/2024) sau «Đến ngày» (02/04/2024)." in capsys.readouterr().err


def test_permissions_and_audit(evidence, tmp_path):
    app, aid = evidence
    officer = person(app, "0905000002", channel="telegram")
    with pytest.raises(PermissionDenied, match="xuất báo cáo"):
        exports.export_attachment(app, officer)
    admin = person(app, "0905000001", channel="telegram")
    attachment = exports.export_attachment(app, admin, "xlsx", assignment_id=aid)
    assert attachment.filename.endswith(".xlsx") and attachment.mime == exports.FORMATS["xlsx"]
    assert load_workbook(io.BytesIO(attachment.content)).sheetnames == ["Tổng hợp", "Chi tiết"]
    with pytest.raises(UserError, match="pdf"):
        exports.export_acks(app, None, "pdf", tmp_path / "x.pdf")
    log = audit.recent(app, action="export")
    assert [(e.allowed, e.person_id) for e in log][-2:] == [(True, admin.id), (False, officer.id)]


def test_cli_export(evidence, tmp_path, capsys):
    _app, aid = evidence
    out = tmp_path / "cli.xlsx"
    assert (
        main(
            [
                "export",
                "acks",
                "--format",
                "xlsx",
                "--assignment",
                str(aid),
                "--unit",
                "Xã Bình Dương",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == str(out)
    names = [r[0] for r in rows_of(load_workbook(out)["Chi tiết"])][1:]
    assert len(names) == 5 and "Trần Thị Bình" in names
    with pytest.raises(SystemExit):
        main(["export", "acks", "--format", "csv", "--since", "2024-13-01", "--out", str(tmp_path / "x.csv")])
    assert "không hợp lệ" in capsys.readouterr().err


def test_a_detail_sheet_beyond_a_plain_zip_member_is_written_as_zip64(tmp_path, monkeypatch):
    """A year of assignments for a province can pass 2 GiB of sheet XML: past ZIP64_ROWS expected
    rows the sheet is a Zip64 member, which openpyxl (and Excel) still read."""
    from openpyxl import Workbook

    from bot.core.evidence import xlsx_rows

    monkeypatch.setattr(xlsx_rows, "ZIP64_ROWS", 1)
    path = tmp_path / "big.xlsx"
    wb = Workbook(write_only=True)
    wb.create_sheet("Chi tiết").append(["Họ và tên", "Hàng sổ"])
    wb.save(path)
    assert xlsx_rows.append_rows(path, "Chi tiết", [["An", 1], ["Bình", 2]], expected=2) == 2
    assert [r for r in load_workbook(path)["Chi tiết"].iter_rows(values_only=True)] == [
        ("Họ và tên", "Hàng sổ"),
        ("An", 1),
        ("Bình", 2),
    ]
