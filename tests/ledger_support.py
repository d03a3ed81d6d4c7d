"""Builders shared by the roster, ledger, check and export tests: spreadsheets on disk, a document
with its duties inserted straight into the catalogue (no embedding model), a small province."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import App
from bot.core.evidence import assignments
from bot.core.roster import roster

HEADER = ["Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Vai trò"]
PROVINCE = "Tỉnh ủy Quảng Nam"
THANG_BINH = f"{PROVINCE} > Huyện ủy Thăng Bình"
BINH_DUONG = f"{THANG_BINH} > Xã Bình Dương"
BINH_TRIEU = f"{THANG_BINH} > Xã Bình Triều"
DUY_XUYEN = f"{PROVINCE} > Huyện ủy Duy Xuyên"
# (name, unit path, position, phone, role)
PEOPLE = [
    ("Phan Văn Quản", PROVINCE, "Chánh Văn phòng", "0905000001", "quản trị"),
    ("Lê Thị Tuyên", PROVINCE, "Chuyên viên Ban Tuyên giáo", "0905000002", "tuyên giáo"),
    ("Nguyễn Văn An", THANG_BINH, "Bí thư Huyện ủy", "0905000003", "cán bộ"),
    ("Trần Thị Bình", BINH_DUONG, "Bí thư Đảng ủy xã", "+84 905 000 004", "cadre"),
    ("Võ Văn Cường", BINH_DUONG, "Phó Bí thư", "84.905.000.005", ""),
    ("Huỳnh Thị Dung", BINH_TRIEU, "Chủ tịch UBND xã", "905000006", "cán bộ"),
    ("Đặng Văn Em", DUY_XUYEN, "Phó Bí thư Huyện ủy", "0905000007", "officer"),
    ("Ngô Thị Phương", DUY_XUYEN, "Trưởng ban Tuyên giáo", "", "cán bộ"),
]

# Duties as the knowledge catalogue extracts them from the provincial plan for Kết luận 69.
KL69_DUTIES = [
    (
        "Các cấp ủy, tổ chức đảng, chính quyền, Mặt trận và các tổ chức chính trị - xã hội các cấp",
        "Tổ chức phổ biến, quán triệt, thông tin, tuyên truyền Kết luận số 69 và kế hoạch của Tỉnh ủy",
        "2024-04-15",
        None,
    ),
    (
        "Các cấp ủy, tổ chức đảng",
        "Xây dựng chương trình, kế hoạch triển khai thực hiện Kết luận số 69",
        "2024-04-30",
        None,
    ),
    (
        "Đảng đoàn HĐND tỉnh",
        "Chỉ đạo việc cụ thể hóa, hoàn thiện cơ chế, chính sách; thường xuyên giám sát việc thực hiện",
        None,
        "thường xuyên",
    ),
    (
        "Ban Cán sự đảng UBND tỉnh",
        "Lãnh đạo, chỉ đạo xây dựng kế hoạch thực hiện Chiến lược phát triển khoa học và công nghệ",
        None,
        "định kỳ 6 tháng",
    ),
    ("Ban Tuyên giáo Tỉnh ủy", "Chủ trì, phối hợp theo dõi, đôn đốc, kiểm tra việc thực hiện kế hoạch", None, None),
]


def write_csv(
    path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = True, delimiter: str = ","
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER, title: str | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def people_rows() -> list[list[str]]:
    return [list(p) for p in PEOPLE]


def load_province(app: App, tmp_path: Path) -> roster.RosterReport:
    report = roster.import_roster(app, None, write_csv(tmp_path / "roster.csv", people_rows()))
    assert report.imported, report.errors
    return report


def add_document(
    app: App,
    number: str | None = "69-KL/TW",
    version: str = "v1",
    duties: list[tuple] = KL69_DUTIES,
    issued: str | None = "2024-01-11",
    issuer: str | None = "Bộ Chính trị",
    title: str = "Kết luận số 69-KL/TW của Bộ Chính trị",
) -> int:
    doc_id = app.db.execute(
        "INSERT INTO documents (path, title, number, issued, issuer, version, size, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, '2024-03-01T00:00:00+00:00')",
        (f"/docs/{number or title}.txt", title, number, issued, issuer, version),
    ).lastrowid
    for actor, task, due, period, *due_text in duties:  # (actor, task, due, period[, due_text])
        app.db.execute(
            "INSERT INTO duties (document_id, actor, task, due_date, period, due_text, sentence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc_id, actor, task, due, period, (due_text or [None])[0], f"{actor} {task[0].lower()}{task[1:]}."),
        )
    return doc_id


def pin_now(app: App, moment: datetime) -> None:
    """Make ``app.now()`` return ``moment`` (UTC)."""
    app.now = lambda: moment.astimezone(UTC)  # type: ignore[method-assign]


def person_id(app: App, phone: str) -> int:
    return app.db.execute("SELECT id FROM people WHERE phone = ?", (phone,)).fetchone()[0]


def person(app: App, phone: str, channel: str = "telegram") -> roster.Person:
    """The roster person with this phone, acting through ``channel`` (for permission checks)."""
    found = roster.get_person(app, person_id(app, phone))
    assert found is not None
    return replace(found, channel=channel)


def assign_all(app: App, doc_id: int, due: date = date(2024, 4, 15), **kwargs) -> int:
    return assignments.create_assignment(app, None, doc_id, due, **kwargs)
