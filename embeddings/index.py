"""The dense index: chunk vectors in FAISS, persisted with a sidecar under the data folder.

Files (``<data>/index/``), one pair per kind of unit (``chunks``, ``sentences``):

* ``<kind>.faiss``: a flat inner-product index (vectors are unit length, so scores are cosines);
  row *i* belongs to ``ids[i]``. A few thousand chunks need no approximate index.
* ``<kind>.json``: the sidecar: encoder name, dimension, row count, and per row the id and the
  *content key* (sha256 of exactly what was embedded).

The content keys make the old index the embedding cache: :func:`sync` re-embeds only texts whose
key it has not seen, whatever chunk id they now carry (re-ingesting a changed file replaces its
chunk rows, but unchanged paragraphs keep their vectors). An index written by another encoder or
dimension is never mixed with new vectors: it is rebuilt, and the reason is logged and reported.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings.encoders import Encoder

if TYPE_CHECKING:
    import faiss

log = logging.getLogger(__name__)

CHUNKS = "chunks"  # one index per kind of unit: "chunks", "sentences"


@cache
def _faiss() -> Any:
    """FAISS, loaded when an index is first built or read: a command that only imports the
    answer types (``quantriet roster``, ``quantriet documents``) starts without it."""
    import faiss

    faiss.omp_set_num_threads(1)  # searches are tiny; threads only add latency
    return faiss


@dataclasses.dataclass(frozen=True)
class Item:
    """One chunk to index: its id, content key and the text to embed."""

    id: int
    key: str
    text: str


@dataclasses.dataclass
class SyncReport:
    embedded: int = 0  # texts sent to the encoder
    reused: int = 0  # vectors taken from the previous index
    removed: int = 0  # rows dropped because their chunk is gone
    rebuilt: str = ""  # why the previous index was discarded ("" when it was usable)
    encoder_calls: int = 0


class VectorIndex:
    """Unit vectors with their chunk ids and content keys; searched by inner product."""

    def __init__(
        self,
        model: str,
        dim: int,
        ids: Sequence[int],
        keys: Sequence[str],
        vectors: np.ndarray | None = None,
        faiss_index: faiss.Index | None = None,
    ) -> None:
        self.model = model
        self.dim = dim
        self.ids = np.asarray(ids, dtype=np.int64)
        self.keys = list(keys)
        if faiss_index is None:
            faiss_index = _faiss().IndexFlatIP(dim)
            if vectors is not None and len(vectors):
                faiss_index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.faiss = faiss_index

    def __len__(self) -> int:
        return len(self.keys)

    def vectors(self) -> np.ndarray:
        if not len(self):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.faiss.reconstruct_n(0, len(self))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest chunks as ``(chunk_id, cosine)``, best first."""
        if not len(self) or k <= 0:
            return []
        scores, rows = self.faiss.search(query.reshape(1, -1).astype(np.float32), min(k, len(self)))
        return [(int(self.ids[r]), float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]

    def save(self, folder: Path, stem: str = CHUNKS) -> None:
        """Write index then sidecar, each atomically; a reader checks that the two agree."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp_index = folder / f"{stem}.faiss.tmp"
        tmp_side = folder / f"{stem}.json.tmp"
        _faiss().write_index(self.faiss, str(tmp_index))
        sidecar = {
            "model": self.model,
            "dim": self.dim,
            "count": len(self),
            "ids": [int(i) for i in self.ids],
            "keys": self.keys,
        }
        tmp_side.write_text(json.dumps(sidecar), encoding="utf-8")
        os.replace(tmp_index, folder / f"{stem}.faiss")
        os.replace(tmp_side, sidecar_path(folder, stem))

    @classmethod
    def read(cls, folder: Path, stem: str = CHUNKS) -> VectorIndex:
        """Load whatever is on disk; raises ``ValueError``/``OSError`` if it is missing or torn."""
        sidecar = json.loads(sidecar_path(folder, stem).read_text(encoding="utf-8"))
        index = _faiss().read_index(str(folder / f"{stem}.faiss"))
        ids, keys = sidecar["ids"], sidecar["keys"]
        if not (index.ntotal == len(ids) == len(keys) == sidecar["count"]) or index.d != sidecar["dim"]:
            raise ValueError(
                f"index and sidecar disagree ({index.ntotal} vectors of dim {index.d}, "
                f"{len(ids)} ids, sidecar says {sidecar['count']} of dim {sidecar['dim']})"
            )
        return cls(sidecar["model"], int(sidecar["dim"]), ids, keys, faiss_index=index)


def sidecar_path(folder: Path, stem: str = CHUNKS) -> Path:
    return folder / f"{stem}.json"


def load(folder: Path, encoder: Encoder, stem: str = CHUNKS) -> tuple[VectorIndex | None, str]:
    """The index on disk if it was built by ``encoder``; else ``(None, reason)`` ("" = none yet)."""
    if not sidecar_path(folder, stem).exists():
        return None, ""
    try:
        index = VectorIndex.read(folder, stem)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        return None, f"the index files are unreadable ({exc})"
    if index.model != encoder.name or index.dim != encoder.dim:
        return None, (
            f"the index was built with {index.model} (dimension {index.dim}) but the configured "
            f"encoder is {encoder.name} (dimension {encoder.dim})"
        )
    return index, ""


def sync(
    folder: Path,
    encoder: Encoder,
    items: Sequence[Item],
    stem: str = CHUNKS,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[VectorIndex, SyncReport]:
    """Make the index on disk hold exactly ``items``, embedding only unseen content keys."""
    report = SyncReport()
    previous, report.rebuilt = load(folder, encoder, stem)
    if report.rebuilt:
        log.warning("rebuilding the vector index: %s", report.rebuilt)
    cache: dict[str, np.ndarray] = {}
    if previous is not None:
        if [int(i) for i in previous.ids] == [it.id for it in items] and previous.keys == [it.key for it in items]:
            return previous, report  # nothing changed: no write either
        cache = dict(zip(previous.keys, previous.vectors()))
        current = {it.id for it in items}
        report.removed = sum(1 for i in previous.ids if int(i) not in current)

    missing: dict[str, str] = {}
    for it in items:
        if it.key not in cache:
            missing.setdefault(it.key, it.text)
    if missing:
        keys = list(missing)
        step = 64
        for start in range(0, len(keys), step):
            batch = keys[start : start + step]
            vectors = encoder.encode_passages([missing[k] for k in batch])
            report.encoder_calls += 1
            cache.update(zip(batch, vectors))
            if progress:
                progress(min(start + step, len(keys)), len(keys))
    report.embedded = len(missing)
    report.reused = sum(1 for it in items if it.key not in missing)

    vectors = (
        np.stack([cache[it.key] for it in items]).astype(np.float32)
        if items
        else np.zeros((0, encoder.dim), dtype=np.float32)
    )
    index = VectorIndex(encoder.name, encoder.dim, [it.id for it in items], [it.key for it in items], vectors=vectors)
    index.save(folder, stem)
    return index, report
