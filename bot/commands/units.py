"""``quantriet units list|history|rename|merge|move|split|dissolve|apply``: the unit tree over time
and its reorganisation from a terminal (the local operator acts as admin; every change is audited)."""

from __future__ import annotations

import argparse

from bot.app import App
from bot.commands.ledger import _date
from bot.commands.outbox import comma_list
from bot.core import clock
from bot.core.errors import UserError
from bot.core.numbers import format_number
from bot.core.roster import history
from bot.core.roster.placements import Placement, read_placements
from bot.core.roster.reorganise import OPERATIONS, Operation, ReorganisationReport, apply_mapping, reorganise
from bot.core.roster.roster import UnitIndex, resolve_unit

_UNIT_HELP = "đơn vị (tên, “Cấp trên > Đơn vị” hoặc số)"
_PEOPLE_HELP = "tệp phân công .csv/.xlsx (Họ và tên hoặc Số điện thoại, Đơn vị mới)"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("units", help="cây đơn vị theo thời gian và sắp xếp lại đơn vị")
    commands = parser.add_subparsers(dest="units_command", required=True, metavar="LỆNH")

    p = commands.add_parser("list", help="liệt kê đơn vị (hiện nay, hoặc theo cây của một ngày)")
    p.add_argument("--on", type=_date, help="cây đơn vị của ngày này (YYYY-MM-DD)")
    p.add_argument("--closed", action="store_true", help="kèm các đơn vị đã thôi hoạt động")
    p.set_defaults(func=cmd_list)

    p = commands.add_parser("history", help="các thời kỳ của một đơn vị (tên, cấp trên)")
    p.add_argument("unit", help="số đơn vị (xem units list --closed) hoặc tên")
    p.set_defaults(func=cmd_history)

    def operation(name: str, help: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help)
        p.add_argument("--date", type=_date, help="ngày hiệu lực (mặc định: hôm nay)")
        p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không lưu")
        return p

    p = operation("rename", "đổi tên một đơn vị")
    p.add_argument("unit", help=_UNIT_HELP)
    p.add_argument("name", help="tên mới")
    p.set_defaults(func=cmd_operation, kind="rename", sources=lambda a: [a.unit], targets=lambda a: [a.name])

    p = operation("merge", "hợp nhất các đơn vị thành một (đơn vị đã có hoặc lập mới)")
    p.add_argument("units", nargs="+", help=_UNIT_HELP)
    p.add_argument("--into", required=True, help="đơn vị sau hợp nhất (tên mới, “Cấp trên > Tên” hoặc đơn vị đã có)")
    p.set_defaults(func=cmd_operation, kind="merge", sources=lambda a: a.units, targets=lambda a: [a.into])

    p = operation("move", "chuyển một đơn vị về trực thuộc đơn vị khác")
    p.add_argument("unit", help=_UNIT_HELP)
    p.add_argument("--under", required=True, help="đơn vị cấp trên mới")
    p.set_defaults(func=cmd_operation, kind="move", sources=lambda a: [a.unit], targets=lambda a: [a.under])

    p = operation("split", "chia tách một đơn vị; mỗi cán bộ sang đơn vị mới ghi trong tệp phân công")
    p.add_argument("unit", help=_UNIT_HELP)
    p.add_argument("--into", required=True, type=comma_list, help="các đơn vị mới, cách nhau bằng dấu phẩy")
    p.add_argument("--people", help=_PEOPLE_HELP)
    p.add_argument("--rest", help="đơn vị mới nhận những người không có trong tệp phân công")
    p.set_defaults(func=cmd_operation, kind="split", sources=lambda a: [a.unit], targets=lambda a: a.into)

    p = operation("dissolve", "giải thể một đơn vị; cán bộ và đơn vị trực thuộc sang đơn vị nhận")
    p.add_argument("unit", help=_UNIT_HELP)
    p.add_argument("--into", help="đơn vị nhận cán bộ và đơn vị trực thuộc")
    p.set_defaults(
        func=cmd_operation, kind="dissolve", sources=lambda a: [a.unit], targets=lambda a: [a.into] if a.into else []
    )

    p = commands.add_parser("apply", help="áp dụng tệp sắp xếp (Đơn vị cũ, Đơn vị mới, Thao tác, Ngày hiệu lực)")
    p.add_argument("file", help="tệp .csv hoặc .xlsx")
    p.add_argument("--date", type=_date, help="ngày hiệu lực cho các dòng không ghi ngày")
    p.add_argument("--people", help=_PEOPLE_HELP + " của các dòng chia tách")
    p.add_argument("--dry-run", action="store_true", help="kiểm tra và xem trước, không lưu")
    p.set_defaults(func=cmd_apply)


def print_reorganisation(report: ReorganisationReport) -> int:
    """The changes (or what stops them) then the summary; exit status 0 when nothing went wrong."""
    for line in report.lines if not report.errors else []:
        print(line)
    for problem in report.problems():
        print(problem)
    print(report.summary())
    return 1 if report.errors else 0


def cmd_operation(app: App, args: argparse.Namespace) -> int:
    effective = args.date or clock.local_today(app.now())
    placements: list[Placement] = []
    if getattr(args, "people", None):
        placements, errors = read_placements(args.people)
        if errors:
            return print_reorganisation(ReorganisationReport(dry_run=args.dry_run, errors=errors))
    op = Operation(
        args.kind,
        tuple(args.sources(args)),
        tuple(args.targets(args)),
        effective,
        placements=tuple(placements),
        rest=getattr(args, "rest", None),
    )
    return print_reorganisation(reorganise(app, None, [op], dry_run=args.dry_run))


def cmd_apply(app: App, args: argparse.Namespace) -> int:
    return print_reorganisation(
        apply_mapping(app, None, args.file, dry_run=args.dry_run, default_date=args.date, people=args.people)
    )


def cmd_list(app: App, args: argparse.Namespace) -> int:
    if args.on:
        index = UnitIndex(app.db, on=args.on)
        paths = sorted((index.path(uid), uid) for uid in index.units)
        for path, uid in paths:
            print(f"{uid}\t{path}")
        print(f"{format_number(len(paths))} đơn vị ngày {clock.format_date(args.on)}.")
        return 0
    rows = history.list_units(app, include_closed=args.closed)
    for row in rows:
        since = clock.format_date(row.valid_from) if row.valid_from else ""
        print("\t".join([str(row.id), row.path, since, str(row.people), f"{row.changes} thay đổi"]))
    print(f"{format_number(len(rows))} đơn vị.")
    return 0


def cmd_history(app: App, args: argparse.Namespace) -> int:
    text = args.unit.strip()
    if text.isdigit():
        unit_id = int(text)
    else:
        unit_id = resolve_unit(app, text).id
    versions = history.unit_history(app, unit_id)
    if not versions:
        raise UserError(f"Không có đơn vị số {unit_id}.")
    for v in versions:
        where = f" (trực thuộc {v.parent})" if v.parent else ""
        how = f" [{OPERATIONS.get(v.operation, v.operation)}]" if v.operation else ""
        print(f"{v.period}: {v.name}{where}{how}")
    return 0
