"""Broadcast throughput: the outbox sender and the real Telegram adapter (python-telegram-bot)
against the fake Bot API, which runs in its own process so it does not share the bot's CPU.

Two runs, each in a fresh process (so the peak memory is the run's own):
1. ``--count`` recipients (default 10,000) at ``--rate`` (default 30/s, Telegram's limit): the
   achieved rate must be ≥ 95 % of the limit and every recipient must get exactly one message
   (~6 minutes at the defaults);
2. ``--fast-count`` recipients with the limit raised to ``--fast-rate`` (default 1,000/s): how
   many messages per second the sender itself can push (the software ceiling), and peak memory.

    .venv/bin/python bench/bench_broadcast.py [--count 10000] [--rate 30] [--fast-count 10000]
        [--fast-rate 1000] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import subprocess
import sys
import time
import urllib.request
from queue import Empty

from common import REPO, add_common_args, make_app

from bot.app import App
from bot.channels.telegram import TelegramChannel, TelegramSettings
from bot.core.chat.conversation import Conversation
from bot.core.chat.messages import Button, Reply
from bot.core.outbox import broadcasts
from bot.core.outbox.sender import Sender

TOKEN = "123456:TEST-fake-token"
OFFICER_CHAT = "1"
MESSAGE = Reply(
    "Thông báo: Hội nghị quán triệt Kết luận 69-KL/TW lúc 8h00 ngày 10/4/2024 tại hội trường Tỉnh ủy.",
    [[Button("Xem hạn chót và nhiệm vụ", "doc:1")]],
)


def populate(app: App, count: int) -> list[int]:
    """``count`` cadres with a Telegram account each, plus the officer who sends."""
    with app.db.conn:
        app.db.conn.executemany(
            "INSERT INTO people (id, full_name, name_key, role, status, created_at) VALUES (?, ?, ?, 'cadre', 'active', '2024')",
            [(n, f"Cán bộ {n}", f"can bo {n}") for n in range(1, count + 2)],
        )
        app.db.conn.executemany(
            "INSERT INTO accounts (channel, external_id, person_id) VALUES ('telegram', ?, ?)",
            [(str(n), n) for n in range(1, count + 2)],  # person 1 is the officer, chat "1"
        )
    return list(range(2, count + 2))


class Timed:
    """The Telegram transport, recording when each message to a recipient was delivered (the
    officer's progress messages share the rate limit but are not counted)."""

    def __init__(self, inner: TelegramChannel) -> None:
        self.inner, self.channel, self.can_edit = inner, inner.channel, inner.can_edit
        self.done: list[float] = []

    async def send(self, external_id: str, reply: Reply) -> str | None:
        ref = await self.inner.send(external_id, reply)
        if external_id != OFFICER_CHAT:
            self.done.append(time.perf_counter())
        return ref


def start_fake() -> tuple[subprocess.Popen, str]:
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_telegram", "--token", TOKEN],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = fake.stdout.readline().strip()  # type: ignore[union-attr]
    return fake, base_url


async def run(args: argparse.Namespace, count: int, rate: float) -> dict:
    args.set += [
        f"broadcast.rate_per_second={rate}",
        f"broadcast.concurrency={args.concurrency}",
        "broadcast.progress_seconds=5",
    ]
    app = make_app(args)
    people = populate(app, count)
    fake, base_url = start_fake()
    try:
        channel = TelegramChannel(Conversation(app), TelegramSettings(base_url=base_url), TOKEN)
        await channel.open()
        transport = Timed(channel)
        sender = Sender(app)
        sender.add_transport(transport)
        started = time.perf_counter()
        broadcast_id = broadcasts.enqueue(app, "broadcast", MESSAGE, people, origin=("telegram", OFFICER_CHAT))
        queued = time.perf_counter() - started
        sender.start()
        while app.db.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0] != "done":
            await asyncio.sleep(0.2)
        await sender.stop()
        await channel.stop()
        with urllib.request.urlopen(base_url.removesuffix("/bot") + "/_fake/summary") as response:
            summary = json.load(response)
    finally:
        fake.terminate()
        fake.wait()
    received = summary["sent"]
    per_recipient = [received.get(str(p), 0) for p in people]
    span = transport.done[-1] - transport.done[0]
    return {
        "recipients": count,
        "limit_per_s": rate,
        "concurrency": args.concurrency,
        "queue_seconds": round(queued, 2),
        "send_seconds": round(span, 1),
        "achieved_per_s": round((len(transport.done) - 1) / span, 1),
        "share_of_limit": round((len(transport.done) - 1) / span / rate, 3),
        "lost": sum(1 for n in per_recipient if n == 0),
        "duplicates": sum(n - 1 for n in per_recipient if n > 1),
        "api_calls": summary["calls"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _child(args: argparse.Namespace, count: int, rate: float, queue: multiprocessing.Queue) -> None:
    queue.put(asyncio.run(run(args, count, rate)))


def in_fresh_process(args: argparse.Namespace, count: int, rate: float) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(args, count, rate, queue))
    child.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not child.is_alive():
                raise SystemExit(f"the run of {count} at {rate}/s failed (exit code {child.exitcode})") from None
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--fast-count", type=int, default=10_000)
    parser.add_argument("--fast-rate", type=float, default=1000.0)
    parser.add_argument("--concurrency", type=int, default=1, help="[broadcast] concurrency")
    add_common_args(parser)
    args = parser.parse_args()
    if args.data:
        parser.error("--data is not supported here: each run needs an empty database")
    for count, rate in ((args.count, args.rate), (args.fast_count, args.fast_rate)):
        if count:
            print(json.dumps(in_fresh_process(args, count, rate), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
