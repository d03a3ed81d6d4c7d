"""Shared set-up for the bench scripts: a throw-away data folder, config overrides, ingestion.

Benchmarks never touch ./data: each run works in a temporary folder (or ``--data DIR`` to reuse
one between runs, so trying retrieval settings does not re-embed the corpus).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402

SHARED = REPO.parent / "shared"
KNOWLEDGE = SHARED / "knowledge"
DEV = SHARED / "eval" / "dev.jsonl"
SYNTHETIC = REPO / "bench" / "data" / "synthetic.jsonl"


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="data folder to (re)use; default: a new temporary one")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a config.toml setting (repeatable)",
    )


def _parse_value(text: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def config_with(overrides: list[str]) -> Config:
    """The repo's config.toml with ``section.key=value`` overrides applied in memory."""
    base = Config.load(REPO / "config.toml")
    raw = copy.deepcopy(base.raw)
    for item in overrides:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        raw.setdefault(section, {})[name] = _parse_value(value)
    return Config(raw=raw, path=base.path)


def make_app(args: argparse.Namespace) -> App:
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="quantriet-bench-"))
    os.environ["QUANTRIET_DATA_DIR"] = str(data)
    return App(config_with(args.set))


def ingest(app: App, paths: list[Path] | None = None) -> float:
    """Catalogue + search refresh of ``paths`` (default: the shared knowledge); returns seconds."""
    from bot import catalogue

    started = time.perf_counter()
    catalogue.ingest(app, [str(p) for p in (paths or [KNOWLEDGE])])
    catalogue.refresh(app)
    return time.perf_counter() - started
