"""Many cadres at once: N askers send one question each at the same moment, through the web chat
(``POST /api/send`` of the real `quantriet serve`) and through Telegram (the fake Bot API on
127.0.0.1 delivering to the real python-telegram-bot Application), over the full knowledge set.

Per round: answered count, latency p50/p95/max and the first answer, errors, the worst
``GET /health`` seen while it ran (probed every 50 ms), and memory growth of the process.
``--broadcast N`` runs the rounds again while a broadcast to N Telegram recipients is being
sent; ``--with-ingest`` runs them while a separate ``quantriet ingest`` of the knowledge (into
its own data folder) competes for the CPU.

    .venv/bin/python bench/bench_load.py [--askers 50,100,200] [--broadcast 3000] [--with-ingest]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
from common import DEV, KNOWLEDGE, REPO, add_common_args, ingest, make_app

from bot import serve, store
from bot.app import App
from bot.channels import telegram
from bot.channels import web as web_channel
from bot.channels.web import security
from bot.core.answers.evaluation import percentile
from bot.core.chat.messages import Reply
from bot.core.outbox import broadcasts
from tests.chat_support import add_cadres
from tests.fake_telegram import FakeTelegram

FIRST_CHAT = 7_000_000  # chat ids of the made-up askers start here (or after an earlier run's)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text("ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def add_people(app: App, count: int, channel: str, first: int) -> list[tuple[int, str]]:
    """``count`` active cadres with an account on ``channel`` (ids from ``first``), in one transaction."""
    with store.transaction(app.db):
        return list(add_cadres(app, count, first, channel).items())


def summary(latencies: list[float], asked: int, errors: int, health: list[float], grew: float) -> dict:
    return {
        "askers": asked,
        "answered": len(latencies),
        "errors": errors,
        "first_s": round(min(latencies), 2) if latencies else None,
        "p50_s": round(percentile(latencies, 0.5), 2) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
        "max_s": round(max(latencies), 2) if latencies else None,
        "health_worst_s": round(max(health), 3) if health else None,
        "rss_growth_mb": round(grew, 1),
    }


@contextlib.asynccontextmanager
async def health_probe(origin: str) -> AsyncIterator[list[float]]:
    """GET /health every 50 ms while the block runs; yields the list of latencies."""
    seen: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:
        async with aiohttp.ClientSession() as http:
            while not stop.is_set():
                started = time.perf_counter()
                async with http.get(origin + "/health") as response:
                    await response.read()
                seen.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)

    task = asyncio.create_task(probe())
    try:
        yield seen
    finally:
        stop.set()
        await task


async def web_round(app: App, origin: str, count: int, questions: list[str], first: int) -> dict:
    """``count`` logged-in web cadres POST one question each at once; the answer is logged in
    the chat log before ``/api/send`` returns, so its latency is the request's."""
    people = add_people(app, count, "web", first)
    sessions = []
    for _pid, external_id in people:
        token, session = security.create_session(app, "chat", external_id, timedelta(days=1))
        sessions.append((token, session.csrf))
    latencies: list[float] = []
    errors = 0
    before = rss_mb()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http, health_probe(origin) as health:
        start = asyncio.Event()

        async def ask(n: int) -> None:
            nonlocal errors
            token, csrf = sessions[n]
            await start.wait()
            began = time.perf_counter()
            async with http.post(
                origin + "/api/send",
                json={"text": questions[n % len(questions)]},
                headers={security.CSRF_HEADER: csrf, "Cookie": f"{security.SESSION_COOKIE}={token}"},
            ) as response:
                await response.read()
                if response.status == 200:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1

        tasks = [asyncio.create_task(ask(n)) for n in range(count)]
        await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*tasks)
    return summary(latencies, count, errors, health, rss_mb() - before)


async def telegram_round(
    app: App, fake: FakeTelegram, origin: str, count: int, questions: list[str], first: int
) -> dict:
    """``count`` linked Telegram users send one question each at once; the clock of each stops
    when its answer reaches the fake Bot API."""
    people = add_people(app, count, "telegram", first)
    before = rss_mb()
    latencies: list[float] = []
    async with health_probe(origin) as health:
        began = time.perf_counter()
        for n, (_pid, chat) in enumerate(people):
            fake.text(int(chat), questions[n % len(questions)])
        pending = {chat for _pid, chat in people}
        deadline = began + 120
        while pending and time.perf_counter() < deadline:
            for chat in list(pending):
                if fake.messages(int(chat)):
                    latencies.append(time.perf_counter() - began)
                    pending.discard(chat)
            await asyncio.sleep(0.02)
    return summary(latencies, count, len(pending), health, rss_mb() - before)


def first_free_chat(app: App) -> int:
    """A chat id above every account so far (``--data DIR`` keeps the people of earlier runs)."""
    (highest,) = app.db.execute("SELECT MAX(CAST(external_id AS INTEGER)) FROM accounts").fetchone()
    return max(FIRST_CHAT, (highest or 0) + 1)


async def rounds(
    app: App, fake: FakeTelegram, origin: str, sizes: list[int], questions: list[str], label: str
) -> dict[str, dict]:
    out: dict[str, dict] = {}
    first = first_free_chat(app)
    offset = {"web": first, "telegram": first + sum(sizes)}
    for size in sizes:
        for name in ("web", "telegram"):
            if name == "web":
                result = await web_round(app, origin, size, questions, offset[name])
            else:
                result = await telegram_round(app, fake, origin, size, questions, offset[name])
            offset[name] += size
            out[f"{label}{name}_{size}"] = result
            print(json.dumps({f"{label}{name}_{size}": result}, ensure_ascii=False), flush=True, file=sys.stderr)
            await asyncio.sleep(1)
    return out


@contextlib.contextmanager
def ingest_beside(enabled: bool):
    """A separate `quantriet ingest` of the knowledge into its own data folder (CPU competition)."""
    if not enabled:
        yield None
        return
    env = {**os.environ, "QUANTRIET_DATA_DIR": tempfile.mkdtemp(prefix="quantriet-bench-ingest-")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(KNOWLEDGE)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()


async def run(args: argparse.Namespace) -> dict:
    app = make_app(args)
    ingest(app)  # --data DIR: the second run only checks that nothing changed
    if app.db.execute("SELECT 1 FROM units LIMIT 1").fetchone() is None:
        app.db.execute("INSERT INTO units (name, name_key, kind) VALUES ('Tỉnh thử tải', 'tinh thu tai', 'tỉnh')")
    questions = [json.loads(line)["question"] for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    sizes = [int(n) for n in args.askers.split(",")]
    fake = FakeTelegram()
    await fake.start()
    os.environ["TELEGRAM_BOT_TOKEN"] = fake.token
    os.environ["TELEGRAM_BASE_URL"] = fake.base_url
    service = serve.build(app, (telegram, web_channel), host="127.0.0.1", port=0)
    results: dict = {"cpus": os.cpu_count()}
    async with serve.running(service, "127.0.0.1", 0) as port:
        origin = f"http://127.0.0.1:{port}"
        await asyncio.sleep(2)  # the bot connects (getMe) and starts polling
        with ingest_beside(args.with_ingest):
            results.update(await rounds(app, fake, origin, sizes, questions, "ingest_" if args.with_ingest else ""))
            if args.broadcast:
                people = [pid for pid, _chat in add_people(app, args.broadcast, "telegram", first_free_chat(app))]
                broadcast_id = broadcasts.enqueue(app, "notice", Reply("Thông báo toàn tỉnh."), people)
                service.sender.wake()
                results.update(await rounds(app, fake, origin, sizes, questions, "broadcast_"))
                results["broadcast_sent_meanwhile"] = broadcasts.stats(app, broadcast_id).sent
    await fake.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--askers", default="50,100,200", help="concurrent askers per round, comma-separated")
    parser.add_argument("--broadcast", type=int, default=0, help="also run during a broadcast to this many")
    parser.add_argument("--with-ingest", action="store_true", help="run while another process ingests")
    add_common_args(parser)
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
