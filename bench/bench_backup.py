"""Backup and restore of a province-sized store: how long `quantriet backup` takes (copy, integrity
check, chain check, sha256), whether acknowledgements keep flowing while it runs, and how long a
restore takes.

    .venv/bin/python bench/bench_backup.py [--people 20000]
"""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date

from bench_ledger import assigned_province

from bot.app import App
from bot.core.evidence import assignments, ledger
from bot.ops import backup


def main() -> None:
    app, args, first = assigned_province(__doc__, 20_000)
    ids = assignments.member_ids(app, first)
    for pid in ids:
        ledger.acknowledge(app, pid, first, "telegram")

    started = time.perf_counter()
    idle = backup.backup(app)
    idle_seconds = time.perf_counter() - started

    # the same while a writer (its own connection) acknowledges a new version for everyone
    app.db.execute("UPDATE documents SET version = 'v2'")
    second = assignments.create_assignment(app, None, 1, date(2024, 6, 30))
    during: list[float] = []

    def writer() -> None:
        own = App(app.config)
        for pid in ids:
            ledger.acknowledge(own, pid, second, "zalo")
            during.append(time.perf_counter())

    thread = threading.Thread(target=writer)
    thread.start()
    while not during:
        time.sleep(0.001)
    busy_started = time.perf_counter()
    busy = backup.backup(app)
    busy_ended = time.perf_counter()
    thread.join()
    written_during = sum(1 for t in during if busy_started <= t <= busy_ended)

    started = time.perf_counter()
    plan = backup.plan_restore(app, busy.path)
    backup.restore(app, plan, force=True)
    restore_seconds = time.perf_counter() - started
    restored = ledger.verify(App(app.config))

    mib = idle.size / 2**20
    if not args.data:
        shutil.rmtree(app.data_dir, ignore_errors=True)
    print(f"| backup, {len(ids):,} people | value |")
    print("|---|---|")
    print(
        f"| backup, idle store ({mib:.1f} MiB, {idle.check.rows:,} acks) | {idle_seconds:.2f} s, chain ok: {idle.check.ok} |"
    )
    print(
        f"| backup while 1 writer acknowledges | {busy_ended - busy_started:.2f} s; {written_during:,} acks written meanwhile; "
        f"copy holds {busy.check.rows:,} acks, chain ok: {busy.check.ok} |"
    )
    print(f"| restore (check, keep the replaced file, copy in) | {restore_seconds:.2f} s, chain ok: {restored.ok} |")
    if not (idle.check.ok and busy.check.ok and restored.ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
