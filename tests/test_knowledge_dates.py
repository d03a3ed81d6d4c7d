from datetime import date

import pytest

from knowledge.dates import deadlines, find_dates, parse_date


@pytest.mark.parametrize(
    "text",
    ["15/4/2024", "15/04/2024", "15-4-2024", "15.4.2024", "ngày 15 tháng 4 năm 2024", "ngày 15 tháng 04, năm 2024"],
)
def test_day_forms(text):
    (mention,) = find_dates(f"Họp vào {text} tại tỉnh.")
    assert mention.first == mention.last == date(2024, 4, 15)
    assert mention.precision == "day" and mention.kind == "date"
    assert text in mention.text


def test_coarser_forms_and_ranges():
    found = find_dates(
        "tháng 4/2024, tháng 5 năm 2024, quý I/2025, quý 2 năm 2025, năm 2025, 2021 - 2030, "
        "từ năm 2021 đến năm 2025, 6 tháng đầu năm 2025"
    )
    got = [(m.kind, m.precision, m.first, m.last) for m in found]
    assert got == [
        ("date", "month", date(2024, 4, 1), date(2024, 4, 30)),
        ("date", "month", date(2024, 5, 1), date(2024, 5, 31)),
        ("date", "quarter", date(2025, 1, 1), date(2025, 3, 31)),
        ("date", "quarter", date(2025, 4, 1), date(2025, 6, 30)),
        ("date", "year", date(2025, 1, 1), date(2025, 12, 31)),
        ("range", "year", date(2021, 1, 1), date(2030, 12, 31)),
        ("range", "year", date(2021, 1, 1), date(2025, 12, 31)),
        ("date", "half", date(2025, 1, 1), date(2025, 6, 30)),
    ]


def test_deadline_cues_are_part_of_the_mention():
    text = (
        "Thời gian hoàn thành việc phổ biến trước ngày 15/4/2024; xây dựng kế hoạch chậm nhất ngày 30/4/2024; "
        "cơ bản hoàn thành trong năm 2025, tầm nhìn đến năm 2030; hạn chót là 01/05/2024."
    )
    got = [(m.text, m.cue, m.iso) for m in deadlines(text)]
    assert got == [
        ("trước ngày 15/4/2024", "trước", "2024-04-15"),
        ("chậm nhất ngày 30/4/2024", "chậm nhất", "2024-04-30"),
        ("trong năm 2025", "trong", "2025-12-31"),
        ("đến năm 2030", "đến", "2030-12-31"),
        ("hạn chót là 01/05/2024", "hạn chót là", "2024-05-01"),
    ]
    assert all(m.is_deadline for m in deadlines(text))


def test_periods():
    found = find_dates(
        "định kỳ 6 tháng báo cáo; hằng năm tổng kết; hằng quý; hàng tháng; định kỳ sơ kết; 3 tháng một lần"
    )
    assert [(m.text, m.every_months) for m in found] == [
        ("định kỳ 6 tháng", 6),
        ("hằng năm", 12),
        ("hằng quý", 3),
        ("hàng tháng", 1),
        ("định kỳ", None),
        ("3 tháng một lần", 3),
    ]
    assert {m.kind for m in found} == {"period"} and all(m.date is None for m in found)


def test_text_without_marks_is_understood():
    (mention,) = find_dates("han cuoi truoc ngay 15/4/2024")
    assert mention.kind == "deadline" and mention.text == "truoc ngay 15/4/2024"
    assert [m.text for m in find_dates("dinh ky 6 thang bao cao")] == ["dinh ky 6 thang"]


def test_impossible_dates_and_lookalikes_are_ignored():
    assert find_dates("chậm nhất ngày 31/2/2024, tháng 13/2024") == []
    assert find_dates("Kết luận số 69-KL/TW, Luật số 45/2019/QH14, mục 1.1, ngày 15/4") == []
    assert find_dates("") == []


def test_default_year_completes_day_and_month():
    (mention,) = find_dates("trước ngày 15/4", default_year=2024)
    assert mention.iso == "2024-04-15" and mention.kind == "deadline"


def test_parse_date_takes_the_first_day():
    assert parse_date("Hà Nội, ngày 01 tháng 11 năm 2012") == date(2012, 11, 1)
    assert parse_date("năm 2025") is None


def test_offsets_point_into_the_original_text():
    text = "Các cấp ủy hoàn thành trước ngày 15/4/2024."
    (mention,) = find_dates(text)
    assert text[mention.span[0] : mention.span[1]] == mention.text
