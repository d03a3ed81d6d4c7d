"""The application context: configuration, the store and the (lazily loaded) search engine.

One :class:`App` per process. The CLI, every channel and the tests build it the same way, which is
why a feature written in ``bot.core`` works unchanged everywhere.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from bot import store
from bot.config import Config

if TYPE_CHECKING:
    from bot.core.roster.attempts import Attempts
    from embeddings.search import Searcher


class App:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.load()
        self._local = threading.local()
        # The address `quantriet serve` actually bound (set by bot.serve.running), for links.
        self.bound_url: str | None = None
        self._schema_ready = False

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the store (opened on first use in each thread).

        One connection per thread because a connection is one transaction at a time: the answer
        workers (bot/core/chat/workers.py) and the event loop each write in their own, and SQLite
        (WAL, busy timeout) serialises the writers. Closed when the App is dropped.
        """
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = store.connect(self.data_dir / "quantriet.db", schema=not self._schema_ready)
            self._schema_ready = True
        return db

    @cached_property
    def searcher(self) -> Searcher:
        """Hybrid search over the catalogue; loads the model and the index on first use only."""
        from bot.catalogue import open_searcher

        return open_searcher(self)

    def reload_search(self) -> None:
        """Forget the loaded search engine, so the next question loads the index written since
        (by an upload indexed on another connection)."""
        self.__dict__.pop("searcher", None)

    @cached_property
    def attempts(self) -> Attempts:
        """Failed logins and invite codes of this process, shared by every channel."""
        from bot.core.roster.attempts import Attempts, AttemptSettings

        return Attempts(AttemptSettings.load(self.config))

    def now(self) -> datetime:
        """The current UTC time; tests replace this to pin "today"."""
        return store.utcnow()
