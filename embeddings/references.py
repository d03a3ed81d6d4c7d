"""Which catalogued documents a question names ("Kết luận 69", "NQ57", "nghi quyet so 20").

Cadres name the text they ask about far more often than they paraphrase it. A question that
names a document in the catalogue is in scope even when its wording shares little with the text
("Nghị quyết 20 ra đời ngày nào?"), and the chunks of that document, or of a document about it
(the provincial plan *implementing* Kết luận 69), deserve a small ranking bonus. A question
that names what only a few document headers say ("kế hoạch của Tỉnh ủy") gets a like bonus
for those documents (:meth:`DocumentReferences.scoped`).

A number such as "69-KL/TW" is recognised in a question as "<type> [số] 69" or "69-<type>",
where <type> is the abbreviation ("KL") or its expansion ("kết luận"), marks optional.
"""

from __future__ import annotations

import dataclasses
import re

import sqlite_utils

from embeddings.query import Query, keys, segments
from knowledge.text import ABBREVIATIONS, fold

SCOPE_MAX_DOCUMENTS = 20  # a pair in more headers than this names a topic, not a document
_NUMBER = re.compile(r"^\s*(\d{1,4})\s*[-/]\s*([A-Za-zĐđ]{1,6})\b")


@dataclasses.dataclass(frozen=True)
class _Pattern:
    number: str  # "69-KL/TW" as catalogued
    regex: re.Pattern[str]


def _folded(text: str) -> str:
    return " ".join(fold(w) for seg in segments(text, expand=False) for w in seg)


def _pattern(number: str) -> _Pattern | None:
    m = _NUMBER.match(number)
    if not m:
        return None
    digits, abbr = str(int(m.group(1))), fold(m.group(2))
    kinds = [re.escape(abbr)]
    if abbr in {fold(a) for a in ABBREVIATIONS}:
        expansion = next(v for a, v in ABBREVIATIONS.items() if fold(a) == abbr)
        kinds.append(re.escape(_folded(expansion)))
    kind = "(?:" + "|".join(kinds) + ")"
    return _Pattern(number, re.compile(rf"\b{kind} (?:so )?{digits}\b|\b{digits} {kind}\b"))


class DocumentReferences:
    """Recognises document numbers in questions and knows which documents concern each number."""

    def __init__(self, documents: list[tuple[int, str, str]]) -> None:
        """``documents``: (id, number, title + kind + issuer) of every catalogued document."""
        self._documents = len(documents)
        self._holders: dict[str, set[int]] = {}  # folded header key → documents
        for doc_id, number, described in documents:
            for key in set(keys(f"{number} {described}")[1].split()):
                self._holders.setdefault(key, set()).add(doc_id)
        self._patterns = [p for p in {_pattern(n) for _, n, _ in documents if n} if p is not None]
        self._about: dict[str, set[int]] = {}
        for doc_id, number, described in documents:
            text = _folded(f"{number} {described}")
            for p in self._patterns:
                if p.number == number or p.regex.search(text):
                    self._about.setdefault(p.number, set()).add(doc_id)

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> DocumentReferences:
        rows = db.conn.execute(
            "SELECT id, coalesce(number, ''), title || ' ' || coalesce(kind, '') || ' '"
            " || coalesce(issuer, '') FROM documents WHERE removed_at IS NULL"
        ).fetchall()
        return cls([(int(i), n, t) for i, n, t in rows])

    def referenced(self, query: Query) -> frozenset[str]:
        """The catalogued numbers this question names."""
        if not self._patterns:
            return frozenset()
        text = _folded(query.matching)
        return frozenset(p.number for p in self._patterns if p.regex.search(text))

    def scoped(self, query: Query) -> set[int]:
        """Documents whose header (title, kind, issuer) holds a word pair of the question that
        few headers share (a third of them at most, and at most ``SCOPE_MAX_DOCUMENTS``):
        "Tỉnh ủy", "Quảng Nam", "đất đai" say which document the question is about even
        without its number."""
        if self._documents < 2:
            return set()
        limit = min(max(1, self._documents // 3), SCOPE_MAX_DOCUMENTS)
        out: set[int] = set()
        for term in query.terms:
            holders = self._holders.get(term.fold, set()) if term.bigram else set()
            if len(holders) <= limit:
                out |= holders
        return out

    def documents_about(self, numbers: frozenset[str]) -> set[int]:
        """Documents that carry one of these numbers or mention it in their title/kind."""
        out: set[int] = set()
        for n in numbers:
            out |= self._about.get(n, set())
        return out
