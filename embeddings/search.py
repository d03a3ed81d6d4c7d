"""Hybrid retrieval: dense (FAISS) + BM25 (FTS5), fused, one hit per section, with a confidence call.

:func:`refresh` brings the vector index and ``chunks_fts`` in line with the ``chunks`` table after
an ingest (embedding only new content). :class:`Searcher` answers queries; it loads the encoder,
the index and the vocabulary once and reloads them only when a refresh changed something (the
``search_generation`` row), so a long-running server sees new documents without a restart.
Both take the catalogue's database, the index folder and their own settings: nothing from ``bot``.

Ranking, per question (one query embedding, nothing else from the model):

0. a question typed without marks is first restored from the corpus's vocabulary
   (:mod:`embeddings.accents`, map built at refresh); the restored text is what is embedded;
1. candidates: the dense top-k chunks, the chunks of the dense top-k sentences (sentence vectors
   are made at refresh time) and the BM25 top-k (accented or folded keys, :mod:`embeddings.lexical`);
2. each candidate's dense score mixes its chunk cosine with its best sentence's; fused with its
   BM25 score (looked up for a candidate only the dense side returned; 0 if it matches no term)
   by a weighted sum of rescaled scores, or by RRF;
3. small bonuses when the chunk has what the question asks for (a deadline, a date, a figure)
   and when it belongs to a document the question names or whose header holds a rare word
   pair of the question (:mod:`embeddings.references`);
4. the best chunk of each (document, section) is kept, so the top sources are distinct sections;
   the best chunks before that grouping are what an answer quotes from.

Confidence ("do the texts answer this at all?"): the top cosine must clear a floor, and one of
the best chunks must hold enough of the question's content terms (idf-weighted, folded), its
syllables and its syllable pairs each (so "đăng ký kết hôn" is not covered by "đăng ký" and
"kết"); a question that names a catalogued document ("Kết luận 69") only needs the cosine floor.
English questions are matched through :mod:`embeddings.glossary`, so the same rule applies.
For a restored question, coverage is the smaller of the restored and the as-typed figures:
restoring towards the corpus's words must not make a question look covered.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sqlite_utils

from embeddings import accents, lexical, references
from embeddings import index as vector_index
from embeddings.encoders import EmbeddingSettings, Encoder, load_encoder
from embeddings.query import Query, governance_vocabulary, has_figure, parse, question_phrases
from knowledge.chunks import text_hash
from knowledge.dates import find_dates
from knowledge.sections import split_sentences
from knowledge.text import format_number, shorten

log = logging.getLogger(__name__)

# The catalogue's database, or a function giving the calling thread's connection to it.
Database = sqlite_utils.Database | Callable[[], sqlite_utils.Database]

SENTENCES = "sentences"
SENTENCES_PER_CHUNK = 1024  # sentence ids are chunk_id * 1024 + position
# Context given to the encoder with each chunk, kept short: it should situate the text, not
# outweigh it (and every character costs encoding time).
CONTEXT_TITLE_CHARS = 80
CONTEXT_SECTION_CHARS = 160

# Which chunk facet answers which question intent.
INTENT_FACETS = {"deadline": "deadline", "date": "date", "quantity": "figure"}


@dataclasses.dataclass(frozen=True)
class RetrievalSettings:
    """The ``[retrieval]`` section of config.toml (see the comments there)."""

    dense_k: int = 30
    lexical_k: int = 30
    fusion: str = "weighted"  # "weighted" or "rrf"
    dense_weight: float = 0.5
    rrf_k: int = 60
    intent_bonus: float = 0.2
    bigrams: bool = True
    body_weight: float = 1.0
    body_fold_weight: float = 0.5
    context_weight: float = 0.3
    context_fold_weight: float = 0.15
    document_bonus: float = 0.1
    scope_bonus: float = 0.1
    answer_chunks: int = 4
    reference_min_cosine: float = 0.75
    reference_min_coverage: float = 0.15
    min_cosine: float = 0.75
    min_coverage: float = 0.33
    min_phrase_coverage: float = 0.25
    idf_background: int = 15
    result_cache: int = 1024
    sentence_vectors: bool = True
    sentence_dense_weight: float = 0.25
    max_sentence_vectors: int = 12_000
    max_query_chars: int = 500
    sources: int = 3
    restore_accents: bool = True
    synonym_weight: float = 0.0
    accent_sample_words: int = 2_000_000

    @property
    def column_weights(self) -> lexical.ColumnWeights:
        return lexical.ColumnWeights(
            self.body_weight, self.body_fold_weight, self.context_weight, self.context_fold_weight
        )


FRAME_WORDS = frozenset(("co", "khong"))  # unmarked "có … không": how a question asks, not what


@dataclasses.dataclass
class Hit:
    """One retrieved chunk with its document and the scores that ranked it."""

    chunk_id: int
    document_id: int
    title: str
    number: str
    issued: str
    kind: str
    section: str
    heading: str
    text: str
    seq: int
    score: float  # fused, in [0, 1 + bonus]
    cosine: float
    bm25: float
    facets: frozenset[str]


@dataclasses.dataclass
class SearchResult:
    query: Query
    hits: list[Hit]  # one per (document, section): the sources
    chunks: list[Hit]  # the best chunks before that grouping: what an answer is composed from
    confident: bool
    cosine: float  # best cosine over the whole index
    coverage: float  # idf-weighted share of the question's terms found in one of the best chunks
    phrase_coverage: float  # the same for its syllables and its bigrams apart: the smaller
    catalogue_empty: bool
    referenced: frozenset[str] = frozenset()  # document numbers the question names
    query_vector: np.ndarray | None = None
    # cosine of the question with each sentence of the returned chunks (precomputed vectors)
    sentence_scores: dict[int, np.ndarray] = dataclasses.field(default_factory=dict)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class RefreshReport:
    chunks: int = 0
    embedded: int = 0  # chunk texts sent to the encoder
    reused: int = 0  # chunk vectors kept from the previous index
    removed: int = 0  # chunk vectors dropped
    sentences_embedded: int = 0
    fts_written: int = 0
    fts_removed: int = 0
    rebuilt: str = ""  # why the whole vector index was rebuilt, if it was
    accents: bool = False  # the diacritic-restoration map was rebuilt
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.embedded
            or self.removed
            or self.fts_written
            or self.fts_removed
            or self.rebuilt
            or self.sentences_embedded
            or self.accents
        )

    def summary(self) -> str:
        """One Vietnamese line for the ingest command."""
        n = format_number
        line = (
            f"Chỉ mục tìm kiếm: {n(self.chunks)} đoạn; mã hóa mới {n(self.embedded)} đoạn và "
            f"{n(self.sentences_embedded)} câu, dùng lại {n(self.reused)} đoạn, bỏ {n(self.removed)} "
            f"({n(self.seconds, 1)} giây)."
        )
        if self.rebuilt:
            line += f" Đã dựng lại toàn bộ chỉ mục vì mô hình thay đổi: {self.rebuilt}."
        return line


def embed_input(context: str, title: str, number: str, section: str, text: str, max_chars: int = 0) -> str:
    """What the encoder sees for a chunk: its text (its first ``max_chars`` if > 0: encoding
    time grows with length, and a chunk's start says what it is about), optionally headed by
    where it stands."""
    if max_chars > 0 and len(text) > max_chars:
        text = shorten(text, max_chars)
    if context == "none":
        return text
    lines = []
    if context == "document":
        named = number if number and number not in title else ""  # a law named by its id: once
        lines.append(" ".join(p for p in (named, shorten(title, CONTEXT_TITLE_CHARS)) if p))
    if section:
        lines.append(shorten(section, CONTEXT_SECTION_CHARS))
    lines.append(text)
    return "\n".join(lines)


def chunk_facets(text: str, has_duty_deadline: bool) -> str:
    """Space-separated flags of what a chunk can answer: deadline, date, figure."""
    flags = set()
    for mention in find_dates(text):
        flags.add("date")
        if mention.is_deadline:
            flags.add("deadline")
    if has_duty_deadline:
        flags.add("deadline")
    if has_figure(text):
        flags.add("figure")
    return " ".join(sorted(flags))


def build_restorer(rows: list[dict], folder: Path, retrieval: RetrievalSettings) -> accents.Restorer:
    """The map that puts marks back on unmarked questions, counted over the catalogue's chunks
    (``rows`` of :func:`_catalogue_rows`) and saved in ``folder``."""
    seeds = question_phrases()
    texts = itertools.chain(
        governance_vocabulary(), (t for r in rows for t in (r["title"], r["section_path"], r["text"]))
    )
    restorer = accents.Restorer.build(texts, seeds, retrieval.accent_sample_words)
    restorer.save(folder, seeds)
    return restorer


def _catalogue_rows(db: sqlite_utils.Database) -> list[dict]:
    return [
        dict(r)
        for r in db.query(
            """
            SELECT c.id, c.text, c.section_path, c.heading, c.seq,
                   d.title, coalesce(d.number, '') AS number, coalesce(d.kind, '') AS kind,
                   EXISTS (SELECT 1 FROM duties u WHERE u.chunk_id = c.id
                           AND (u.due_date IS NOT NULL OR u.period IS NOT NULL)) AS duty_due
            FROM chunks c JOIN documents d ON d.id = c.document_id
            ORDER BY c.id
            """
        )
    ]


def refresh(
    db: sqlite_utils.Database,
    folder: Path,
    embed_cfg: EmbeddingSettings,
    retrieval: RetrievalSettings,
    progress: Callable[[str, int, int], None] | None = None,
) -> RefreshReport:
    """Bring the vector index in ``folder`` and ``chunks_fts`` in line with ``chunks``; cheap when
    nothing changed. ``progress(kind, embedded, to embed)`` follows the encoder, kind "chunks" then
    "sentences"."""
    started = time.perf_counter()
    rows = _catalogue_rows(db)
    report = RefreshReport(chunks=len(rows))

    lexical_rows = [
        lexical.Row(
            id=r["id"],
            body=r["text"],
            context=" ".join(p for p in (r["number"], r["title"], r["kind"], r["section_path"]) if p),
            facets=chunk_facets(r["text"], bool(r["duty_due"])),
        )
        for r in rows
    ]
    report.fts_written, report.fts_removed = lexical.sync(db, lexical_rows, retrieval.bigrams)
    if report.fts_written or report.fts_removed or accents.stale(folder, question_phrases()):
        build_restorer(rows, folder, retrieval)
        report.accents = True

    chunk_items = [
        _item(
            r["id"],
            embed_input(
                embed_cfg.context, r["title"], r["number"], r["section_path"], r["text"], embed_cfg.max_passage_chars
            ),
        )
        for r in rows
    ]
    sentence_items = [
        _item(sentence_id(r["id"], pos), sentence)
        for r in rows
        if retrieval.sentence_vectors
        for pos, sentence in enumerate(split_sentences(r["text"])[:SENTENCES_PER_CHUNK])
    ]
    if len(sentence_items) > retrieval.max_sentence_vectors:
        log.warning(
            "%d sentences is more than [retrieval] max_sentence_vectors (%d): no sentence "
            "vectors (answers pick sentences by their words)",
            len(sentence_items),
            retrieval.max_sentence_vectors,
        )
        sentence_items = []
    for stem, items in ((vector_index.CHUNKS, chunk_items), (SENTENCES, sentence_items)):
        if not items and not vector_index.sidecar_path(folder, stem).exists():
            continue  # nothing to index and nothing to clear: do not even load the model
        step = functools.partial(progress, stem) if progress else None
        _, sync = vector_index.sync(folder, load_encoder(embed_cfg), items, stem, step)
        if stem == SENTENCES:
            report.sentences_embedded = sync.embedded
        else:
            report.embedded, report.reused, report.removed = sync.embedded, sync.reused, sync.removed
        report.rebuilt = report.rebuilt or sync.rebuilt
    report.seconds = time.perf_counter() - started
    if report.changed:
        _bump_generation(db)
    log.info("search refresh: %s", report)
    return report


def _item(item_id: int, text: str) -> vector_index.Item:
    return vector_index.Item(item_id, text_hash(text), text)


def sentence_id(chunk_id: int, position: int) -> int:
    """The index id of a chunk's ``position``-th sentence (as cut by ``split_sentences``)."""
    return chunk_id * SENTENCES_PER_CHUNK + position


def _bump_generation(db: sqlite_utils.Database) -> None:
    """Tell every Searcher (in this or another process) that the index changed."""
    db.execute(
        "INSERT INTO search_generation (id, value) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value",
        (uuid.uuid4().hex,),
    )


def _generation(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM search_generation WHERE id = 1").fetchone()
    return row[0] if row else ""


class Searcher:
    """Loaded once per process (``app.searcher``); thread-compatible for reads."""

    def __init__(self, db: Database, folder: Path, encoder: Encoder, settings: RetrievalSettings) -> None:
        """``db`` is the catalogue's database, or a function returning the calling thread's
        connection when searches run in several threads (a connection belongs to one thread)."""
        self._db = db
        self.folder = folder
        self.encoder = encoder
        self.settings = settings
        self._generation: str | None = None
        self.index: vector_index.VectorIndex | None = None
        self.vocabulary = lexical.Vocabulary(None, 0)
        self.references = references.DocumentReferences([])
        self.restorer = accents.Restorer()
        self._rows: dict[int, int] = {}
        self._vectors: np.ndarray | None = None
        self._sentence_vectors: np.ndarray | None = None  # sorted by sentence id
        self._sentence_spans: dict[int, tuple[int, int]] = {}  # chunk id → its rows there
        self._sentence_owner: np.ndarray = np.zeros(0, dtype=np.int64)  # chunk id of each sentence row
        self._reload_lock = threading.Lock()  # answer workers search concurrently; one reloads
        # The results of the last questions (exact text), for this generation of the index: the
        # same index and the same question give the same result, and after a broadcast many ask
        # the same few questions. Never mutated by the callers.
        self._results: collections.OrderedDict[tuple[object, ...], SearchResult] = collections.OrderedDict()
        self._results_lock = threading.Lock()
        self._reload()

    @classmethod
    def open(cls, db: Database, folder: Path, embedding: EmbeddingSettings, retrieval: RetrievalSettings) -> Searcher:
        return cls(db, folder, load_encoder(embedding), retrieval)

    @property
    def db(self) -> sqlite_utils.Database:
        return self._db() if callable(self._db) else self._db

    def _reload(self) -> None:
        if _generation(self.db) == self._generation:
            return
        with self._reload_lock:
            self._load(_generation(self.db))

    def _load(self, generation: str) -> None:
        if generation == self._generation:  # another thread reloaded while this one waited
            return
        folder = self.folder
        index, problem = vector_index.load(folder, self.encoder)
        if problem:
            log.warning("search index unusable (%s); run `quantriet ingest` to rebuild it", problem)
        self.index = index
        self._rows = {int(i): n for n, i in enumerate(index.ids)} if index is not None else {}
        self._vectors = index.vectors() if index is not None else None
        self._load_sentences(vector_index.load(folder, self.encoder, SENTENCES)[0])
        self.vocabulary = lexical.Vocabulary.load(self.db, self.settings.idf_background)
        self.references = references.DocumentReferences.load(self.db)
        self.restorer = self._restorer(folder, index is not None)
        self._generation = generation

    def _restorer(self, folder: Path, indexed: bool) -> accents.Restorer:
        """The saved map of marks; built again here when a release reads it differently (a new
        version or new question phrases), so a data folder not yet re-ingested after an update
        still restores unmarked questions rather than silently not."""
        if not self.settings.restore_accents:
            return accents.Restorer()
        current = accents.Restorer.load_current(folder, question_phrases())
        if current is None and indexed:
            log.info("the map of marks is out of date: building it again")
            return build_restorer(_catalogue_rows(self.db), folder, self.settings)
        return current or accents.Restorer()

    def _load_sentences(self, sentences: vector_index.VectorIndex | None) -> None:
        self._sentence_vectors, self._sentence_spans = None, {}
        self._sentence_owner = np.zeros(0, dtype=np.int64)
        if sentences is None or not len(sentences) or not self.settings.sentence_vectors:
            return
        order = np.argsort(sentences.ids, kind="stable")
        chunk_of = sentences.ids[order] // SENTENCES_PER_CHUNK
        self._sentence_vectors = sentences.vectors()[order]
        self._sentence_owner = chunk_of
        chunks, starts = np.unique(chunk_of, return_index=True)
        ends: np.ndarray = np.append(starts[1:], len(chunk_of))
        self._sentence_spans = {int(c): (int(a), int(b)) for c, a, b in zip(chunks, starts, ends)}

    @property
    def empty(self) -> bool:
        return not self._rows

    def parse(self, question: str) -> Query:
        """The question as a :class:`Query`; typed without marks, it is first restored from the
        corpus's own vocabulary (:mod:`embeddings.accents`), so what is embedded and matched is
        the accented question (one model call, as for any question)."""
        self._reload()
        s = self.settings
        query = parse(question, s.max_query_chars, s.bigrams)
        if query.accented or query.foreign or not self.restorer:
            return query
        restored = self.restorer.restore(query.text)
        if restored == query.text:
            return query
        return dataclasses.replace(parse(restored, s.max_query_chars, s.bigrams), typed=query.text)

    def embed(self, query: Query) -> np.ndarray:
        return self.encoder.encode_queries([query.text])[0]

    def search(self, question: str | Query, k: int | None = None, scope: set[int] | None = None) -> SearchResult:
        """Rank sections for a question; ``k`` defaults to the configured number of sources.
        ``scope``: the documents the question names; only their chunks are ranked unless none
        of them is a candidate (then the whole catalogue is)."""
        started = time.perf_counter()
        self._reload()
        s = self.settings
        query = question if isinstance(question, Query) else self.parse(question)
        k = k or s.sources
        key = (self._generation, query.text, query.typed, k, frozenset(scope or ()))
        with self._results_lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return cached
        result = self._search(query, k, scope, started)
        if s.result_cache > 0:
            with self._results_lock:
                self._results[key] = result
                while len(self._results) > s.result_cache:
                    self._results.popitem(last=False)
        return result

    def _search(self, query: Query, k: int, scope: set[int] | None, t0: float) -> SearchResult:
        s = self.settings
        result = SearchResult(query, [], [], False, 0.0, 0.0, 0.0, self.empty)
        if query.is_empty or self.empty:
            return result
        t1 = time.perf_counter()
        qvec = self.embed(query)
        t2 = time.perf_counter()
        result.query_vector = qvec
        dense = self.index.search(qvec, s.dense_k) if self.index is not None else []
        sentence_scores = self._sentence_vectors @ qvec if self._sentence_vectors is not None else None
        lexical_scores = lexical.scores(self.db, query, s.column_weights, s.synonym_weight)
        bm25 = dict(sorted(lexical_scores.items(), key=lambda kv: -kv[1])[: s.lexical_k])
        candidates = list(
            dict.fromkeys([i for i, _ in dense] + self._best_sentence_chunks(sentence_scores) + list(bm25))
        )
        candidates = [i for i in candidates if i in self._rows]
        if not candidates or self._vectors is None:
            return result
        # Both signals for every candidate: one only the dense side found still has a BM25 score.
        bm25.update((c, lexical_scores[c]) for c in candidates if c in lexical_scores)
        rows = np.fromiter((self._rows[i] for i in candidates), dtype=np.int64)
        cosines = self._vectors[rows] @ qvec
        dense_scores = cosines
        if sentence_scores is not None and s.sentence_dense_weight:
            best = np.array([self._max_sentence(sentence_scores, c, float(cos)) for c, cos in zip(candidates, cosines)])
            dense_scores = (1 - s.sentence_dense_weight) * cosines + s.sentence_dense_weight * best
        fused = self._fuse(candidates, dense_scores, bm25)
        result.referenced = self.references.referenced(query)
        ranked = self._ranked(candidates, fused, cosines, bm25, query, result.referenced)
        if scope:
            ranked = [h for h in ranked if h.document_id in scope] or ranked
        result.chunks = ranked[: s.answer_chunks]
        result.hits = _one_per_section(ranked, k)
        if sentence_scores is not None:
            for hit in result.chunks + result.hits:
                a, b = self._sentence_spans.get(hit.chunk_id, (0, 0))
                if b > a:
                    result.sentence_scores[hit.chunk_id] = sentence_scores[a:b]
        result.cosine = float(cosines.max())
        result.coverage, result.phrase_coverage = self._judged_coverage(query, [h.chunk_id for h in ranked[:3]])
        result.confident = bool(ranked) and self._confident(result)
        t3 = time.perf_counter()
        result.timings = {"parse": t1 - t0, "embed": t2 - t1, "rank": t3 - t2}
        return result

    def _best_sentence_chunks(self, scores: np.ndarray | None) -> list[int]:
        """Chunks of the ``dense_k`` sentences nearest the question (a sentence can match
        where its whole chunk, diluted by its neighbours, does not)."""
        if scores is None or not len(scores):
            return []
        k = min(self.settings.dense_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        owners = self._sentence_owner[top[np.argsort(-scores[top])]]
        return list(dict.fromkeys(int(c) for c in owners))

    def _max_sentence(self, scores: np.ndarray, chunk_id: int, fallback: float) -> float:
        a, b = self._sentence_spans.get(chunk_id, (0, 0))
        return float(scores[a:b].max()) if b > a else fallback

    def _fuse(self, candidates: list[int], cosines: np.ndarray, bm25: dict[int, float]) -> np.ndarray:
        s = self.settings
        if s.fusion == "rrf":
            dense_order = np.argsort(-cosines, kind="stable")[: s.dense_k]
            dense_rank = {candidates[n]: r for r, n in enumerate(dense_order)}
            lex_rank = {cid: r for r, cid in enumerate(sorted(bm25, key=bm25.__getitem__, reverse=True))}
            scores = np.array(
                [
                    (1 / (s.rrf_k + dense_rank[c]) if c in dense_rank else 0.0)
                    + (1 / (s.rrf_k + lex_rank[c]) if c in lex_rank else 0.0)
                    for c in candidates
                ]
            )
            return scores / (2 / s.rrf_k)  # the best possible score maps to 1
        # Weighted: cosines rescaled over the candidate pool (e5 cosines crowd into 0.7-0.9),
        # BM25 over its best score.
        lo, hi = float(cosines.min()), float(cosines.max())
        dense_part = (cosines - lo) / (hi - lo) if hi > lo else np.ones_like(cosines)
        top = max(bm25.values(), default=0.0)
        lex_part = np.array([bm25.get(c, 0.0) / top if top > 0 else 0.0 for c in candidates])
        return s.dense_weight * dense_part + (1 - s.dense_weight) * lex_part

    def _ranked(
        self,
        candidates: list[int],
        fused: np.ndarray,
        cosines: np.ndarray,
        bm25: dict[int, float],
        query: Query,
        referenced: frozenset[str],
    ) -> list[Hit]:
        """Every candidate as a :class:`Hit`, with the intent and document bonuses, best first."""
        s = self.settings
        meta = _chunk_rows(self.db, candidates)
        facets = lexical.facets(self.db, candidates)
        wanted = {INTENT_FACETS[i] for i in query.intents if i in INTENT_FACETS}
        about = self.references.documents_about(referenced)
        scoped = self.references.scoped(query) if s.scope_bonus else set()
        hits = []
        for n, cid in enumerate(candidates):
            row = meta.get(cid)
            if row is None:  # deleted since the index was read
                continue
            score = float(fused[n])
            chunk_facets = facets.get(cid, frozenset())
            if wanted & chunk_facets:
                score += s.intent_bonus
            if row["document_id"] in about:
                score += s.document_bonus
            elif row["document_id"] in scoped:
                score += s.scope_bonus
            hits.append(
                Hit(
                    chunk_id=cid,
                    document_id=row["document_id"],
                    title=row["title"],
                    number=row["number"],
                    issued=row["issued"],
                    kind=row["kind"],
                    section=row["section_path"],
                    heading=row["heading"],
                    text=row["text"],
                    seq=row["seq"],
                    score=score,
                    cosine=float(cosines[n]),
                    bm25=bm25.get(cid, 0.0),
                    facets=chunk_facets,
                )
            )
        hits.sort(key=lambda h: -h.score)
        return hits

    def covered(self, result: SearchResult, question: str) -> bool:
        """The confidence call of ``result`` with the coverage of ``question`` by the same best
        chunks (the same cosine): for a question whose texts are named and already resolved,
        judged on what it asks about them (:attr:`Understanding.unnamed` in the answers)."""
        s = self.settings
        coverage, phrases = self._judged_coverage(self.parse(question), [h.chunk_id for h in result.chunks[:3]])
        return (
            bool(result.chunks)
            and result.cosine >= s.min_cosine
            and coverage >= s.min_coverage
            and phrases >= s.min_phrase_coverage
        )

    def asks_of_named(self, result: SearchResult, question: str) -> bool:
        """Whether the best chunks hold at least ``reference_min_coverage`` of what a question
        naming a carried text asks about it (``question`` without the name). The cosine floor
        alone lets through any question that names a text ("NQ 20 đặt chỉ tiêu dịch vụ công trực
        tuyến bao nhiêu %?"): the name brings the text, not the answer."""
        coverage, _ = self._judged_coverage(self.parse(question), [h.chunk_id for h in result.chunks[:3]])
        return coverage >= self.settings.reference_min_coverage

    def _judged_coverage(self, query: Query, chunk_ids: list[int]) -> tuple[float, float]:
        """(coverage, phrase coverage) of ``query``; for a restored question the smaller of the
        restored and the as-typed figures: restored marks must not make a question look covered."""
        coverage, phrases = self._coverages(query, chunk_ids)
        if query.typed:
            s = self.settings
            typed = self._coverages(self._without_frame(parse(query.typed, s.max_query_chars, s.bigrams)), chunk_ids)
            coverage, phrases = min(coverage, typed[0]), min(phrases, typed[1])
        return coverage, phrases

    def _coverages(self, query: Query, chunk_ids: list[int]) -> tuple[float, float]:
        """(coverage, phrase coverage) of the question by its best chunks.

        Coverage: the largest idf-weighted share of the question's terms (syllables and
        bigrams, folded) that one chunk holds. Phrase coverage: the smaller of the best syllable
        share and the best bigram share, so "đăng ký kết hôn" is not covered by a text that
        has "đăng ký" and "kết" but never the phrase "kết hôn"."""
        keys = lexical.folded_keys(self.db, chunk_ids)
        best = {"all": 0.0, "one": 0.0, "two": 0.0}
        for cid in chunk_ids:
            present = keys.get(cid, frozenset())
            for name, terms in (
                ("all", query.terms),
                ("one", [t for t in query.terms if not t.bigram]),
                ("two", [t for t in query.terms if t.bigram]),
            ):
                total = sum(self.vocabulary.idf(t.fold) for t in terms)
                found = sum(self.vocabulary.idf(t.fold) for t in terms if t.fold in present)
                best[name] = max(best[name], found / total if total else 0.0)
        has_pairs = any(t.bigram for t in query.terms)
        return best["all"], min(best["one"], best["two"]) if has_pairs else best["all"]

    def _without_frame(self, query: Query) -> Query:
        """An unmarked question without the words of its yes/no frame ("co" … "khong"), and the
        pairs they form that no text holds ("co_noi", "nghiep_khong"). Unmarked, "co" may be
        "cơ", so :func:`parse` keeps it as content; but then the as-typed coverage counts the
        frame of every chat question against it. A pair the texts do hold ("co_quan") stays."""
        terms = tuple(
            t
            for t in query.terms
            if not (FRAME_WORDS & set(t.fold.split("_")) and (not t.bigram or not self.vocabulary.df(t.fold)))
        )
        return dataclasses.replace(query, terms=terms)

    def _confident(self, result: SearchResult) -> bool:
        s = self.settings
        if result.referenced:
            return result.cosine >= s.reference_min_cosine
        return (
            result.cosine >= s.min_cosine
            and result.coverage >= s.min_coverage
            and result.phrase_coverage >= s.min_phrase_coverage
        )


def _chunk_rows(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict]:
    marks = ",".join("?" * len(ids))
    return {
        r["id"]: r
        for r in db.query(
            f"""SELECT c.id, c.document_id, c.section_path, c.heading, c.text, c.seq,
                       d.title, coalesce(d.number, '') AS number,
                       coalesce(d.issued, '') AS issued, coalesce(d.kind, '') AS kind
                FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE c.id IN ({marks})""",
            ids,
        )
    }


def _one_per_section(ranked: list[Hit], k: int) -> list[Hit]:
    """The best chunk of each (document, section), up to ``k`` sections."""
    hits: list[Hit] = []
    seen: set[tuple[int, str]] = set()
    for hit in ranked:
        where = (hit.document_id, hit.section)
        if where not in seen:
            seen.add(where)
            hits.append(hit)
            if len(hits) >= k:
                break
    return hits
