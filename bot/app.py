"""The application context: configuration, the store and the (lazily loaded) search engine.

One :class:`App` per process. The CLI, every channel and the tests build it the same way, which is
why a feature written in ``bot.core`` works unchanged everywhere.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from bot import store
from bot.config import Config

if TYPE_CHECKING:
    from embeddings.search import Searcher


class App:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.load()

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @cached_property
    def db(self) -> sqlite_utils.Database:
        return store.connect(self.data_dir / "quantriet.db")

    @cached_property
    def searcher(self) -> Searcher:
        """Hybrid search over the catalogue; loads the model and the index on first use only."""
        from bot.catalogue import open_searcher

        return open_searcher(self)

    def now(self) -> datetime:
        """The current UTC time; tests replace this to pin "today"."""
        return store.utcnow()
