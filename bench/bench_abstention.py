"""Answer or decline with one set of settings on catalogues of every size (issue 12).

    .venv/bin/python bench/bench_abstention.py [--corpus law.json --questions q.json] [--unaccented] [--keep DIR]

The confidence call must not hold only for the catalogue it was tuned on. Each catalogue below is
ingested on its own, with config.toml unchanged, and every question of every set is asked
(``../shared/eval/dev.jsonl``, ``chat.jsonl``, ``bench/data/chat_heldout.jsonl``, ``chat_fresh.jsonl``, ``chat_traps.jsonl``,
``chat_blind*.jsonl``, ``formal_blind*.jsonl``, ``synthetic.jsonl`` and the fixtures' own questions):

* **fixtures**: the two fictional texts of ``tests/fixtures/knowledge`` (what a fresh clone tests);
* **sample**: the sample article alone (a fresh clone's catalogue);
* **four texts**: ``../shared/knowledge``;
* **legal** (with ``--corpus``): a law corpus in the ALQAC shape, asked its own questions.

A question is *in scope* on the catalogue it was written for (the fixtures' questions on the
fixtures, every other set on the four texts) unless it is of a decline kind; on the sample
article alone, a four-text question is in scope when one of its expected facts stands in the
article (a fact of two words or more, or a day/month date: a bare "2030" occurs everywhere);
on the legal corpus, its own questions with their gold article. Everything else must be
declined: no quote (a "not in the catalogue" reply counts as declined). A question about other
texts whose telling fact happens to stand in the catalogue is left out.
Reported per catalogue: in scope answered with the fact (legal: gold article first / in the
sources), in scope wrongly declined, out of scope declined.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import tempfile
from pathlib import Path

from bench_retrieval import gold_rank, load_cases
from common import DEV, KNOWLEDGE, REPO, SHARED, SYNTHETIC, add_common_args, ingest, make_app

from bot.core.answers.answers import ask
from bot.core.answers.evaluation import DECLINE_KINDS, contains_fact, normalise
from knowledge.text import strip_marks

FIXTURES = REPO / "tests" / "fixtures"
SAMPLE = KNOWLEDGE / "bao-quang-nam-ke-hoach-tinh-uy-kl69.txt"
_LEADING_ZERO = re.compile(r"(?<!\d)0(\d)(?=/)")
SETS = [
    DEV,
    SHARED / "eval" / "chat.jsonl",
    *(REPO / "bench" / "data" / f"chat_{name}.jsonl" for name in ("heldout", "fresh", "traps")),
    *sorted((REPO / "bench" / "data").glob("chat_blind*.jsonl")),
    *sorted((REPO / "bench" / "data").glob("formal_blind*.jsonl")),
    SYNTHETIC,
]


def questions(unaccented: bool) -> list[dict]:
    cases = []
    for path in [*SETS, FIXTURES / "questions.jsonl"]:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    case["set"] = path.stem
                    if unaccented:
                        case["question"] = strip_marks(case["question"])
                    cases.append(case)
    return cases


def telling(fact: str) -> bool:
    """A fact specific enough that finding it in a text means the text answers the question."""
    return len(fact.split()) >= 2 or "/" in fact


def _key(text: str) -> str:
    """:func:`normalise`, with dates written alike ("11/01/2024" is "11/1/2024")."""
    return _LEADING_ZERO.sub(r"\1", normalise(text))


def catalogue_text(paths: list[Path]) -> str:
    files = [f for p in paths for f in (sorted(p.rglob("*.txt")) if p.is_dir() else [p])]
    return _key(" ".join(f.read_text(encoding="utf-8") for f in files))


HOME = {"questions": "fixtures"}  # the fixtures' own questions; every other set is about the four texts
PART_OF = {"sample": "four texts"}


def scope(case: dict, catalogue: str, text: str) -> str:
    """ "in", "out", or "skip": a question about other texts whose fact happens to stand in
    this catalogue too ("cơ quan, đơn vị") is neither."""
    if case.get("kind") in DECLINE_KINDS:
        return "out"
    home = HOME.get(case["set"], "four texts")
    found = any(telling(f) and _key(f) in text for f in case.get("expect", []))
    if catalogue == home:
        return "in"
    if PART_OF.get(catalogue) == home:
        return "in" if found else "out"
    return "skip" if found else "out"


def run(name: str, paths: list[Path], cases: list[dict], args: argparse.Namespace, legal: list[dict]) -> dict:
    if args.keep:  # one folder per catalogue, kept: a second run re-ingests nothing
        folder = args.keep / name.replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix=f"quantriet-abstain-{name.replace(' ', '-')}-"))
    args.data = str(folder)
    app = make_app(args)
    seconds = ingest(app, paths)
    text = catalogue_text(paths)
    counts: collections.Counter[str] = collections.Counter()
    misses: list[str] = []
    for case in cases:
        where = scope(case, name, text)
        if where == "skip":
            continue
        answer = ask(app, case["question"])
        if where == "in":
            counts["in"] += 1
            counts["hit"] += answer.confident and contains_fact(answer.answer, case["expect"])
            counts["wrongly_declined"] += not answer.confident
        else:
            counts["out"] += 1
            counts["declined"] += not answer.confident
            if answer.confident:
                misses.append(f"{case['set']}:{case.get('id')}")
    for case in legal:
        answer = ask(app, case["question"])
        counts["in"] += 1
        counts["wrongly_declined"] += not answer.confident
        rank = gold_rank(answer.sources, case) if answer.confident else None
        counts["hit"] += rank == 1
        counts["hit3"] += bool(rank)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {"name": name, "ingest_s": seconds, "misses": misses, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument("--corpus", type=Path, help="a law corpus in the ALQAC shape (JSON)")
    parser.add_argument("--questions", type=Path, help="its questions with their gold articles")
    parser.add_argument("--limit", type=int, default=0, help="only the first N legal questions")
    parser.add_argument("--unaccented", action="store_true", help="every diacritic stripped from the questions")
    parser.add_argument("--only", action="append", default=[], help="only this catalogue (repeatable)")
    parser.add_argument(
        "--keep", type=Path, help="keep each catalogue's data folder under this one (re-runs are quick)"
    )
    args = parser.parse_args()
    cases = questions(args.unaccented)
    catalogues = [("fixtures", [FIXTURES / "knowledge"])]
    if KNOWLEDGE.exists():
        catalogues += [("sample", [SAMPLE]), ("four texts", [KNOWLEDGE])]
    rows = [run(name, paths, cases, args, []) for name, paths in catalogues if not args.only or name in args.only]
    if args.corpus:
        legal = load_cases(args.questions, args.unaccented, args.limit)
        rows.append(run("legal", [args.corpus], cases, args, legal))
    print(f"{'catalogue':<11} {'in scope':>8} {'answered':>9} {'wrongly declined':>17} {'out':>5} {'declined':>9}")
    for r in rows:
        n_in, n_out = r.get("in", 0), r.get("out", 0)
        answered = f"{r.get('hit', 0) / n_in:.1%}" if n_in else "-"
        if r["name"] == "legal" and n_in:
            answered += f" (hit@3 {r.get('hit3', 0) / n_in:.1%})"
        declined = f"{r.get('declined', 0) / n_out:.1%}" if n_out else "-"
        print(
            f"{r['name']:<11} {n_in:>8} {answered:>9} {r.get('wrongly_declined', 0):>17} {n_out:>5} {declined:>9}"
            f"   ingest {r['ingest_s']:.0f} s"
        )
        if r["misses"]:
            print(f"   answered out of scope: {', '.join(r['misses'])}")


if __name__ == "__main__":
    main()
