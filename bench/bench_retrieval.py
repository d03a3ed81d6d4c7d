"""Retrieval alone: plain BM25 vs dense vs the hybrid, by section hit@1/3/5 and MRR@10.

    .venv/bin/python bench/bench_retrieval.py [--data DIR] [--ingest PATH]... [FILE.jsonl ...]

A question counts as found at rank r when the r-th *section* returned (one per document and
section, as the answers show them) contains one of its ``expect`` strings (compared without case
or tone-placement differences); for a legal set, when its number and section path contain one of
``"gold": ["…"]``, or match one of ``"relevant_articles": [{"law_id", "article_id"}]`` (the Zalo
legal retrieval shape: the law's id is the document number, its articles "Điều N. …" sections).

"bm25" is the FTS5 ranking alone (accented/folded columns, bigrams; no dense, no bonuses),
"dense" the encoder alone (chunk + best-sentence cosine), "rrf" plain reciprocal-rank fusion of the two, "hybrid" the configured fusion.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
from common import DEV, SYNTHETIC, add_common_args, ingest, make_app

from bot.core.answers.evaluation import normalise
from embeddings.search import Searcher
from knowledge.text import strip_marks

K = 10


def variants(base) -> dict[str, object]:
    plain = dict(intent_bonus=0.0, document_bonus=0.0, scope_bonus=0.0)
    return {
        "bm25": dataclasses.replace(base, dense_weight=0.0, synonym_weight=0.0, restore_accents=False, **plain),
        "dense": dataclasses.replace(base, dense_weight=1.0, **plain),
        "rrf (no bonuses)": dataclasses.replace(base, fusion="rrf", **plain),
        "hybrid (no bonuses)": dataclasses.replace(base, **plain),
        "hybrid": base,
    }


def gold_rank(hits, case: dict) -> int | None:
    expect = [normalise(e) for e in case.get("expect", [])]
    gold = [normalise(g) for g in case.get("gold", [])]
    articles = [
        (normalise(str(a.get("law_id", ""))), normalise(f"điều {a.get('article_id', '')}"))
        for a in case.get("relevant_articles", [])
    ]
    for rank, hit in enumerate(hits, start=1):
        text = normalise(hit.text)
        place = normalise(f"{hit.number} {hit.section}")
        section = normalise(hit.section)
        if (
            any(e in text for e in expect)
            or any(g in place for g in gold)
            or any(
                normalise(hit.number) == law and re.match(re.escape(art) + r"(?!\d)", section) for law, art in articles
            )
        ):
            return rank
    return None


QUESTION_KEYS = ("question", "text", "statement")


def load_cases(path: Path, unaccented: bool = False, limit: int = 0) -> list[dict]:
    """The in-scope questions of a JSONL file or a JSON list (ALQAC: "text"/"statement" and
    "relevant_articles"/"legal_passages"), each with a "question"; the first ``limit`` if > 0."""
    raw = path.read_text(encoding="utf-8").lstrip("\ufeff")
    if raw.lstrip().startswith(("[", "{")) and path.suffix != ".jsonl":
        records = json.loads(raw)
        if isinstance(records, dict):  # {"items": [...]} (Zalo)
            records = max((v for v in records.values() if isinstance(v, list)), key=len, default=[])
    else:
        records = [json.loads(x) for x in raw.splitlines() if x.strip()]
    cases = []
    for record in records:
        question = next((record[k] for k in QUESTION_KEYS if record.get(k)), "")
        articles = record.get("relevant_articles") or record.get("legal_passages") or []
        case = {**record, "question": question, "relevant_articles": articles}
        if question and case.get("kind") != "abstain" and (case.get("expect") or case.get("gold") or articles):
            cases.append(case)
    if unaccented:
        cases = [{**c, "question": strip_marks(c["question"])} for c in cases]
    return cases[:limit] if limit > 0 else cases


class MemoEncoder:
    """The encoder with its query vectors remembered: every variant asks the same questions, and
    embedding them is most of a run's time."""

    def __init__(self, encoder) -> None:
        self._encoder, self.name, self.dim = encoder, encoder.name, encoder.dim
        self._queries: dict[str, object] = {}

    def encode_queries(self, texts: list[str]):
        missing = [t for t in texts if t not in self._queries]
        if missing:
            self._queries.update(zip(missing, self._encoder.encode_queries(missing)))
        return np.stack([self._queries[t] for t in texts])

    def encode_passages(self, texts: list[str]):
        return self._encoder.encode_passages(texts)


def evaluate(app, files: list[Path], unaccented: bool = False, limit: int = 0) -> dict[tuple[str, str], dict]:
    """hit@1/3/5 and MRR@10 of every ranking variant on every question file."""
    base = app.searcher
    encoder = MemoEncoder(base.encoder)
    table = {}
    for path in files:
        cases = load_cases(path, unaccented, limit)
        for name, settings in variants(base.settings).items():
            searcher = Searcher(app.db, base.folder, encoder, settings)
            ranks = [gold_rank(searcher.search(c["question"], k=K).hits, c) for c in cases]
            n = max(len(ranks), 1)
            row = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
            row["mrr@10"] = sum(1 / r for r in ranks if r) / n
            row["n"] = len(ranks)
            table[(path.name, name)] = row
    return table


def print_table(table: dict[tuple[str, str], dict]) -> None:
    print(f"{'file':<22} {'ranking':<20}   n  hit@1  hit@3  hit@5  mrr@10")
    for (file, name), row in table.items():
        scores = "  ".join(f"{row[k]:.3f}" for k in ("hit@1", "hit@3", "hit@5", "mrr@10"))
        print(f"{file:<22} {name:<20} {row['n']:>3}  {scores}")


def add_question_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unaccented", action="store_true", help="strip every diacritic from the questions (robustness check)"
    )
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="only the first N questions of each file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    add_question_args(parser)
    parser.add_argument("files", nargs="*", type=Path, default=[DEV, SYNTHETIC])
    parser.add_argument(
        "--ingest", action="append", type=Path, metavar="PATH", help="a file or folder to ingest first (repeatable)"
    )
    args = parser.parse_args()
    app = make_app(args)
    if args.ingest or app.searcher.empty:
        print(f"ingested in {ingest(app, args.ingest):.1f} s")
        app.__dict__.pop("searcher", None)
    print_table(evaluate(app, args.files, args.unaccented, args.limit))


if __name__ == "__main__":
    main()
