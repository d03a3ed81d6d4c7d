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


class _PinnedApp(App):
    """An App whose data folder does not follow QUANTRIET_DATA_DIR (other fixtures change it)."""

    def __init__(self, config: Config, data_dir: Path) -> None:
        super().__init__(config)
        self._data_dir = data_dir

    @property
    def data_dir(self) -> Path:
        return self._data_dir


@pytest.fixture(scope="session")
def knowledge_app(tmp_path_factory: pytest.TempPathFactory) -> App:
    """../shared/knowledge ingested and indexed ONCE per test session (≈30 s: it embeds every chunk
    and sentence), with the repo's config.toml. READ-ONLY: copy ``knowledge_app.data_dir`` into your
    own folder before changing anything, or use the ``knowledge_copy`` fixture, which does that.
    ``knowledge_app.searcher`` is loaded and may be used directly for read-only questions."""
    from embeddings.search import refresh
    from knowledge.catalogue import ingest

    template = tmp_path_factory.mktemp("knowledge-template") / "data"
    app = _PinnedApp(Config.load(REPO / "config.toml"), template)
    ingest(app, [SHARED_KNOWLEDGE])
    refresh(app)
    app.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # copies then need only the .db file
    return app


@pytest.fixture
def knowledge_copy(knowledge_app: App, data_dir: Path) -> App:
    """A private, writable copy of ``knowledge_app`` in this test's data folder."""
    import shutil

    knowledge_app.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(knowledge_app.data_dir, data_dir)
    return App(Config.load(REPO / "config.toml"))
