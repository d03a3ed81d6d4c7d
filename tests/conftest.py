"""Shared fixtures: every test gets its own data folder, so nothing touches ./data.

Two catalogues are indexed once per session: the fictional texts in ``tests/fixtures/knowledge``
(``fixture_app``; always there, so a fresh clone tests every channel and answer path) and the real
texts in ``../shared/knowledge`` (``knowledge_app``; tests that need them are skipped with one line
of reason when the folder is not beside the repository, as in a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.config import Config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_KNOWLEDGE = SHARED / "knowledge"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"
SAMPLE_ARTICLE = REPO / "knowledge" / "documents" / "bao-quang-nam-ke-hoach-tinh-uy-kl69.txt"
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_KNOWLEDGE = FIXTURES / "knowledge"
FIXTURE_QUESTIONS = FIXTURES / "questions.jsonl"

NO_SHARED = "real texts: ../shared/knowledge is not beside the repository"
needs_shared = pytest.mark.skipif(not SHARED_KNOWLEDGE.is_dir(), reason=NO_SHARED)


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


# What an indexed catalogue is made from: a change to any of these builds it anew.
_INDEX_INPUTS = ("knowledge", "embeddings", "bot/schema", "bot/store.py", "config.toml")


def _index_key(source: Path) -> str:
    """A hash of the texts and of the code and settings that turn them into a catalogue."""
    import hashlib

    digest = hashlib.sha256(str(source.resolve()).encode())  # the catalogue records where files were
    roots = [source, *(REPO / p for p in _INDEX_INPUTS)]
    for root in roots:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def _indexed_once(tmp_path_factory: pytest.TempPathFactory, name: str, source: Path) -> App:
    """``source`` ingested and indexed into a session-wide folder.

    Indexing embeds every chunk and sentence (half a minute for the real texts on a quiet machine),
    so the result is kept in ``$QUANTRIET_TEST_CACHE`` (default ``~/.cache/quantriet-tests``) under
    a hash of everything it is made from, and later sessions copy it; an empty
    ``QUANTRIET_TEST_CACHE`` turns the cache off."""
    import os
    import shutil

    from bot.catalogue import ingest, refresh

    template = tmp_path_factory.mktemp(name) / "data"
    cache_root = os.environ.get("QUANTRIET_TEST_CACHE", str(Path.home() / ".cache" / "quantriet-tests"))
    cached = Path(cache_root) / f"{name}-{_index_key(source)}" if cache_root else None
    if cached is not None and cached.is_dir():
        shutil.copytree(cached, template)
        return _PinnedApp(Config.load(REPO / "config.toml"), template)
    app = _PinnedApp(Config.load(REPO / "config.toml"), template)
    ingest(app, [source])
    refresh(app)
    app.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # copies then need only the .db file
    if cached is not None:
        partial = cached.with_name(f"{cached.name}.{os.getpid()}")
        shutil.copytree(template, partial, dirs_exist_ok=True)
        try:
            partial.rename(cached)  # atomic: a concurrent session either sees all of it or builds its own
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
    return app


def _private_copy(template: App, data_dir: Path) -> App:
    """A writable copy of a session catalogue in this test's data folder."""
    import shutil

    template.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(template.data_dir, data_dir)
    return App(Config.load(REPO / "config.toml"))


@pytest.fixture(scope="session")
def fixture_app(tmp_path_factory: pytest.TempPathFactory) -> App:
    """The fictional texts of ``tests/fixtures/knowledge`` (a Politburo conclusion 901-KL/TW and the
    Hoà Sơn provincial plan 27-KH/TU) indexed ONCE per session. READ-ONLY, like ``knowledge_app``;
    use ``fixture_copy`` to change anything."""
    return _indexed_once(tmp_path_factory, "fixture-template", FIXTURE_KNOWLEDGE)


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> App:
    """The sample article alone (what a fresh clone's ``scripts/run.sh`` loads), indexed ONCE per
    session. READ-ONLY."""
    return _indexed_once(tmp_path_factory, "sample-template", SAMPLE_ARTICLE)


@pytest.fixture
def fixture_copy(fixture_app: App, data_dir: Path) -> App:
    """A private, writable copy of ``fixture_app`` in this test's data folder."""
    return _private_copy(fixture_app, data_dir)


@pytest.fixture(scope="session")
def knowledge_app(tmp_path_factory: pytest.TempPathFactory) -> App:
    """../shared/knowledge ingested and indexed ONCE per test session (≈30 s: it embeds every chunk
    and sentence), with the repo's config.toml; the test is skipped when the folder is missing.
    READ-ONLY: copy ``knowledge_app.data_dir`` into your own folder before changing anything, or use
    the ``knowledge_copy`` fixture, which does that. ``knowledge_app.searcher`` is loaded and may be
    used directly for read-only questions."""
    if not SHARED_KNOWLEDGE.is_dir():
        pytest.skip(NO_SHARED)
    return _indexed_once(tmp_path_factory, "knowledge-template", SHARED_KNOWLEDGE)


@pytest.fixture
def knowledge_copy(knowledge_app: App, data_dir: Path) -> App:
    """A private, writable copy of ``knowledge_app`` in this test's data folder."""
    return _private_copy(knowledge_app, data_dir)
