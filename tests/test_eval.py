"""`quantriet eval` scoring, and the dev set as a regression floor (no timing asserts)."""

from __future__ import annotations

import json
from datetime import date

from bot.cli import main
from bot.core.answers.answers import Answer, Source
from bot.core.answers.evaluation import Case, contains_fact, load_cases, run, score
from tests.conftest import DEV_EVAL, FIXTURE_QUESTIONS


def test_fact_comparison_ignores_tone_placement_case_and_spacing():
    assert contains_fact(
        "Đảng đoàn HĐND tỉnh chỉ đạo việc cụ thể hoá,  hoàn thiện cơ chế", ["cụ thể hóa, hoàn thiện cơ chế"]
    )
    assert contains_fact("THUỶ ĐIỆN", ["thủy điện"])
    assert not contains_fact("15/4/2024", ["30/4/2024"])


def test_scoring_one_case():
    case = Case("d1", "deadline", "q", ("15/4/2024",))
    answer = Answer(
        "q", "… trước ngày 15/4/2024 …", True, [Source("t", "69-KL/TW", "7.", "trước ngày 15/4/2024", 0.9, 1)]
    )
    r = score(case, answer, 0.01)
    assert r.hit1 and r.hit3 and r.exact1 and r.passed
    declined = score(case, Answer("q", "Xin lỗi", False), 0.01)
    assert not declined.hit1 and declined.declined and not declined.passed
    abstain = score(Case("x1", "abstain", "q", ()), Answer("q", "Xin lỗi", False), 0.01)
    assert abstain.passed


def test_dev_set_floor(knowledge_app):
    report = run(knowledge_app, load_cases(DEV_EVAL), date(2026, 11, 25))
    assert report.abstention == 1.0
    assert report.hit1 >= 0.8, report.format()
    assert report.hit3 >= 0.8
    assert not report.wrongly_declined


def test_fixture_questions_floor(fixture_app):
    """The same floor on the fictional test texts, so a fresh clone checks answering too."""
    report = run(fixture_app, load_cases(FIXTURE_QUESTIONS), date(2026, 11, 25))
    assert report.abstention == 1.0
    assert report.hit1 >= 0.8, report.format()
    assert not report.wrongly_declined


def test_eval_command_output(fixture_copy, capsys, tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [line for line in FIXTURE_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases.write_text("\n".join(lines[:3] + lines[-1:]) + "\n", encoding="utf-8")
    assert main(["eval", str(cases), "--today", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    for label in ("hit@1", "hit@3", "Độ chính xác từ chối", "p50", "p95", "Câu sai"):
        assert label in out
    assert main(["eval", str(cases), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] == 4 and data["abstain"] == 1 and 0 <= data["hit@1"] <= 1
    assert isinstance(data["failing"], list) and data["p95_ms"] >= data["p50_ms"]


def test_eval_command_bad_file(fixture_copy, capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "x"}\nnot json\n', encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    assert "dòng 2" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 2
