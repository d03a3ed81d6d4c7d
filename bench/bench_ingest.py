"""Ingest times: from scratch, with nothing changed, and after one paragraph of one file changed.

    .venv/bin/python bench/bench_ingest.py [--data NEW_OR_EMPTY_DIR]

Targets (issue 2): full ingest of ../shared/knowledge < 60 s on this 2-core machine; a no-change
re-ingest < 2 s (measured in-process and as the `quantriet ingest` command).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import KNOWLEDGE, REPO, add_common_args, make_app

from bot import catalogue


def timed_ingest(app, folder: Path) -> tuple[float, object, object]:
    started = time.perf_counter()
    report = catalogue.ingest(app, [folder])
    search = catalogue.refresh(app)
    return time.perf_counter() - started, report, search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quantriet-ingest-"))
    folder = work / "knowledge"
    shutil.copytree(KNOWLEDGE, folder, ignore=shutil.ignore_patterns("raw"))
    args.data = args.data or str(work / "data")  # "from scratch" needs a new or empty folder
    app = make_app(args)

    seconds, report, search = timed_ingest(app, folder)
    print(
        f"from scratch: {seconds:.1f} s ({len(report.added)} documents, {search.chunks} chunks, "
        f"{search.embedded} chunk + {search.sentences_embedded} sentence embeddings)"
    )

    seconds, report, search = timed_ingest(app, folder)
    print(f"no change, in-process: {seconds * 1000:.0f} ms (embedded {search.embedded})")

    started = time.perf_counter()
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "quantriet"), "ingest", str(folder)],
        check=True,
        env={**os.environ, "QUANTRIET_DATA_DIR": args.data},
        stdout=subprocess.DEVNULL,
    )
    print(f"no change, `quantriet ingest` command: {time.perf_counter() - started:.2f} s")

    changed = folder / "nghi-quyet-57.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("Phủ sóng 5G toàn quốc.", "Phủ sóng 5G và 6G toàn quốc."), encoding="utf-8")
    seconds, report, search = timed_ingest(app, folder)
    print(
        f"one paragraph changed: {seconds:.1f} s ({len(report.updated)} document updated; "
        f"embedded {search.embedded} chunk(s) + {search.sentences_embedded} sentence(s), "
        f"reused {search.reused})"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
