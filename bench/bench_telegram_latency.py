"""Question → reply latency through Telegram: the fake Bot API delivers a user's question by
long polling to the real python-telegram-bot Application of `quantriet serve`, the core answers
from the full knowledge set, and the clock stops when the answer reaches the fake server.
For comparison, the same questions answered in-process (``answers.ask`` alone).

    .venv/bin/python bench/bench_telegram_latency.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

from common import DEV, add_common_args, ingest, make_app

from bot import serve
from bot.channels import telegram
from bot.core.answers import answers
from tests.fake_telegram import FakeTelegram

USER = 4242


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * percentile(values, 0.95), 1),
        "max_ms": round(1000 * max(values), 1),
    }


async def run(args: argparse.Namespace) -> dict:
    app = make_app(args)
    empty = app.db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None
    ingest_seconds = ingest(app) if empty else 0.0  # --data DIR: ingest once, reuse after
    questions = [json.loads(line)["question"] for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    answers.ask(app, questions[0])  # load the model once, as `quantriet serve` does at start
    in_process = []
    for question in questions:
        started = time.perf_counter()
        answers.ask(app, question)
        in_process.append(time.perf_counter() - started)
    fake = FakeTelegram()
    await fake.start()
    os.environ["TELEGRAM_BOT_TOKEN"] = fake.token
    os.environ["TELEGRAM_BASE_URL"] = fake.base_url
    service = serve.build(app, (telegram,))
    through_telegram = []
    async with serve.running(service, "127.0.0.1", 0):
        for _ in range(args.rounds):
            for question in questions:
                seen = len(fake.messages(USER))
                started = time.perf_counter()
                fake.text(USER, question)
                await fake.wait_for(lambda seen=seen: len(fake.messages(USER)) > seen, timeout=30)
                through_telegram.append(time.perf_counter() - started)
    await fake.stop()
    return {
        "documents": app.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
        "chunks": app.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
        "ingest_seconds": round(ingest_seconds, 1),
        "in_process_ask": summary(in_process),
        "through_telegram": summary(through_telegram),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="times each dev question is asked")
    add_common_args(parser)
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
