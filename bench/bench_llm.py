"""The optional language model: answer quality, the verifier's catch rate and the added latency.

    .venv/bin/python bench/bench_llm.py [FILE.jsonl ...] [--data DIR]

A fake OpenAI-compatible server (tests/fake_openai.py) plays the model with scripted answers
built from the passages it is sent: *faithful* restates the passage sentence that shares most
words with the question, citing it; *corrupted* does the same with its first figure changed (an
invented date or number). Reported: expected facts still in the answer with the model on (same
scoring as ``quantriet eval``), drafts shown, corrupted drafts caught, and the time the model step
adds to ``ask`` (p50/p95; the fake answers at once, so this is the software's own cost). To try a
real server instead, set ``--set llm.base_url='"http://HOST:PORT/v1"' --set llm.model='"NAME"'
--real`` (and QUANTRIET_LLM_API_KEY if it wants one).
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import date
from typing import Any

from common import DEV, add_common_args, ingest, make_app

from bot.core.answers import rephrase
from bot.core.answers.answers import ask
from bot.core.answers.evaluation import contains_fact, load_cases, percentile
from tests.fake_openai import FakeOpenAI, Script, faithful

TODAY = date(2026, 11, 25)
_FIGURE = re.compile(r"\d+")


def corrupted(body: dict[str, Any]) -> str:
    return _FIGURE.sub(lambda m: str(int(m[0]) + 1), faithful(body), count=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument("files", nargs="*", default=[str(DEV)])
    parser.add_argument("--real", action="store_true", help="use the configured [llm] server, not the fake")
    args = parser.parse_args()
    app = make_app(args)
    if app.searcher.empty:
        print(f"ingested in {ingest(app):.1f} s")
        app.__dict__.pop("searcher", None)
    cases = [c for path in args.files for c in load_cases(path) if c.expect]
    answers = [ask(app, c.question, TODAY) for c in cases]
    with FakeOpenAI() as fake:
        llm = app.config.raw.setdefault("llm", {})
        llm["enabled"] = True
        if not args.real:
            llm.update(base_url=fake.base_url, model="fake")
        for name, script in (("faithful", faithful), ("corrupted", corrupted)):
            fake.script = Script(reply=script)
            shown = hits = 0
            added: list[float] = []
            for case, base in zip(cases, answers):
                started = time.perf_counter()
                final = rephrase.rephrase(app, base)
                added.append(time.perf_counter() - started)
                shown += final.rephrased
                hits += contains_fact(final.answer, case.expect)
            confident = sum(a.confident for a in answers)
            print(
                f"{name:9}: expected fact in the answer {hits}/{len(cases)}, model drafts shown {shown}/{confident}, "
                f"model step p50 {percentile(added, 0.5) * 1000:.0f} ms / p95 {percentile(added, 0.95) * 1000:.0f} ms"
            )
            if args.real:
                break


if __name__ == "__main__":
    main()
