"""Answer quality and latency: hit@1, hit@3, abstention, and ask() p50/p95 vs the query embedding.

    .venv/bin/python bench/bench_answers.py                 # dev + synthetic, fresh ingest
    .venv/bin/python bench/bench_answers.py --data /tmp/q   # reuse an ingested folder
    .venv/bin/python bench/bench_answers.py --set retrieval.fusion='"rrf"'
    .venv/bin/python bench/bench_answers.py --unaccented    # the same questions typed without marks
    .venv/bin/python bench/bench_answers.py --half report ../shared/eval/chat.jsonl  # the half not tuned on

Targets (issue 2): dev hit@1 ≥ 90 % with every out-of-scope question declined; in-process ask
p95 ≤ 2 × the p95 of embedding the query alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import date

from common import DEV, SYNTHETIC, add_common_args, ingest, make_app

from bot.core.answers.evaluation import HALVES, load_cases, percentile, run, split
from knowledge.text import strip_marks

TODAY = date(2026, 11, 25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument("files", nargs="*", default=[str(DEV), str(SYNTHETIC)])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the questions")
    parser.add_argument("--failures", action="store_true", help="print each failing answer")
    parser.add_argument(
        "--unaccented", action="store_true", help="strip every diacritic from the questions (robustness check)"
    )
    parser.add_argument(
        "--half", choices=("all", *HALVES), default="all", help="only the tuning or the reporting half of each file"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # Every pass asks the same questions: with the caches of question vectors and search results
    # the timing passes would measure a dictionary look-up, not an answer.
    args.set = ["embeddings.query_cache=0", "retrieval.result_cache=0", *args.set]
    app = make_app(args)
    if app.searcher.empty:
        seconds = ingest(app)
        print(f"ingested in {seconds:.1f} s")
        app.__dict__.pop("searcher", None)

    out = {}
    all_cases = []
    for path in args.files:
        cases = split(load_cases(path), args.half)
        if args.unaccented:
            cases = [dataclasses.replace(c, question=strip_marks(c.question)) for c in cases]
        all_cases += cases
        report = run(app, cases, TODAY)
        out[path] = report.to_json()
        print(f"== {path}\n{report.format()}")
        if args.failures:
            for r in report.results:
                if not r.passed:
                    print(f"-- {r.case.id} {r.case.question} → {r.case.expect}\n{r.answer.answer}")

    if args.repeat:  # (0: quality only)
        out["latency"] = latency(app, all_cases, args.repeat)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))


def latency(app, cases: list, repeat: int) -> dict[str, float]:
    """ask() against embedding the same question alone, ``repeat`` passes, model warm."""
    searcher = app.searcher
    questions = [c.question for c in cases]
    embed_times, ask_times = [], []
    for _ in range(repeat):
        for q in questions:
            query = searcher.parse(q)
            t = time.perf_counter()
            searcher.embed(query)
            embed_times.append(time.perf_counter() - t)
        ask_times += [r.seconds for r in run(app, cases, TODAY).results]
    timing = {
        "embed_p50_ms": percentile(embed_times, 0.5) * 1000,
        "embed_p95_ms": percentile(embed_times, 0.95) * 1000,
        "ask_p50_ms": percentile(ask_times, 0.5) * 1000,
        "ask_p95_ms": percentile(ask_times, 0.95) * 1000,
    }
    timing["ratio_p95"] = timing["ask_p95_ms"] / timing["embed_p95_ms"]
    print("latency: " + ", ".join(f"{k} {v:.2f}" for k, v in timing.items()))
    return timing


if __name__ == "__main__":
    main()
