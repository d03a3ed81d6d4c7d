"""Figures shown to people are written the Vietnamese way everywhere: "1.234", "33,3 %"."""

from __future__ import annotations

from bot.channels.web.charts import Bar, completion_chart
from bot.core.evidence.ledger import AttendanceReport
from bot.core.evidence.reports import Progress, UnitProgress
from bot.core.numbers import format_number, format_percent
from bot.core.outbox import delivery_status
from bot.core.outbox.broadcasts import Stats

NBSP = "\u00a0"


def test_thousands_with_dots_and_decimals_with_a_comma() -> None:
    assert format_number(1234) == "1.234" and format_number(70000) == "70.000" and format_number(7) == "7"
    assert format_number(12345.67, 1) == "12.345,7"
    assert format_percent(33.333) == f"33,3{NBSP}%" and format_percent(100.0) == f"100{NBSP}%"
    assert format_percent(75) == f"75{NBSP}%" and format_percent(0) == f"0{NBSP}%"


def test_chat_progress_lines_and_delivery_counts_of_a_province() -> None:
    district = UnitProgress(1, "Huyện ủy Thăng Bình", 0, assigned=1500, on_time=1000, late=234)
    report = Progress(assignment=None, units=[district], total=district)  # type: ignore[arg-type]
    assert report.lines() == [f"Huyện ủy Thăng Bình: 1.234/1.500 (82,3{NBSP}%), trễ hạn 234, chưa xác nhận 266"]
    stats = Stats(1, total=70000, sent=65432, failed=1200, blocked=3, unlinked=1000, pending=2365)
    assert stats.counts() == "đã gửi 65.432/70.000, lỗi 1.200, chặn bot 3, chưa liên kết 1.000, đang chờ 2.365"
    done = Stats(1, total=70000, sent=69000, failed=1000)
    assert delivery_status.status_label("sending", done) == "Đã gửi xong: 69.000/70.000 tin đến nơi"


def test_chart_labels() -> None:
    svg = str(completion_chart([Bar("Xã Bình Dương", 33.3, "1/3")], "Tỷ lệ hoàn thành"))
    assert f">33,3{NBSP}%<" in svg and f">50{NBSP}%</text>" in svg and "33.3%" not in svg


def test_an_attendance_sheet_of_a_province_reports_its_rows_with_dots() -> None:
    report = AttendanceReport(rows=12500, imported=True, recorded=12000, already=500)
    assert report.summary() == "Đã nhập 12.500/12.500 dòng: ghi nhận 12.000 người, 500 người đã xác nhận từ trước."
