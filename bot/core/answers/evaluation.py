"""Scoring answers against a question file shaped like ``../shared/eval/dev.jsonl``.

Each line: ``{"id", "kind", "question", "expect": [fact strings]}``; kind "abstain" (or
"out_of_scope", "small_talk") means the texts do not answer it and the bot must decline
(``confident`` false: no quote).

* hit@1: an expected fact appears in the ``answer`` text;
* hit@3: it appears in the text of one of the first three sources;
* abstention accuracy: share of "abstain" questions declined; in-scope questions wrongly declined
  are counted separately (they are misses that look like modesty);
* per kind: the same pass rate for each ``kind`` of the file, so a weakness of one kind
  (metadata, yes/no…) is not hidden by the others;
* tune/report split: :func:`split` assigns every case to one half by a hash of its id, so
  settings can be chosen on the "tune" half and reported on the other.

Facts are compared after NFC, one tone placement, case folding and whitespace collapsing, so
"cụ thể hoá" in the text meets "cụ thể hóa" in the file; the exact (raw substring) hit count is
reported beside it.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import time
import zlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.answers.answers import Answer, ask
from knowledge.text import canonical_tones, nfc

if TYPE_CHECKING:
    from bot.app import App

ABSTAIN = "abstain"
DECLINE_KINDS = frozenset((ABSTAIN, "out_of_scope", "small_talk"))
HALVES = ("tune", "report")


class EvalFileError(ValueError):
    """A line of the question file is not a usable case."""


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    kind: str
    question: str
    expect: tuple[str, ...]

    @property
    def abstain(self) -> bool:
        return self.kind in DECLINE_KINDS

    @property
    def half(self) -> str:
        """ "tune" or "report", stable for an id (crc32, not Python's salted hash)."""
        return HALVES[zlib.crc32(self.id.encode("utf-8")) % 2]


@dataclasses.dataclass
class CaseResult:
    case: Case
    answer: Answer
    seconds: float
    hit1: bool
    hit3: bool
    exact1: bool

    @property
    def declined(self) -> bool:
        return not self.answer.confident

    @property
    def passed(self) -> bool:
        return self.declined if self.case.abstain else self.hit1


def normalise(text: str) -> str:
    """The comparison key: NFC, canonical tones, case-folded, single spaces."""
    return " ".join(canonical_tones(nfc(text)).casefold().split())


def contains_fact(text: str, facts: Iterable[str]) -> bool:
    key = normalise(text)
    return any(normalise(f) in key for f in facts)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0.5, 0.95…) of ``values``; 0 for none."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[int(q * 100) - 1]


def load_cases(path: str | Path) -> list[Case]:
    cases = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                Case(
                    id=str(raw.get("id", n)),
                    kind=str(raw.get("kind", "")),
                    question=str(raw["question"]),
                    expect=tuple(str(e) for e in raw.get("expect", [])),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise EvalFileError(f"dòng {n}: không đọc được câu hỏi ({exc})") from exc
    return cases


def split(cases: list[Case], half: str) -> list[Case]:
    """The cases of one half ("tune" or "report"); "all" keeps every case."""
    return cases if half == "all" else [c for c in cases if c.half == half]


def score(case: Case, answer: Answer, seconds: float) -> CaseResult:
    sources = " \n ".join(s.text for s in answer.sources[:3])
    in_scope = not case.abstain and answer.confident
    return CaseResult(
        case=case,
        answer=answer,
        seconds=seconds,
        hit1=in_scope and contains_fact(answer.answer, case.expect),
        hit3=in_scope and contains_fact(sources, case.expect),
        exact1=in_scope and any(f in answer.answer for f in case.expect),
    )


@dataclasses.dataclass
class Report:
    results: list[CaseResult]

    @property
    def in_scope(self) -> list[CaseResult]:
        return [r for r in self.results if not r.case.abstain]

    @property
    def abstain(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.abstain]

    def _share(self, rows: list[CaseResult], attr: str) -> float:
        return sum(getattr(r, attr) for r in rows) / len(rows) if rows else 0.0

    @property
    def hit1(self) -> float:
        return self._share(self.in_scope, "hit1")

    @property
    def hit3(self) -> float:
        return self._share(self.in_scope, "hit3")

    @property
    def exact1(self) -> float:
        return self._share(self.in_scope, "exact1")

    @property
    def abstention(self) -> float:
        return self._share(self.abstain, "declined")

    @property
    def wrongly_declined(self) -> list[str]:
        return [r.case.id for r in self.in_scope if r.declined]

    @property
    def failing(self) -> list[str]:
        return [r.case.id for r in self.results if not r.passed]

    def by_kind(self) -> dict[str, dict[str, Any]]:
        """Per kind: questions, passed (hit@1, or declined for the decline kinds), pass rate."""
        out: dict[str, dict[str, Any]] = {}
        for kind in sorted({r.case.kind for r in self.results}):
            rows = [r for r in self.results if r.case.kind == kind]
            passed = sum(r.passed for r in rows)
            out[kind] = {"questions": len(rows), "passed": passed, "rate": round(passed / len(rows), 4)}
        return out

    def latency(self, q: float) -> float:
        return percentile([r.seconds for r in self.results], q)

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": len(self.results),
            "in_scope": len(self.in_scope),
            "abstain": len(self.abstain),
            "hit@1": round(self.hit1, 4),
            "hit@3": round(self.hit3, 4),
            "exact@1": round(self.exact1, 4),
            "abstention_accuracy": round(self.abstention, 4),
            "wrongly_declined": self.wrongly_declined,
            "p50_ms": round(self.latency(0.5) * 1000, 2),
            "p95_ms": round(self.latency(0.95) * 1000, 2),
            "failing": self.failing,
            "kinds": self.by_kind(),
        }

    def format(self) -> str:
        """The human summary printed by ``quantriet eval``."""
        j = self.to_json()
        lines = [
            f"Số câu hỏi: {j['questions']} ({j['in_scope']} trong phạm vi, {j['abstain']} cần từ chối)",
            f"hit@1 (đáp án có trong câu trả lời):  {self.hit1:.1%}  (khớp nguyên văn {self.exact1:.1%})",
            f"hit@3 (đáp án có trong 3 nguồn đầu):  {self.hit3:.1%}",
            f"Độ chính xác từ chối:                {self.abstention:.1%}",
            f"Câu trong phạm vi bị từ chối nhầm:    {len(self.wrongly_declined)}"
            + (f" ({', '.join(self.wrongly_declined)})" if self.wrongly_declined else ""),
            f"Thời gian mỗi câu: p50 {j['p50_ms']:.1f} ms, p95 {j['p95_ms']:.1f} ms",
            "Câu sai: " + (", ".join(self.failing) if self.failing else "không có"),
            "Theo loại câu hỏi (đạt / số câu):",
        ]
        lines += [
            f"  {kind:<16} {k['passed']:>3} / {k['questions']:<3} {k['rate']:.0%}" for kind, k in j["kinds"].items()
        ]
        return "\n".join(lines)


def run(app: App, cases: list[Case], today: date | None = None) -> Report:
    """Ask every case in-process (model loaded and warmed first, so latency is per question)."""
    searcher = app.searcher
    if not searcher.empty:
        ask(app, "khởi động", today)  # first-call costs (model pages, SQLite caches) are not a question's
    results = []
    for case in cases:
        started = time.perf_counter()
        answer = ask(app, case.question, today)
        results.append(score(case, answer, time.perf_counter() - started))
    return Report(results)
