"""BM25 over SQLite FTS5 (``chunks_fts``), kept in step with the ``chunks`` table.

The FTS table stores matching keys, never display text (answers quote ``chunks.text``):

* ``body`` / ``body_fold``: the chunk's keys, accented and folded (see :mod:`embeddings.query`);
* ``context`` / ``context_fold``: the document's number, title and kind plus the section path, so
  "theo Nghị quyết 57, ..." favours that document's chunks without drowning the body match;
* ``key`` (unindexed): a hash of everything above, so :func:`sync` rewrites only changed rows;
* ``facets`` (unindexed): "deadline date number" flags of the chunk, for intent-aware ranking.

A question with marks is matched on the accented columns, with the folded ones as a weaker
fallback; a question without marks can only use the folded columns.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence

import sqlite_utils

from embeddings.query import Query, Term, keys
from knowledge.chunks import text_hash
from knowledge.storage import transaction

TABLE = "chunks_fts"  # created by bot/schema/catalogue.sql
VOCAB = "chunks_fts_vocab"
# Bump when the key recipe changes: every row is then rewritten on the next refresh.
KEYS_VERSION = "4"


@dataclasses.dataclass(frozen=True)
class ColumnWeights:
    """BM25 weight per column: accented body, folded body, accented context, folded context."""

    body: float = 1.0
    body_fold: float = 0.5
    context: float = 0.3
    context_fold: float = 0.15

    def sql(self) -> str:
        return f"bm25({TABLE}, {self.body}, {self.body_fold}, {self.context}, {self.context_fold})"


@dataclasses.dataclass(frozen=True)
class Row:
    """What one chunk contributes to the FTS table."""

    id: int
    body: str
    context: str
    facets: str

    def key(self, bigrams: bool) -> str:
        raw = "\x1f".join((KEYS_VERSION, str(bigrams), self.body, self.context, self.facets))
        return text_hash(raw)


def sync(db: sqlite_utils.Database, rows: Sequence[Row], bigrams: bool = True) -> tuple[int, int]:
    """Make ``chunks_fts`` hold exactly ``rows``: returns (rows written, rows deleted)."""
    wanted = {r.id: (r, r.key(bigrams)) for r in rows}
    have = dict(db.conn.execute(f"SELECT rowid, key FROM {TABLE}").fetchall())
    gone = [i for i in have if i not in wanted]
    changed = [(r, k) for i, (r, k) in wanted.items() if have.get(i) != k]
    with transaction(db):
        db.conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(i,) for i in gone])
        db.conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(r.id,) for r, _ in changed if r.id in have])
        db.conn.executemany(
            f"INSERT INTO {TABLE} (rowid, body, body_fold, context, context_fold, key, facets)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r.id, *keys(r.body, bigrams), *keys(r.context, bigrams), k, r.facets) for r, k in changed],
        )
    return len(changed), len(gone)


def _phrase(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def match_expression(query: Query, terms: Sequence[Term] | None = None) -> str:
    """An FTS5 OR-query: accented terms on accented columns (when the question has marks)
    plus folded terms on folded columns."""
    parts = []
    for t in query.terms if terms is None else terms:
        if query.accented:
            parts.append(f"{{body context}} : {_phrase(t.acc)}")
        parts.append(f"{{body_fold context_fold}} : {_phrase(t.fold)}")
    return " OR ".join(parts)


def search(
    db: sqlite_utils.Database,
    query: Query,
    k: int,
    weights: ColumnWeights = ColumnWeights(),
    synonym_weight: float = 0.0,
) -> list[tuple[int, float]]:
    """Up to ``k`` chunks as ``(chunk_id, bm25)`` with larger = better."""
    if k <= 0:
        return []
    return sorted(scores(db, query, weights, synonym_weight).items(), key=lambda kv: -kv[1])[:k]


def scores(
    db: sqlite_utils.Database,
    query: Query,
    weights: ColumnWeights = ColumnWeights(),
    synonym_weight: float = 0.0,
) -> dict[int, float]:
    """The BM25 score of every chunk that matches a term (larger = better). With
    ``synonym_weight``, the question's synonym expansions are a second query whose scores add at
    that weight (FTS5 has no per-term weights).

    All of them, not a top k: FTS5 scores every match to sort them anyway, and fusion needs the
    lexical score of each candidate, including one only the dense side found (restricting the
    query to those rowids instead makes FTS5 evaluate it once per rowid: 40× slower)."""
    if not query.terms:
        return {}
    out = _bm25(db, match_expression(query), weights)
    if synonym_weight and query.expansions:
        for i, s in _bm25(db, match_expression(query, query.expansions), weights).items():
            out[i] = out.get(i, 0.0) + synonym_weight * s
    return out


def _bm25(db: sqlite_utils.Database, expression: str, weights: ColumnWeights) -> dict[int, float]:
    rows = db.conn.execute(f"SELECT rowid, -{weights.sql()} FROM {TABLE} WHERE {TABLE} MATCH ?", (expression,))
    return {int(i): float(s) for i, s in rows}


class Vocabulary:
    """Document frequencies of keys, for idf-weighted query coverage.

    Looked up per key in the ``fts5vocab`` table (indexed by term) and remembered: a large legal
    corpus has millions of distinct keys, of which a process only ever asks about a few."""

    CACHE_LIMIT = 200_000

    def __init__(self, db: sqlite_utils.Database | None, rows: int, background: int = 0) -> None:
        self._db = db
        self.rows = max(rows, 1)
        self.background = background
        self._df: dict[str, int] = {}

    @classmethod
    def load(cls, db: sqlite_utils.Database, background: int = 0) -> Vocabulary:
        return cls(db, db.conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0], background)

    def df(self, term: str) -> int:
        if term not in self._df:
            if len(self._df) > self.CACHE_LIMIT:
                self._df.clear()
            row = None
            if self._db is not None:
                row = self._db.conn.execute(f"SELECT doc FROM {VOCAB} WHERE term = ?", (term,)).fetchone()
            self._df[term] = row[0] if row else 0
        return self._df[term]

    def idf(self, term: str) -> float:
        """BM25-style idf; a key the corpus never uses weighs the most. The catalogue is counted
        with ``background`` more sections that hold none of the keys: in a one-article catalogue
        every word the article lacks would otherwise outweigh all the words it has (its idf
        ratio to a word present in one section is twice what it is in a few hundred), and the
        same question would be judged covered on four texts and not on one."""
        n = self.df(term)
        return math.log(1 + (self.rows + self.background - n + 0.5) / (n + 0.5))


def _column(db: sqlite_utils.Database, ids: Iterable[int], expression: str) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.conn.execute(f"SELECT rowid, {expression} FROM {TABLE} WHERE rowid IN ({marks})", ids).fetchall()
    return {int(i): text for i, text in rows}


def folded_keys(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The folded body+context keys of these chunks (to see which query terms they contain)."""
    return {i: frozenset(t.split()) for i, t in _column(db, ids, "body_fold || ' ' || context_fold").items()}


def facets(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The facets ("deadline date figure") of these chunks."""
    return {i: frozenset(t.split()) for i, t in _column(db, ids, "facets").items()}
