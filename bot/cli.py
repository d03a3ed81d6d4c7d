"""``quantriet``: the command line. Each area registers its sub-commands from ``bot/commands/``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.app import App
from bot.commands import answers, knowledge, ledger, roster, serve, units
from bot.config import Config
from bot.core.errors import UserError

# One module per area; each has ``register(subparsers)`` and sets ``func(app, args) -> int``.
COMMAND_MODULES = (
    knowledge,  # ingest, duties, documents
    answers,  # ask, eval
    roster,  # roster import / invites / list
    units,  # units list / history / rename / merge / move / split / dissolve / apply
    ledger,  # assign, ack import, progress, ledger verify, export acks
    serve,  # serve
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quantriet", description="Trợ lý quán triệt")
    parser.add_argument("--config", help="config file (default: config.toml or $QUANTRIET_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = App(Config.load(args.config))
    try:
        return int(args.func(app, args) or 0)
    except UserError as exc:  # the user's mistake: say it in Vietnamese, no traceback
        print(exc.message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
