"""``quantriet broadcast``: a message to everyone or to chosen units from a terminal, and
following a broadcast's delivery (also ``assign --wait``). ``serve`` does the sending; the command
queues and, with ``--wait``, watches the outbox until every delivery is settled."""

from __future__ import annotations

import argparse
import sys
import time

from bot.app import App
from bot.core.chat.messages import Reply
from bot.core.errors import UserError
from bot.core.numbers import format_number
from bot.core.outbox import broadcasts
from bot.core.roster import audit, roster
from bot.ops.progress import Progress

POLL_SECONDS = 1.0  # how often --wait reads the outbox


def comma_list(text: str) -> list[str]:
    """ "Huyện ủy A, Huyện ủy B" → ["Huyện ủy A", "Huyện ủy B"] (a command-line option type)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def add_wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait",
        action="store_true",
        help="theo dõi đến khi gửi xong (Ctrl+C thôi theo dõi, việc gửi vẫn tiếp tục)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("broadcast", help="gửi thông báo tới cán bộ (quantriet serve gửi đi)")
    p.add_argument("text", metavar="TEXT", help="nội dung thông báo")
    p.add_argument("--units", type=comma_list, help="các đơn vị, cách nhau bằng dấu phẩy (mặc định: tất cả)")
    p.add_argument("--no-subunits", action="store_true", help="không gồm các đơn vị trực thuộc")
    p.add_argument("--roles", type=comma_list, help="vai trò: cán bộ, tuyên giáo, quản trị (mặc định: tất cả)")
    add_wait_option(p)
    p.set_defaults(func=cmd_broadcast)


def cmd_broadcast(app: App, args: argparse.Namespace) -> int:
    text = args.text.strip()
    if not text:
        raise UserError("Nội dung thông báo đang trống.")
    units = [roster.resolve_unit(app, u).id for u in args.units] if args.units else None
    roles = [roster.require_role(r) for r in args.roles] if args.roles else None
    people = roster.audience_people(app, units, not args.no_subunits, roles)
    audit.require(app, None, "broadcast", audit.OFFICERS, people=len(people))
    broadcast_id = broadcasts.enqueue(app, "broadcast", Reply(text), people)
    print(broadcast_id)  # alone on stdout: scripts capture it
    print(f"Đã xếp hàng thông báo cho {format_number(len(people))} người (đợt gửi #{broadcast_id}).", file=sys.stderr)
    return follow(app, broadcast_id) if args.wait else 0


def follow(app: App, broadcast_id: int, poll: float = POLL_SECONDS) -> int:
    """Show the delivery of one broadcast until nothing is left to send; 0 when none failed."""
    print("Đang chờ quantriet serve gửi đi…", file=sys.stderr)
    with Progress("Gửi tin", "người") as bar:
        while True:
            stats = broadcasts.stats(app, broadcast_id)
            bar(stats.total - stats.pending, stats.total)
            if not stats.pending:
                break
            time.sleep(poll)
    print(stats.counts(), file=sys.stderr)
    for line in broadcasts.failure_lines(broadcasts.failure_reasons(app, [broadcast_id])):
        print(line, file=sys.stderr)
    return 1 if stats.failed else 0
