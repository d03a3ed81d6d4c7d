"""Evidence export at provincial scale: 70,000 people × 1 assignment (about 60% confirmed) to XLSX
and CSV: seconds, and peak Python memory (tracemalloc, in a second run so tracing does not slow the
timed one). Also times the per-unit progress report and the attendance import used to fill the ledger.

    .venv/bin/python bench/bench_export.py [--people 70000]
"""

from __future__ import annotations

import resource
import shutil
import time
import tracemalloc

from bench_ledger import assigned_province

from bot.core.evidence import assignments, exports, ledger, reports


def main() -> None:
    app, args, assignment = assigned_province(__doc__, 70_000)

    sheet = app.data_dir / "hoi-nghi.csv"
    with sheet.open("w", encoding="utf-8-sig") as fh:
        fh.write("Họ và tên,Số điện thoại\n")
        for i in range(args.people):
            if i % 5 < 3:
                fh.write(f"Cán bộ số {i},09{i:08d}\n")
    started = time.perf_counter()
    report = ledger.import_attendance(app, None, sheet, assignment)
    import_seconds = time.perf_counter() - started
    assert report.imported, report.summary()

    started = time.perf_counter()
    progress = reports.compute_progress(app, assignments.get_assignment(app, assignment))
    progress_seconds = time.perf_counter() - started

    rows = ["| export (70,000-person scale) | seconds | peak Python memory | file size |", "|---|---|---|---|"]
    for fmt in ("xlsx", "csv"):
        out = app.data_dir / f"export.{fmt}"
        started = time.perf_counter()
        exports.export_acks(app, None, fmt, out, assignment_id=assignment)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        exports.export_acks(app, None, fmt, out, assignment_id=assignment)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(
            f"| {fmt.upper()}, {args.people:,} detail rows | {seconds:.2f} | {peak / 2**20:.1f} MiB | "
            f"{out.stat().st_size / 2**20:.1f} MiB |"
        )
    print("| set-up | value |\n|---|---|")
    print(
        f"| attendance import, {report.recorded:,} acknowledgements | {import_seconds:.2f} s "
        f"({report.recorded / import_seconds:,.0f} rows/s) |"
    )
    print(f"| progress report, {len(progress.units)} units | {progress_seconds * 1000:.0f} ms |")
    print()
    print("\n".join(rows))
    print(
        f"\nWhole bench process peak RSS (roster, ledger and both exports): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    if not args.data:
        shutil.rmtree(app.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
