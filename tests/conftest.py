"""Shared fixtures: every test gets its own data folder, so nothing touches ./data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.config import Config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_KNOWLEDGE = SHARED / "knowledge"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("QUANTRIET_DATA_DIR", str(path))
    return path


@pytest.fixture
def app(data_dir: Path) -> App:
    """A fresh application on an empty database, with the repo's config.toml."""
    return App(Config.load(REPO / "config.toml"))
