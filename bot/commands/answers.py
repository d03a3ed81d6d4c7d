"""``quantriet ask`` and ``quantriet eval``.

``ask "QUESTION"`` answers one question (``--json`` for the DESIGN.md object). With no QUESTION
it reads stdin: an interactive loop on a terminal ("Câu hỏi: " prompt, empty line or Ctrl-D/C to
quit); otherwise batch mode, one question per line in and one JSON object per line out (every
input line gets an output line, so the two files stay aligned). The model loads once per run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TextIO

from bot.app import App
from bot.core.answers.answers import Answer, ask
from bot.core.answers.evaluation import HALVES, EvalFileError, load_cases, run, split

EMPTY_CATALOGUE = "Chưa có văn bản nào trong hệ thống. Hãy nạp văn bản trước: quantriet ingest [THƯ MỤC...]"
PROMPT = "Câu hỏi: "


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ask", help="hỏi đáp về nội dung văn bản")
    p.add_argument("question", nargs="?", help="câu hỏi (bỏ trống: đọc từ bàn phím hoặc stdin)")
    p.add_argument("--json", action="store_true", help="in đối tượng JSON (như DESIGN.md)")
    p.add_argument("--today", type=date.fromisoformat, help="coi hôm nay là ngày này (YYYY-MM-DD)")
    p.set_defaults(func=cmd_ask)

    p = subparsers.add_parser("eval", help="chấm câu trả lời theo tệp câu hỏi .jsonl")
    p.add_argument("file", help="tệp .jsonl: id, kind, question, expect")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--today", type=date.fromisoformat, help="coi hôm nay là ngày này (YYYY-MM-DD)")
    p.add_argument(
        "--half",
        choices=("all", *HALVES),
        default="all",
        help="chỉ chấm một nửa tệp (tune: nửa dùng để chỉnh tham số, report: nửa để báo cáo)",
    )
    p.set_defaults(func=cmd_eval)


def render(answer: Answer) -> str:
    """An answer as plain text for the terminal: the answer, then the numbered sources."""
    lines = [answer.answer]
    if answer.sources:
        lines.append("Nguồn:")
        for n, s in enumerate(answer.sources, start=1):
            name = s.number or s.document
            where = f" – {s.section}" if s.section else ""
            lines.append(f"  {n}. {name}{where} (điểm {s.score:.2f})")
    return "\n".join(lines)


def _emit(answer: Answer, as_json: bool, out: TextIO) -> None:
    out.write((json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render(answer)) + "\n")
    out.flush()


def cmd_ask(app: App, args: argparse.Namespace) -> int:
    if app.searcher.empty:
        print(EMPTY_CATALOGUE, file=sys.stderr)
        if args.question is not None or sys.stdin.isatty():
            return 1
    if args.question is not None:
        _emit(ask(app, args.question, args.today), args.json, sys.stdout)
        return 0
    if sys.stdin.isatty():
        return _interactive(app, args)
    for line in sys.stdin:  # batch: one JSON object per input line
        _emit(ask(app, line.rstrip("\r\n"), args.today), True, sys.stdout)
    return 0


def _interactive(app: App, args: argparse.Namespace) -> int:
    print("Trợ lý quán triệt. Gõ câu hỏi; để trống rồi Enter (hoặc Ctrl-D) để thoát.")
    while True:
        try:
            question = input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        _emit(ask(app, question, args.today), args.json, sys.stdout)
        print()


def cmd_eval(app: App, args: argparse.Namespace) -> int:
    try:
        cases = load_cases(args.file)
    except (OSError, EvalFileError) as exc:
        print(f"Không đọc được tệp câu hỏi {args.file}: {exc}", file=sys.stderr)
        return 2
    if app.searcher.empty:
        print(EMPTY_CATALOGUE, file=sys.stderr)
        return 1
    report = run(app, split(cases, args.half), args.today)
    print(json.dumps(report.to_json(), ensure_ascii=False) if args.json else report.format())
    return 0
