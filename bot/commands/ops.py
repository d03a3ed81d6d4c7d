"""``quantriet backup | restore | status``: keeping the store (the evidence) safe, and seeing the
installation's state, from a terminal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.app import App
from bot.ops import backup, status


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu (an toàn khi serve đang chạy)")
    p.add_argument("--to", type=Path, metavar="DIR", help="thư mục đích (mặc định [backup] dir; không xóa bản cũ ở đó)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="khôi phục cơ sở dữ liệu từ một bản sao lưu (hãy dừng serve trước)")
    p.add_argument("file", type=Path, metavar="FILE", help="tệp quantriet-….db")
    p.add_argument("--force", action="store_true", help="khôi phục cả khi bản sao lưu cũ hơn hoặc khác chuỗi hiện tại")
    p.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ thay gì, không khôi phục")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("status", help="tình trạng hệ thống: kho văn bản, danh sách, đợt quán triệt, hàng đợi, sao lưu")
    p.add_argument("--json", action="store_true", help="in một đối tượng JSON (cho giám sát)")
    p.set_defaults(func=cmd_status)


def cmd_backup(app: App, args: argparse.Namespace) -> int:
    made = backup.backup(app, args.to)
    check = made.check
    print(made.path)
    print(f"Kiểm tra bản sao: toàn vẹn {check.integrity}; sổ xác nhận {check.rows} hàng, mã băm cuối {check.head_hash}")
    if not check.chain_ok:
        print(f"CẢNH BÁO: sổ xác nhận không toàn vẹn: {check.problem}")
        return 1
    return 0


def cmd_restore(app: App, args: argparse.Namespace) -> int:
    plan = backup.plan_restore(app, args.file)
    for line in plan.lines():
        print(line)
    if plan.refusal:
        print(f"Cảnh báo: {plan.refusal}.")
    if args.dry_run:
        return 0
    kept = backup.restore(app, plan, force=args.force)
    if kept is not None:
        print(f"Tệp cũ được giữ tại: {kept}")
    print("Đã khôi phục. Hãy chạy `quantriet ingest` để đồng bộ chỉ mục tìm kiếm, rồi khởi động lại serve.")
    return 0


def cmd_status(app: App, args: argparse.Namespace) -> int:
    found = status.collect(app)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        print("\n".join(status.lines(found)))
    return 0
