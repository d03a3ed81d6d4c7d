"""Ledger throughput: 10,000 acknowledgements from 10,000 people through ``ledger.acknowledge``,
one writer and then 8 concurrent writers (each with its own connection), checking that nothing is
lost and the hash chain stays valid.

    .venv/bin/python bench/bench_ledger.py [--people 10000] [--writers 8]
"""

from __future__ import annotations

import argparse
import shutil
import threading
import time
from datetime import date

from common import add_common_args, make_app

from bot.app import App
from bot.core.evidence import assignments, ledger
from bot.core.roster import roster


def build_roster(app: App, people: int, folder) -> float:
    """A province of 18 districts × 6 communes, imported from a CSV through the roster import."""
    path = folder / "roster.csv"
    with path.open("w", encoding="utf-8-sig") as fh:
        fh.write("Họ và tên,Đơn vị,Số điện thoại\n")
        for i in range(people):
            district, commune = i % 18, (i // 18) % 6
            fh.write(f"Cán bộ số {i},Tỉnh ủy Quảng Nam > Huyện {district} > Xã {district}-{commune},09{i:08d}\n")
    started = time.perf_counter()
    report = roster.import_roster(app, None, path)
    assert report.imported and report.created == people, report.summary()
    return time.perf_counter() - started


def assigned_province(description: str | None, people: int) -> tuple[App, argparse.Namespace, int]:
    """The command line (``--people``, ``--data``, ``--set``), its app, a province of ``--people``
    cadres and one assignment covering them all: the start of the ledger-scale benches."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--people", type=int, default=people)
    add_common_args(parser)
    args = parser.parse_args()
    app = make_app(args)
    build_roster(app, args.people, app.data_dir)
    return app, args, assignments.create_assignment(app, None, add_document(app, "v1"), date(2024, 4, 15))


def add_document(app: App, version: str) -> int:
    return app.db.execute(
        "INSERT INTO documents (path, title, number, version, size, ingested_at) VALUES (?, ?, ?, ?, 1, ?)",
        (f"/bench/{version}", "Kết luận 69", "69-KL/TW", version, "2024-03-01T00:00:00+00:00"),
    ).lastrowid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=8)
    add_common_args(parser)
    args = parser.parse_args()
    app = make_app(args)
    import_seconds = build_roster(app, args.people, app.data_dir)

    # one writer
    first = assignments.create_assignment(app, None, add_document(app, "v1"), date(2024, 4, 15))
    ids = assignments.member_ids(app, first)
    started = time.perf_counter()
    for pid in ids:
        ledger.acknowledge(app, pid, first, "telegram")
    sequential = time.perf_counter() - started

    # N writers, each with its own App (connection), on a new document version (a new round)
    app.db.execute("UPDATE documents SET version = 'v2'")
    second = assignments.create_assignment(app, None, 1, date(2024, 6, 30))
    errors: list[BaseException] = []

    def writer(chunk: list[int]) -> None:
        own = App(app.config)
        try:
            for pid in chunk:
                ledger.acknowledge(own, pid, second, "zalo")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(ids[i :: args.writers],)) for i in range(args.writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrent = time.perf_counter() - started
    written = app.db.execute("SELECT COUNT(*) FROM acks WHERE version = 'v2'").fetchone()[0]

    started = time.perf_counter()
    result = ledger.verify(app)
    verify_seconds = time.perf_counter() - started

    n = len(ids)
    if not args.data:
        shutil.rmtree(app.data_dir, ignore_errors=True)
    print(f"| ledger, {n:,} people | value |")
    print("|---|---|")
    print(f"| roster import, {n:,} rows (CSV) | {import_seconds:.2f} s ({n / import_seconds:,.0f} rows/s) |")
    print(f"| acknowledge, 1 writer | {n / sequential:,.0f} rows/s ({sequential:.2f} s) |")
    print(
        f"| acknowledge, {args.writers} writers (own connections) | {n / concurrent:,.0f} rows/s ({concurrent:.2f} s) |"
    )
    print(f"| concurrent run: written / expected, errors | {written:,} / {n:,}, {len(errors)} |")
    print(
        f"| verify {result.rows:,} rows | {verify_seconds:.2f} s, chain {'valid' if result.ok else 'BROKEN: ' + str(result.reason)} |"
    )
    if errors or written != n or not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
