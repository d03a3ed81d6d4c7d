"""Retrieval on a legal corpus: plain BM25 vs dense vs the hybrid, article hit@1/3/5 and MRR@10.

    .venv/bin/python bench/bench_legal.py --corpus law.json --questions question.json [--laws N] [--limit N]
    .venv/bin/python bench/bench_legal.py                      # the law-style rewrite of ../shared/knowledge

With ``--corpus``: a corpus in the Zalo / ALQAC legal shape (``[{"id"|"law_id", "articles": [{"id",
"text"}]}]``, an article's title on the first line of its text) and its questions (a JSON list or
JSONL, the question under "question", "text" or "statement", the gold under "relevant_articles" or
"legal_passages"). Third-party data is never committed: keep it under bench/out/ (git-ignored).
``--laws N`` keeps the N laws cited most by the questions (plus those needed by the kept
questions), so an ingest stays short; the figures are then on a smaller corpus and say so.

Without ``--corpus``: the four shared texts rewritten as laws, in the same ALQAC shape (every
section an article "Điều N", its heading on the first line, the numbering dropped), asked the
synthetic and dev questions (gold = a section quoting an ``expect`` string). It checks that the
ranking does not depend on our texts' own numbering and headings.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

from bench_retrieval import add_question_args, evaluate, load_cases, print_table
from common import DEV, KNOWLEDGE, REPO, SYNTHETIC, add_common_args, ingest, make_app

from knowledge.loaders import load_file

OUT = REPO / "bench" / "out"
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)\-–]\s*", re.IGNORECASE)


def law_rewrite(folder: Path) -> list[dict]:
    """The documents of ``folder`` as ALQAC-shaped laws: one article per section with text."""
    laws = []
    for path in sorted(folder.glob("*.txt")):
        for document in load_file(path):
            articles = []
            for section, blocks in _sections(document.outline().blocks):
                body = "\n".join(b.text for b in blocks if not b.is_heading)
                if body:
                    title = _NUMBERING.sub("", section.label) or document.title
                    articles.append({"id": str(len(articles) + 1), "text": f"{title}\n\n{body}"})
            laws.append({"id": document.number or document.title, "articles": articles})
    return laws


def _sections(blocks):
    grouped = collections.OrderedDict()
    for block in blocks:
        grouped.setdefault(id(block.section), (block.section, []))[1].append(block)
    return list(grouped.values())


def keep_laws(corpus: list[dict], cases: list[dict], laws: int) -> tuple[list[dict], list[dict]]:
    """The ``laws`` most cited laws and the questions answerable from them."""
    cited = collections.Counter(str(a.get("law_id")) for c in cases for a in c["relevant_articles"])
    kept = {law for law, _ in cited.most_common(laws)}
    cases = [c for c in cases if all(str(a.get("law_id")) in kept for a in c["relevant_articles"])]
    return [law for law in corpus if str(law.get("id") or law.get("law_id")) in kept], cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    add_question_args(parser)
    parser.add_argument("--corpus", type=Path, help="a Zalo/ALQAC-shaped law corpus (JSON)")
    parser.add_argument("--questions", type=Path, help="its questions (JSON list or JSONL)")
    parser.add_argument("--laws", type=int, default=0, metavar="N", help="keep only the N most cited laws")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.corpus:
        corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
        files = [args.questions]
        if args.laws:
            corpus, cases = keep_laws(corpus, load_cases(args.questions), args.laws)
            files = [OUT / f"{args.questions.stem}-{args.laws}-laws.jsonl"]
            files[0].write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    else:
        corpus, files = law_rewrite(KNOWLEDGE), [SYNTHETIC, DEV]
    corpus_path = OUT / ("law-rewrite.json" if not args.corpus else f"{args.corpus.stem}-{args.laws or 'all'}.json")
    corpus_path.write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
    articles = sum(len(law["articles"]) for law in corpus)
    print(f"corpus: {len(corpus)} laws, {articles} articles ({corpus_path.name})")
    app = make_app(args)
    if app.searcher.empty:
        print(f"ingested in {ingest(app, [corpus_path]):.1f} s")
        app.__dict__.pop("searcher", None)
    print_table(evaluate(app, files, args.unaccented, args.limit))


if __name__ == "__main__":
    main()
