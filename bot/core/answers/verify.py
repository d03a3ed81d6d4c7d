"""The verifier: a model's draft may say nothing that its cited passages do not say.

A language model writes fluent Vietnamese and, now and then, a date, a figure or a body that no
text contains. Cadres act on dates and names, so a draft is only shown when every date, number,
percentage, document number and named body in it occurs in a passage it cites, and every
citation ``[n]`` names a passage the model was given. Checks are on the text folded to plain
letters (:func:`knowledge.text.fold`), so "Tỉnh uỷ" in a draft matches "Tỉnh ủy" in a passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.dates import find_dates
from knowledge.text import fold

CITATION_RE = re.compile(r"\[(\d{1,3})\]")
# "69-KL/TW", "57-NQ/TW", "202/2025/QH15", "1027/QĐ-TTg": digits, then letters behind a - or /.
DOCUMENT_NUMBER_RE = re.compile(r"\b\d{1,5}(?:/\d{4})?[-/](?:[A-ZĐ]{1,8}\d{0,3}[-/]?)+")
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
# Acronyms of bodies: UBND, HĐND, MTTQ, BCH (two or more capitals).
ACRONYM_RE = re.compile(r"\b[A-ZĐ]{2,8}\b")
_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Verdict:
    """``problems`` is empty when the draft may be shown; otherwise each says what is wrong."""

    problems: tuple[str, ...]
    cited: tuple[int, ...]  # 1-based passage numbers the draft cites, in order of first use

    @property
    def ok(self) -> bool:
        return not self.problems


def citations(draft: str) -> list[int]:
    """Passage numbers cited in ``draft``, in order of first use."""
    seen: list[int] = []
    for match in CITATION_RE.finditer(draft):
        number = int(match[1])
        if number not in seen:
            seen.append(number)
    return seen


def verify(draft: str, passages: Sequence[str]) -> Verdict:
    """Check ``draft`` against the numbered ``passages`` it was written from (``[1]`` is ``passages[0]``)."""
    cited = citations(draft)
    problems = [f"trích dẫn [{n}] không có (chỉ có {len(passages)} đoạn)" for n in cited if not 1 <= n <= len(passages)]
    if not cited:
        problems.append("không trích dẫn đoạn nào")
    sources = [passages[n - 1] for n in cited if 1 <= n <= len(passages)]
    problems.extend(unsupported(CITATION_RE.sub(" ", draft), sources))
    return Verdict(tuple(problems), tuple(cited))


def unsupported(text: str, sources: Sequence[str]) -> list[str]:
    """The facts of ``text`` that none of ``sources`` contains, each described for the question log."""
    folded_sources = fold(" ".join(sources))
    problems: list[str] = []
    source_dates = {(d.first, d.last, d.every_months) for s in sources for d in find_dates(s)}
    rest = text
    for mention in find_dates(text):
        if (mention.first, mention.last, mention.every_months) not in source_dates:
            problems.append(f"ngày tháng không có trong nguồn: {mention.text}")
        rest = rest.replace(mention.text, " ")
    for match in DOCUMENT_NUMBER_RE.finditer(text):
        if fold(match[0]) not in folded_sources:
            problems.append(f"số hiệu văn bản không có trong nguồn: {match[0]}")
        rest = rest.replace(match[0], " ")
    source_numbers = {_number_key(n) for s in sources for n in NUMBER_RE.findall(s)}
    problems.extend(
        f"con số không có trong nguồn: {n}" for n in NUMBER_RE.findall(rest) if _number_key(n) not in source_numbers
    )
    problems.extend(
        f"tên cơ quan không có trong nguồn: {name}" for name in _names(rest) if fold(name) not in folded_sources
    )
    return problems


def _number_key(number: str) -> str:
    """ "1.000", "1,000" and "1000" are one number; "05" is "5"."""
    digits = re.sub(r"[.,]", "", number).lstrip("0")
    return digits or "0"


def _names(text: str) -> list[str]:
    """Named bodies and places: runs of two or more capitalised words, and acronyms.

    Vietnamese capitalises the first syllable of each word of a proper name ("Bộ Chính trị",
    "Ban Chấp hành Trung ương", "Quảng Nam"), so runs of capitalised syllables are the names a
    draft could invent. The first word of a sentence is capitalised anyway and is left out.
    """
    names: list[str] = []
    for sentence in _SENTENCE_END_RE.split(text):
        words = [(m.start(), m[0]) for m in _WORD_RE.finditer(sentence)]
        run: list[str] = []
        for index, (_, word) in enumerate(words + [(0, "")]):
            if index > 0 and word[:1].isupper() and not word.isdigit():
                run.append(word)
                continue
            if len(run) >= 2:
                names.append(" ".join(run))
            run = []
        names.extend(ACRONYM_RE.findall(sentence))
    return names
