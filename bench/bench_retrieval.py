"""Retrieval alone: plain BM25 vs dense vs the hybrid, by section hit@1/3/5 and MRR@10.

    .venv/bin/python bench/bench_retrieval.py [--data DIR] [--ingest PATH]... [FILE.jsonl ...]

A question counts as found at rank r when the r-th *section* returned (one per document and
section, as the answers show them) contains one of its ``expect`` strings (compared without case
or tone-placement differences); for a legal set, when its number and section path contain one of
``"gold": ["…"]``, or match one of ``"relevant_articles": [{"law_id", "article_id"}]`` (the Zalo
legal retrieval shape: the law's id is the document number, its articles "Điều N. …" sections).

"bm25" is the FTS5 ranking alone (accented/folded columns, bigrams; no dense, no bonuses),
"dense" the encoder alone (chunk + best-sentence cosine), "hybrid" the configured fusion.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument("files", nargs="*", default=[str(DEV), str(SYNTHETIC)])
    parser.add_argument(
        "--ingest", action="append", type=Path, metavar="PATH", help="a file or folder to ingest first (repeatable)"
    )
    parser.add_argument(
        "--unaccented", action="store_true", help="strip every diacritic from the questions (robustness check)"
    )
    args = parser.parse_args()
    app = make_app(args)
    if args.ingest or app.searcher.empty:
        print(f"ingested in {ingest(app, args.ingest):.1f} s")
        app.__dict__.pop("searcher", None)
    base = app.searcher
    table = {}
    for path in args.files:
        cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        cases = [
            c
            for c in cases
            if c.get("kind") != "abstain" and (c.get("expect") or c.get("gold") or c.get("relevant_articles"))
        ]
        if args.unaccented:
            cases = [{**c, "question": strip_marks(c["question"])} for c in cases]
        for name, settings in variants(base.settings).items():
            searcher = Searcher(app.db, base.folder, base.encoder, settings)
            ranks = [gold_rank(searcher.search(c["question"], k=K).hits, c) for c in cases]
            n = len(ranks)
            row = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
            row["mrr@10"] = sum(1 / r for r in ranks if r) / n
            table[(Path(path).name, name)] = row
    print(f"{'file':<16} {'ranking':<20} hit@1  hit@3  hit@5  mrr@10")
    for (file, name), row in table.items():
        print(f"{file:<16} {name:<20} " + "  ".join(f"{row[k]:.3f}" for k in ("hit@1", "hit@3", "hit@5", "mrr@10")))


if __name__ == "__main__":
    main()
