"""Progress of long commands: a tqdm bar on a terminal, plain periodic lines otherwise, and the
commands that report it (ingest, roster import, export)."""

from __future__ import annotations

import io
from pathlib import Path

from bot.cli import main
from bot.ops.progress import Progress, Stages, duration_text
from tests.ledger_support import PEOPLE, add_document, assign_all, load_province, people_rows, write_csv

REPO = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_are_throttled_and_the_last_one_always_comes():
    out = io.StringIO()
    with Progress("Nhúng đoạn văn", "đoạn", out, interval=3600) as progress:
        for done in range(1, 101):
            progress(done, 100)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Nhúng đoạn văn: 1/100 đoạn (1\u00a0%), còn khoảng ")
    assert lines[1] == "Nhúng đoạn văn: 100/100 đoạn (100\u00a0%)"


def test_a_terminal_gets_a_tqdm_bar_with_counts():
    out = Terminal()
    with Progress("Đọc văn bản", "tệp", out) as progress:
        for done in range(1, 4):
            progress(done, 3)
    text = out.getvalue()
    assert "\r" in text and "Đọc văn bản" in text and "3/3" in text


def test_stages_open_one_progress_per_kind():
    out = io.StringIO()
    with Stages({"chunks": ("Nhúng đoạn văn", "đoạn"), "sentences": ("Nhúng câu", "câu")}, out) as stages:
        stages("chunks", 2, 2)
        stages("sentences", 5, 5)
    assert out.getvalue().splitlines() == ["Nhúng đoạn văn: 2/2 đoạn (100\u00a0%)", "Nhúng câu: 5/5 câu (100\u00a0%)"]


def test_durations_read_like_an_operator_says_them():
    assert [duration_text(s) for s in (4.6, 150, 3600, 4800)] == ["5 giây", "2 phút", "1 giờ", "1 giờ 20 phút"]


def test_ingest_reports_files_then_passages_embedded(app, capsys):
    assert main(["ingest", str(REPO / "tests" / "data" / "knowledge")]) == 0
    err = capsys.readouterr().err
    assert "Đọc văn bản: 3/3 tệp (100\u00a0%)" in err
    embedded = [line for line in err.splitlines() if line.startswith("Nhúng đoạn văn:")]
    assert embedded and embedded[-1].endswith("(100\u00a0%)")


def test_roster_import_and_export_report_rows(app, tmp_path, capsys):
    assert main(["roster", "import", str(write_csv(tmp_path / "roster.csv", people_rows()))]) == 0
    assert f"Nhập danh sách: {len(PEOPLE)}/{len(PEOPLE)} dòng (100\u00a0%)" in capsys.readouterr().err
    assign_all(app, add_document(app))
    assert main(["export", "acks", "--format", "csv", "--out", str(tmp_path / "acks.csv")]) == 0
    assert f"Xuất báo cáo: {len(PEOPLE)}/{len(PEOPLE)} dòng (100\u00a0%)" in capsys.readouterr().err


def test_an_export_narrowed_to_a_unit_still_ends_complete(app, tmp_path, capsys):
    load_province(app, tmp_path)
    assign_all(app, add_document(app))
    assert (
        main(["export", "acks", "--format", "xlsx", "--unit", "Huyện ủy Duy Xuyên", "--out", str(tmp_path / "a.xlsx")])
        == 0
    )
    assert "Xuất báo cáo: 2/2 dòng (100\u00a0%)" in capsys.readouterr().err
