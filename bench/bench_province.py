"""A whole province on one machine: 100,000 people in about 1,000 units (the merged Đà Nẵng shape:
a city committee, 94 commune/ward committees with their chi bộ, department committees).

Steps, each timed: the roster import (CSV through ``quantriet roster import``'s code); a
reorganisation merging 100 units with their people from a mapping file (dry run, then applied);
one assignment to everyone; a province-wide broadcast of its study message through the fake
Telegram Bot API and the fake Zalo Bot Platform (each in its own process; half the people on each)
while 8 writers, each with its own connection, record the acknowledgements; then the dashboard,
the progress of every unit, and both exports (each export in a fresh process, for its own peak
memory); the hash chain is verified and nothing may be lost.

``--rate`` is the platform limit per channel (Telegram: 30/s). Sending 100,000 messages at 30/s
takes an hour, so ``--fast-rate`` raises the limit to show the software's own ceiling, and
``--limit-seconds`` adds a short run at the real limit to check the ≥ 95 % target.

    .venv/bin/python bench/bench_province.py [--people 100000] [--units 1000] [--writers 8]
        [--fast-rate 1000] [--rate 30] [--limit-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

from bench_broadcast import TOKEN as TELEGRAM_TOKEN
from bench_broadcast import Timed, start_fake
from bench_ledger import add_document
from common import REPO, add_common_args, make_app

from bot.app import App
from bot.channels.telegram import TelegramChannel, TelegramSettings
from bot.channels.zalo_bot import ZaloBotChannel, ZaloBotSettings
from bot.core.chat import study
from bot.core.chat.conversation import Conversation
from bot.core.evidence import assignments, exports, ledger, reports
from bot.core.outbox import broadcasts
from bot.core.outbox.sender import Sender
from bot.core.roster import reorganise, roster

CITY = "Thành ủy Đà Nẵng"
COMMUNES = 94  # 23 phường, 70 xã, 1 đặc khu
ZALO_TOKEN = "1234567890:fake-zalo-bot-secret"
ZALO_FAKE = """
import asyncio
from aiohttp import web
from tests.fake_zalo import FakeZaloBot

async def main():
    fake = FakeZaloBot()
    async def summary(request):
        return web.json_response({"sent": {k: len(v) for k, v in fake._sent.items()}})
    fake.web.router.add_get("/_fake/summary", summary)
    await fake.start()
    print(fake.base_url, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def commune_name(n: int) -> str:
    if n < 23:
        return f"Đảng ủy phường {n + 1}"
    if n < 93:
        return f"Đảng ủy xã {n - 22}"
    return "Đảng ủy đặc khu Hoàng Sa"


def unit_paths(units: int) -> list[str]:
    """About ``units`` paths: the communes with their chi bộ, and departments with theirs."""
    departments = max(units // 20, 1)
    per_commune = max((units - 1 - COMMUNES - 2 * departments) // COMMUNES, 1)
    paths = []
    for n in range(COMMUNES):
        commune = f"{CITY} > {commune_name(n)}"
        paths += [f"{commune} > Chi bộ {k + 1}" for k in range(per_commune)]
    for n in range(departments):
        paths.append(f"{CITY} > Đảng ủy Sở {n + 1} > Chi bộ Văn phòng Sở {n + 1}")
    return paths


def write_roster(path: Path, people: int, units: int) -> None:
    """The CSV an organisation office would send."""
    paths = unit_paths(units)
    with path.open("w", encoding="utf-8-sig") as fh:
        fh.write("Họ và tên,Đơn vị,Chức vụ,Số điện thoại\n")
        for i in range(people):
            fh.write(f"Đảng viên số {i},{paths[i % len(paths)]},Đảng viên,09{i:08d}\n")


def write_mapping(path: Path, merged: int) -> None:
    """``merged`` chi bộ merged pairwise into new ones (each commune's chi bộ 1 and 2 → "Chi bộ 1-2")."""
    with path.open("w", encoding="utf-8-sig") as fh:
        fh.write("Đơn vị cũ,Đơn vị mới,Thao tác,Ngày hiệu lực\n")
        for n in range(merged // 2):
            commune = f"{CITY} > {commune_name(n)}"
            for k in (1, 2):
                fh.write(f"{commune} > Chi bộ {k},{commune} > Chi bộ 1-2,Hợp nhất,01/07/2025\n")


def report_row(item: tuple[str, str]) -> None:
    """One line of the result table, printed as soon as it is measured (a long run may be cut short)."""
    print(f"| {item[0]} | {item[1]} |", flush=True)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def link_accounts(app: App) -> None:
    """Half the people on Telegram, half on Zalo (external id = the person id)."""
    with app.db.conn:
        app.db.conn.execute(
            "INSERT INTO accounts (channel, external_id, person_id) "
            "SELECT CASE WHEN id % 2 THEN 'telegram' ELSE 'zalo' END, CAST(id AS TEXT), id FROM people"
        )


def start_fake_zalo() -> tuple[subprocess.Popen, str]:
    fake = subprocess.Popen([sys.executable, "-c", ZALO_FAKE], cwd=REPO, stdout=subprocess.PIPE, text=True)
    return fake, fake.stdout.readline().strip()  # type: ignore[union-attr]


def summary_of(base: str) -> dict:
    with urllib.request.urlopen(base + "/_fake/summary") as response:
        return json.load(response)["sent"]


def ack_writers(app: App, assignment_id: int, people: list[int], writers: int) -> tuple[threading.Thread, dict]:
    """Start ``writers`` threads, each with its own connection, confirming ``people`` between them."""
    stats: dict = {"errors": [], "done": 0}

    def write(chunk: list[int]) -> None:
        own = App(app.config)
        try:
            for pid in chunk:
                ledger.acknowledge(own, pid, assignment_id, "telegram" if pid % 2 else "zalo")
                stats["done"] += 1
        except BaseException as exc:  # reported, not raised: the bench must finish and say so
            stats["errors"].append(repr(exc))

    def run_all() -> None:
        started = time.perf_counter()
        threads = [threading.Thread(target=write, args=(people[i::writers],)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats["seconds"] = time.perf_counter() - started

    runner = threading.Thread(target=run_all)
    runner.start()
    return runner, stats


async def broadcast(app: App, people: list[int], rate: float, assignment_id: int) -> dict:
    """Send the study message to ``people`` on both channels at ``rate`` per channel."""
    telegram_fake, telegram_url = start_fake()
    zalo_fake, zalo_url = start_fake_zalo()
    try:
        telegram = TelegramChannel(Conversation(app), TelegramSettings(base_url=telegram_url), TELEGRAM_TOKEN)
        await telegram.open()
        zalo = ZaloBotChannel(app, Conversation(app), ZaloBotSettings(base_url=zalo_url), ZALO_TOKEN)
        timed_telegram, timed_zalo = Timed(telegram), Timed(zalo)
        sender = Sender(app)
        sender.add_transport(timed_telegram)
        sender.add_transport(timed_zalo)
        started = time.perf_counter()
        message = study.assignment_message(app, assignment_id)
        broadcast_id = broadcasts.enqueue(app, "assignment", message, people, assignment_id=assignment_id)
        queued = time.perf_counter() - started
        sender.start()
        while app.db.execute(
            "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND status IN ('pending', 'sending')",
            (broadcast_id,),
        ).fetchone()[0]:
            await asyncio.sleep(0.5)
        await sender.stop()
        await telegram.stop()
        await zalo.api.close()
        sent = {**summary_of(telegram_url.removesuffix("/bot")), **summary_of(zalo_url)}
    finally:
        for fake in (telegram_fake, zalo_fake):
            fake.terminate()
            fake.wait()
    done = sorted(timed_telegram.done + timed_zalo.done)
    span = done[-1] - done[0]
    received = [sent.get(str(p), 0) for p in people]
    return {
        "recipients": len(people),
        "limit_per_channel": rate,
        "queue_seconds": round(queued, 2),
        "send_seconds": round(span, 1),
        "achieved_per_s": round((len(done) - 1) / span, 1),
        "share_of_limit": round((len(done) - 1) / span / (2 * rate), 3),
        "lost": sum(1 for n in received if n == 0),
        "duplicates": sum(n - 1 for n in received if n > 1),
    }


def _export_child(data_dir: str, fmt: str, out: str, queue) -> None:
    os.environ["QUANTRIET_DATA_DIR"] = data_dir
    from bot.config import Config

    app = App(Config.load(REPO / "config.toml"))
    started = time.perf_counter()
    exports.export_acks(app, None, fmt, out)
    queue.put((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def export_in_fresh_process(app: App, fmt: str) -> tuple[float, float, float]:
    """(seconds, peak RSS MiB of that process, file MiB)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    out = app.data_dir / f"export.{fmt}"
    child = context.Process(target=_export_child, args=(str(app.data_dir), fmt, str(out), queue))
    child.start()
    seconds, peak = queue.get(timeout=1800)
    child.join()
    return seconds, peak, out.stat().st_size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--merge", type=int, default=100, help="units merged by the reorganisation file")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--fast-rate", type=float, default=1000.0, help="per-channel limit of the province run")
    parser.add_argument("--broadcast-count", type=int, help="recipients of the fast broadcast (default: everyone)")
    parser.add_argument("--rate", type=float, default=30.0, help="the platform limit per channel")
    parser.add_argument("--limit-seconds", type=float, default=60.0, help="length of the run at --rate (0: skip)")
    add_common_args(parser)
    args = parser.parse_args()
    if args.data:
        parser.error("--data is not supported here: the run needs an empty database")
    args.set += [f"broadcast.rate_per_second={args.fast_rate}"]
    app = make_app(args)
    print(f"| province, {date.today().isoformat()} | value |\n|---|---|", flush=True)

    csv_path = app.data_dir / "roster.csv"
    write_roster(csv_path, args.people, args.units)
    report, seconds = timed(roster.import_roster, app, None, csv_path)
    assert report.imported and report.created == args.people, report.summary()
    report_row((f"roster import, {args.people:,} people in {report.units_created:,} units (CSV)", f"{seconds:.1f} s"))

    mapping = app.data_dir / "sap-xep.csv"
    write_mapping(mapping, args.merge)
    preview, seconds = timed(reorganise.apply_mapping, app, None, mapping, dry_run=True)
    assert not preview.errors, preview.problems()
    applied, apply_seconds = timed(reorganise.apply_mapping, app, None, mapping)
    assert applied.applied, applied.problems()
    report_row(
        (
            f"merger of {args.merge} units ({applied.people_moved:,} people) from a file: dry run / applied",
            f"{seconds:.2f} s / {apply_seconds:.2f} s",
        )
    )

    document = add_document(app, "v1")
    assignment, seconds = timed(assignments.create_assignment, app, None, document, date(2099, 12, 31))
    report_row((f"assignment to everyone ({args.people:,} members)", f"{seconds:.2f} s"))
    link_accounts(app)
    members = assignments.member_ids(app, assignment)

    writer_thread, stats = ack_writers(app, assignment, members, args.writers)
    sent = asyncio.run(broadcast(app, members[: args.broadcast_count], args.fast_rate, assignment))
    writer_thread.join()
    acked = app.db.execute("SELECT COUNT(*) FROM acks").fetchone()[0]
    report_row(
        (
            f"broadcast to {sent['recipients']:,} (Telegram + Zalo), limit {args.fast_rate:g}/s per channel",
            f"{sent['achieved_per_s']:,} msg/s over {sent['send_seconds']} s; lost {sent['lost']}, "
            f"duplicates {sent['duplicates']}",
        )
    )
    report_row(
        (
            f"acknowledgements during the broadcast, {args.writers} writers",
            f"{stats['done'] / stats['seconds']:,.0f} rows/s ({acked:,} rows, {len(stats['errors'])} errors)",
        )
    )
    if args.limit_seconds:
        count = int(2 * args.rate * args.limit_seconds)
        app.db.execute("UPDATE documents SET version = 'v2'")
        second = assignments.create_assignment(app, None, document, date(2099, 12, 31))
        people = assignments.member_ids(app, second)[:count]
        app.config.raw["broadcast"]["rate_per_second"] = args.rate
        writer_thread, limit_stats = ack_writers(app, second, people, args.writers)
        limited = asyncio.run(broadcast(app, people, args.rate, second))
        writer_thread.join()
        report_row(
            (
                f"broadcast to {count:,} at the platform limit ({args.rate:g}/s per channel)",
                f"{limited['achieved_per_s']} msg/s = {100 * limited['share_of_limit']:.1f} % of "
                f"{2 * args.rate:g}/s; lost {limited['lost']}; {limit_stats['done']:,} acks meanwhile",
            )
        )

    record = assignments.get_assignment(app, assignment)
    _, seconds = timed(lambda: [reports.totals(app, a) for a in assignments.list_assignments(app)])
    report_row(("dashboard (every assignment's totals)", f"{seconds * 1000:.0f} ms"))
    progress, seconds = timed(reports.compute_progress, app, record)
    report_row((f"progress of every unit ({len(progress.units):,} rows)", f"{seconds * 1000:.0f} ms"))
    communes = [u.unit_id for u in progress.units if u.depth == 1]
    started = time.perf_counter()
    for unit_id in communes:
        reports.compute_progress(app, record, unit_id)
    per_unit = (time.perf_counter() - started) / max(len(communes), 1)
    report_row((f"one unit's drill-down (mean of {len(communes)})", f"{per_unit * 1000:.0f} ms"))
    _, seconds = timed(reports.compute_progress, app, record, None, date(2025, 6, 30))
    report_row(("progress by the tree of 30/06/2025", f"{seconds * 1000:.0f} ms"))
    for fmt in ("xlsx", "csv"):
        seconds, peak, size = export_in_fresh_process(app, fmt)
        report_row(
            (f"export {fmt.upper()}, all assignments", f"{seconds:.1f} s, peak RSS {peak:.0f} MiB, {size:.1f} MiB")
        )
    verified, seconds = timed(ledger.verify, app)
    report_row((f"ledger verify, {verified.rows:,} rows", f"{seconds:.1f} s, {'valid' if verified.ok else 'BROKEN'}"))
    app.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in app.data_dir.glob("quantriet.db*")) / 2**20
    report_row(("database size", f"{size:.0f} MiB"))
    report_row(("bench process peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))

    shutil.rmtree(app.data_dir, ignore_errors=True)
    if stats["errors"] or sent["lost"] or not verified.ok or acked < len(members):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
