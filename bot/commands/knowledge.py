"""``quantriet ingest``, ``quantriet duties`` and ``quantriet documents``: the catalogue on the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.app import App
from bot.catalogue import ingest, refresh
from bot.core.answers.answers import short_date
from bot.core.evidence import documents
from bot.ops.progress import Progress, Stages
from bot.sources import fetch_sources, fetched_urls
from knowledge.catalogue import IngestReport, list_documents, list_duties
from knowledge.fetch import is_url

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ingest", help="nạp/cập nhật văn bản và chỉ mục tìm kiếm")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="tệp, thư mục hoặc địa chỉ http(s):// của văn bản (bỏ trống: các thư mục trong config.toml "
        "[knowledge] và kiểm tra lại các địa chỉ đã tải)",
    )
    p.set_defaults(func=cmd_ingest)

    p = subparsers.add_parser("duties", help="liệt kê nhiệm vụ: ai làm gì, thời hạn")
    p.add_argument("--actor", help='chủ thể (gõ có hoặc không dấu, ví dụ: "HĐND", "ban tuyen giao")')
    p.add_argument("--document", metavar="NUMBER", help="số hoặc tên văn bản (ví dụ: 69-KL/TW)")
    p.set_defaults(func=cmd_duties)

    p = subparsers.add_parser("documents", help="liệt kê văn bản trong kho")
    p.add_argument("--all", action="store_true", help="kể cả văn bản đã gỡ (tệp không còn)")
    p.add_argument("--main", action="store_true", help="chỉ in ký hiệu của văn bản chính (giao quán triệt đầu tiên)")
    p.set_defaults(func=cmd_documents)


# What the search refresh reports progress on (embeddings.search.refresh kinds).
EMBEDDING_STAGES = {"chunks": ("Nhúng đoạn văn", "đoạn"), "sentences": ("Nhúng câu", "câu")}


def cmd_ingest(app: App, args: argparse.Namespace) -> int:
    """Given paths and URLs, or (none given) the configured folders plus every URL fetched before,
    re-checked so that a changed text online is refreshed."""
    urls = [p for p in args.paths if is_url(p)] if args.paths else fetched_urls(app)
    fetched, failures = fetch_sources(app, urls)
    with Progress("Đọc văn bản", "tệp") as progress:
        if args.paths:
            files = [Path(p) for p in args.paths if not is_url(p)] + fetched
            report = ingest(app, files, progress) if files else IngestReport()
        else:
            report = ingest(app, progress=progress)  # the fetched copies are read with the configured folders
    report.errors[:0] = failures
    print(report.summary())
    if not _refresh_search(app, report):
        return 1
    if args.paths and report.errors and report.ingested == 0:
        return 1
    return 0


def _refresh_search(app: App, report: IngestReport) -> bool:
    """Bring the search indexes in line with the catalogue (they also catch up after a failed run)."""
    try:
        with Stages(EMBEDDING_STAGES) as stages:
            result = refresh(app, stages)
    except Exception as exc:  # the catalogue is saved; the index catches up on the next run
        log.exception("search refresh failed")
        print(f"Không cập nhật được chỉ mục tìm kiếm: {exc}. Văn bản đã lưu; hãy chạy lại `quantriet ingest`.")
        return False
    if report.changed or result.changed:
        print(result.summary())
    return True


def cmd_duties(app: App, args: argparse.Namespace) -> int:
    rows = list_duties(app.db, actor=args.actor, document=args.document)
    if not rows:
        print(
            "Không có nhiệm vụ nào khớp."
            if (args.actor or args.document)
            else "Chưa có nhiệm vụ nào: hãy nạp văn bản bằng `quantriet ingest`."
        )
        return 0
    for r in rows:
        when = r["due_text"] or r["period"] or "không nêu thời hạn"
        if r["due_date"]:
            when = f"{short_date(r['due_date'])} ({when})"
        source = r["number"] or r["title"]
        where = f" – {r['section_path']}" if r["section_path"] else ""
        print(f"• {r['actor']}: {r['task']}\n  Thời hạn: {when}\n  Nguồn: {source}{where}")
    print(f"Tổng cộng: {len(rows)} nhiệm vụ.")
    return 0


def cmd_documents(app: App, args: argparse.Namespace) -> int:
    if args.main:
        main = documents.main_document(app)
        if main is None:
            print("Kho văn bản trống: hãy nạp văn bản bằng `quantriet ingest`.", file=sys.stderr)
            return 1
        print(main.reference)  # alone on stdout: scripts capture it
        return 0
    rows = list_documents(app.db, include_removed=args.all)
    if not rows:
        print("Kho văn bản trống: hãy nạp văn bản bằng `quantriet ingest`.")
        return 0
    for r in rows:
        number = documents.short_reference(r["id"], r["number"])
        issued = f", ban hành {short_date(r['issued'])}" if r["issued"] else ""
        removed = " [đã gỡ]" if r["removed_at"] else ""
        print(
            f"{number} | {r['title']}{issued}{removed}\n"
            f"    phiên bản {r['version'][:10]} · {r['chunks']} đoạn · {r['duties']} nhiệm vụ · {r['path']}"
        )
    print(f"Tổng cộng: {len(rows)} văn bản.")
    return 0
