"""`quantriet ask`: one question, the stdin batch mode (a real subprocess), the interactive loop."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys

from bot.cli import main
from tests.conftest import REPO

QUESTIONS = [
    "Thời hạn hoàn thành phổ biến, quán triệt Kết luận 901 trong tỉnh là khi nào?",
    "",
    "Thời tiết Hội An ngày mai thế nào?",
    "han xay dung ke hoach thuc hien ket luan 901",
]


def _quantriet() -> list[str]:
    exe = REPO / ".venv" / "bin" / "quantriet"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]


def test_batch_mode_one_json_object_per_line(fixture_copy):
    proc = subprocess.run(
        [*_quantriet(), "ask", "--json", "--today", "2026-11-25"],
        input="\n".join(QUESTIONS) + "\n",
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "QUANTRIET_DATA_DIR": str(fixture_copy.data_dir)},
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    objects = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["question"] for o in objects] == QUESTIONS
    for o in objects:
        assert {"question", "answer", "confident", "sources", "deadlines"} <= set(o)
    assert objects[0]["confident"] and "15/5/2030" in objects[0]["answer"]
    assert not objects[1]["confident"] and objects[1]["status"] == "invalid"
    assert not objects[2]["confident"] and "cán bộ tuyên giáo" in objects[2]["answer"]
    assert objects[3]["confident"] and "31/5/2030" in objects[3]["answer"]


def test_one_question(fixture_copy, capsys):
    assert main(["ask", QUESTIONS[0], "--json", "--today", "2026-11-25"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["confident"] and data["deadlines"]
    assert main(["ask", QUESTIONS[0]]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Theo ") and "Nguồn:" in out and "1. " in out


def test_interactive_loop(fixture_copy, capsys, monkeypatch):
    typed = iter([QUESTIONS[0], QUESTIONS[2], ""])
    prompts = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", fake_input)
    assert main(["ask"]) == 0
    out = capsys.readouterr().out
    assert prompts == ["Câu hỏi: "] * 3
    assert "15/5/2030" in out and "cán bộ tuyên giáo" in out


def test_interactive_loop_ends_on_eof(fixture_copy, monkeypatch):
    def eof(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", eof)
    assert main(["ask"]) == 0


def test_empty_catalogue_says_to_ingest(app, capsys):
    assert main(["ask", "Thời hạn quán triệt?"]) == 1
    assert "quantriet ingest" in capsys.readouterr().err
