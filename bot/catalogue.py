"""The application's catalogue and search: the knowledge and embeddings libraries wired to the app.

The libraries take a database, a folder and their own settings; this module is where those come
from config.toml (``[knowledge]``, ``[embeddings]``, ``[retrieval]``, relative paths resolved from
the file), the data folder and the app's clock. Commands, channels and tests call these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config
from knowledge.catalogue import IngestReport
from knowledge.settings import KnowledgeSettings

if TYPE_CHECKING:  # the search stack (numpy, faiss, the encoder) loads on first use only
    from bot.app import App
    from embeddings.encoders import EmbeddingSettings
    from embeddings.search import RefreshReport, RetrievalSettings, Searcher

INDEX_FOLDER = "index"
SOURCES_FOLDER = "sources"


def knowledge_settings(config: Config) -> KnowledgeSettings:
    """``[knowledge]``, with its folders resolved from config.toml's own folder."""
    settings = config.section("knowledge", KnowledgeSettings)
    return dataclasses.replace(settings, folders=[str(config.resolve(f)) for f in settings.folders])


def embedding_settings(config: Config) -> EmbeddingSettings:
    """``[embeddings]``, with a model given as a relative folder resolved from config.toml."""
    from embeddings.encoders import EmbeddingSettings

    settings = config.section("embeddings", EmbeddingSettings)
    local = config.resolve(settings.model)
    if settings.model and local.exists():
        settings = dataclasses.replace(settings, model=str(local))
    return settings


def retrieval_settings(config: Config) -> RetrievalSettings:
    from embeddings.search import RetrievalSettings

    return config.section("retrieval", RetrievalSettings)


def index_folder(app: App) -> Path:
    return app.data_dir / INDEX_FOLDER


def sources_folder(app: App) -> Path:
    """Where ``quantriet ingest URL`` keeps fetched copies; read with the configured folders."""
    return app.data_dir / SOURCES_FOLDER


def ingest(
    app: App, paths: Iterable[Path | str] | None = None, progress: Callable[[int, int], None] | None = None
) -> IngestReport:
    """Catalogue ``paths`` (None: the configured folders), stamped with the app's clock;
    ``progress(files done, files found)`` after each file."""
    from knowledge.catalogue import ingest as ingest_files

    settings = knowledge_settings(app.config)
    # the copies fetched by `quantriet ingest URL` are read with the configured folders
    settings = dataclasses.replace(settings, folders=[*settings.folders, str(sources_folder(app))])
    return ingest_files(app.db, settings, paths, app.now(), progress)


def refresh(app: App, progress: Callable[[str, int, int], None] | None = None) -> RefreshReport:
    """Bring the search indexes in line with the catalogue; ``progress(kind, embedded, to embed)``
    follows the encoder, kind "chunks" then "sentences"."""
    from embeddings.search import refresh as refresh_index

    return refresh_index(
        app.db, index_folder(app), embedding_settings(app.config), retrieval_settings(app.config), progress
    )


def open_searcher(app: App) -> Searcher:
    """The search engine of the answers; questions asked at the same moment (the answer workers)
    are embedded together (embeddings/batching.py)."""
    from embeddings.batching import batched
    from embeddings.search import Searcher

    settings = embedding_settings(app.config)
    # app.db is per thread (answers run in worker threads): the searcher asks for it on each use
    searcher = Searcher.open(lambda: app.db, index_folder(app), settings, retrieval_settings(app.config))
    searcher.encoder = batched(searcher.encoder, settings)
    return searcher
