"""``quantriet assign | ack import | progress | ledger verify | export acks``: assignments and the
acknowledgement ledger from a terminal. The local operator acts as admin; every action is audited
with channel "cli"."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from bot.app import App
from bot.commands.files import output_file, write_failed
from bot.commands.outbox import add_wait_option, comma_list, follow
from bot.commands.roster import print_import_report, unit_option
from bot.core import clock
from bot.core.chat import study
from bot.core.errors import UserError
from bot.core.evidence import assignments, documents, exports, ledger, reports
from bot.core.numbers import format_number, format_percent
from bot.core.outbox import broadcasts
from bot.core.roster import roster
from bot.ops.progress import Progress


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"ngày “{text}” không hợp lệ (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assign", help="giao một văn bản cho cán bộ quán triệt")
    p.add_argument("--document", required=True, help="số hiệu văn bản, ví dụ 69-KL/TW (hoặc 69, kl69)")
    p.add_argument("--units", type=comma_list, help="các đơn vị, cách nhau bằng dấu phẩy (mặc định: tất cả)")
    p.add_argument("--no-subunits", action="store_true", help="không gồm các đơn vị trực thuộc")
    p.add_argument("--roles", type=comma_list, help="vai trò: cán bộ, tuyên giáo, quản trị (mặc định: tất cả)")
    p.add_argument("--due", required=True, type=_date, help="hạn hoàn thành, YYYY-MM-DD")
    p.add_argument("--check", action="store_true", help="yêu cầu trả lời câu hỏi kiểm tra trước khi xác nhận")
    add_wait_option(p)
    p.set_defaults(func=cmd_assign)

    ack = sub.add_parser("ack", help="xác nhận quán triệt")
    ack_commands = ack.add_subparsers(dest="ack_command", required=True, metavar="LỆNH")
    p = ack_commands.add_parser("import", help="ghi nhận danh sách dự hội nghị quán triệt (CSV/XLSX)")
    p.add_argument("file")
    p.add_argument("--assignment", required=True, type=int, help="số đợt quán triệt")
    p.add_argument("--skip-invalid", action="store_true", help="ghi nhận các dòng hợp lệ, bỏ qua dòng lỗi")
    p.set_defaults(func=cmd_ack_import)

    p = sub.add_parser("progress", help="tiến độ quán triệt theo đơn vị")
    p.add_argument("--assignment", type=int, help="số đợt (mặc định: đợt mới nhất)")
    p.add_argument("--unit", help="chỉ đơn vị này và các đơn vị trực thuộc")
    p.add_argument("--on", type=_date, help="theo cây đơn vị của ngày này (mặc định: hiện nay)")
    p.set_defaults(func=cmd_progress)

    led = sub.add_parser("ledger", help="sổ xác nhận")
    led_commands = led.add_subparsers(dest="ledger_command", required=True, metavar="LỆNH")
    p = led_commands.add_parser("verify", help="kiểm tra chuỗi mã băm của sổ xác nhận")
    p.set_defaults(func=cmd_verify)

    exp = sub.add_parser("export", help="xuất báo cáo")
    exp_commands = exp.add_subparsers(dest="export_command", required=True, metavar="LOẠI")
    p = exp_commands.add_parser("acks", help="xuất sổ xác nhận quán triệt (XLSX/CSV)")
    p.add_argument("--format", choices=sorted(exports.FORMATS), default="xlsx")
    p.add_argument("--assignment", type=int, help="số đợt (mặc định: tất cả)")
    p.add_argument("--unit", help="chỉ đơn vị này và các đơn vị trực thuộc")
    p.add_argument("--since", type=_date, help="xác nhận từ ngày (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, help="xác nhận đến hết ngày (YYYY-MM-DD)")
    p.add_argument("--on", type=_date, help="tổng hợp theo cây đơn vị của ngày này (mặc định: hiện nay)")
    p.add_argument("--out", required=True, help="tệp kết quả")
    p.set_defaults(func=cmd_export)


def cmd_assign(app: App, args: argparse.Namespace) -> int:
    document = documents.find_document(app, args.document)
    if document is None:
        raise UserError(f"Không tìm thấy văn bản “{args.document}” trong kho (hãy chạy quantriet ingest).")
    units = [roster.resolve_unit(app, u).id for u in args.units] if args.units else None
    assignment_id = assignments.create_assignment(
        app,
        None,
        document.id,
        args.due,
        units=units,
        include_subunits=not args.no_subunits,
        roles=args.roles,
        require_check=args.check,
    )
    people = assignments.member_ids(app, assignment_id)
    broadcast_id = broadcasts.enqueue(
        app, "assignment", study.assignment_message(app, assignment_id), people, assignment_id=assignment_id
    )
    print(assignment_id)  # alone on stdout: scripts capture it (id=$(quantriet assign ...))
    print(
        f"Đã xếp hàng tin nhắn giao quán triệt cho {format_number(len(people))} người (đợt gửi #{broadcast_id}); "
        "quantriet serve sẽ gửi đi.",
        file=sys.stderr,
    )
    return follow(app, broadcast_id) if args.wait else 0


def cmd_ack_import(app: App, args: argparse.Namespace) -> int:
    return print_import_report(
        ledger.import_attendance(app, None, args.file, args.assignment, skip_invalid=args.skip_invalid)
    )


def cmd_progress(app: App, args: argparse.Namespace) -> int:
    assignment_id = args.assignment
    if assignment_id is None:
        latest = assignments.latest_assignment(app)
        if latest is None:
            raise UserError("Chưa có đợt quán triệt nào (tạo bằng quantriet assign).")
        assignment_id = latest.id
    report = reports.progress(app, None, assignment_id, unit_option(app, args.unit, args.on), on=args.on)
    a = report.assignment
    print(f"Đợt {a.id}: {a.document.label}, hạn {clock.format_date(a.due_date)}")
    header = ("Đơn vị", "Được giao", "Đúng hạn", "Trễ hạn", "Chưa", "Hoàn thành")
    rows = [
        (
            "  " * u.depth + u.name,
            *(format_number(n) for n in (u.assigned, u.on_time, u.late, u.not_yet)),
            format_percent(u.percent),
        )
        for u in [*report.units, report.total]
    ]
    width = max(len(str(r[0])) for r in [header, *rows])
    for row in [header, *rows]:
        print(str(row[0]).ljust(width) + "".join(str(v).rjust(12) for v in row[1:]))
    return 0


def cmd_verify(app: App, args: argparse.Namespace) -> int:
    result = ledger.verify(app)
    if result.ok:
        print(f"Sổ xác nhận toàn vẹn: {result.rows} hàng. Mã băm cuối: {result.head_hash}")
        return 0
    print(f"SỔ XÁC NHẬN KHÔNG TOÀN VẸN: hàng đầu tiên có vấn đề là hàng {result.first_bad_id}: {result.reason}.")
    return 1


def cmd_export(app: App, args: argparse.Namespace) -> int:
    out = output_file(args.out)
    try:
        with Progress("Xuất báo cáo", "dòng") as rows:
            path = exports.export_acks(
                app,
                None,
                args.format,
                out,
                assignment_id=args.assignment,
                unit_id=unit_option(app, args.unit, args.on),
                since=args.since,
                until=args.until,
                on=args.on,
                progress=rows,
            )
    except OSError as exc:
        raise write_failed(out, exc) from None
    print(path)
    return 0
