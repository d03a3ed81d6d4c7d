"""``quantriet roster import|invites|list``: the roster from a terminal (the local operator is admin)."""

from __future__ import annotations

import argparse
from datetime import date

from bot.app import App
from bot.channels.web_settings import public_base
from bot.core.numbers import format_number
from bot.core.roster import roster
from bot.core.roster.tabular import ImportReport
from bot.ops.progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("roster", help="danh sách đơn vị và cán bộ")
    commands = parser.add_subparsers(dest="roster_command", required=True, metavar="LỆNH")

    p = commands.add_parser("import", help="nhập đơn vị và cán bộ từ tệp CSV/XLSX")
    p.add_argument("file", help="tệp .csv hoặc .xlsx (cột: Họ và tên, Đơn vị, Chức vụ, Số điện thoại, Vai trò)")
    p.add_argument("--skip-invalid", action="store_true", help="nhập các dòng hợp lệ, bỏ qua dòng lỗi")
    p.set_defaults(func=cmd_import)

    p = commands.add_parser(
        "invites", help="in mã mời, đường link trang trò chuyện và Telegram cho người chưa liên kết"
    )
    p.add_argument("--unit", help="đơn vị (tên, “Cấp trên > Đơn vị” hoặc số); gồm cả đơn vị trực thuộc")
    p.set_defaults(func=cmd_invites)

    p = commands.add_parser("list", help="liệt kê cán bộ")
    p.add_argument("--unit", help="đơn vị (tên, “Cấp trên > Đơn vị” hoặc số); gồm cả đơn vị trực thuộc")
    p.set_defaults(func=cmd_list)


def unit_option(app: App, text: str | None, on: date | None = None) -> int | None:
    """The id of the unit named on the command line (None when not given), in the tree of ``on``
    when a report is asked by that day's tree."""
    return roster.resolve_unit(app, text, on).id if text else None


def print_import_report(report: ImportReport) -> int:
    """Print each row error ("Dòng 7: …") then the summary; the exit status says whether it imported."""
    for error in report.errors:
        print(error)
    print(report.summary())
    return 0 if report.imported else 1


def cmd_import(app: App, args: argparse.Namespace) -> int:
    with Progress("Nhập danh sách", "dòng") as rows:
        report = roster.import_roster(app, None, args.file, skip_invalid=args.skip_invalid, progress=rows)
    return print_import_report(report)


def cmd_invites(app: App, args: argparse.Namespace) -> int:
    paths = roster.unit_paths(app)
    found = roster.invites(app, unit_option(app, args.unit))
    web_chat = public_base(app)
    for invite in found:
        person = invite.person
        links = [f"{web_chat}/?code={invite.code}", invite.link or ""]
        print(
            "\t".join(
                [person.full_name, paths.get(person.unit_id, "") if person.unit_id else "", invite.code, *links]
            ).rstrip()
        )
    print(f"{format_number(len(found))} người chưa liên kết tài khoản.")
    return 0


def cmd_list(app: App, args: argparse.Namespace) -> int:
    paths = roster.unit_paths(app)
    people = roster.list_people(app, unit_option(app, args.unit))
    for person in people:
        print(
            "\t".join(
                [
                    str(person.id),
                    person.full_name,
                    paths.get(person.unit_id, "") if person.unit_id else "",
                    person.position or "",
                    person.phone or "",
                    person.role_label,
                    person.status_label,
                ]
            )
        )
    print(f"{format_number(len(people))} người.")
    return 0
