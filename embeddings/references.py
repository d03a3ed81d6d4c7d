"""Which catalogued documents a question names ("Kết luận 69", "NQ57", "nghi quyet so 20").

Cadres name the text they ask about far more often than they paraphrase it. A question that
names a document in the catalogue is in scope even when its wording shares little with the text
("Nghị quyết 20 ra đời ngày nào?"), and the chunks of that document, or of a document about it
(the provincial plan *implementing* Kết luận 69), deserve a small ranking bonus. A question
that names what only a few document headers say ("kế hoạch của Tỉnh ủy") gets a like bonus
for those documents (:meth:`DocumentReferences.scoped`).

A number such as "69-KL/TW" is recognised in a question as "<type> [số] 69" or "69-<type>",
where <type> is the abbreviation ("KL") or its expansion ("kết luận"), marks optional.

:func:`named_documents` finds every document a question names the same way, catalogued or not
("Nghị quyết 52", "Quyết định 749", "nghị quyết 20 của tỉnh Quảng Ngãi"), and
:meth:`DocumentReferences.resolve` says which catalogued documents each one is: the document
carrying that number, or one whose header names it (a plan or article about it). A name that
resolves to nothing is a document the catalogue does not have.
"""

from __future__ import annotations

import dataclasses
import re

import sqlite_utils

from embeddings.query import Query, keys, segments
from knowledge.places import province_at, province_name
from knowledge.text import ABBREVIATIONS, fold

SCOPE_MAX_DOCUMENTS = 20  # a pair in more headers than this names a topic, not a document
_NUMBER = re.compile(r"^\s*(\d{1,4})\s*[-/]\s*([A-Za-zĐđ]{1,6})\b")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,4})\b")
# Kinds of numbered texts, folded, with the abbreviation their numbers carry ("57-NQ/TW").
KINDS: dict[str, str] = {
    "nghi quyet": "nq",
    "ket luan": "kl",
    "chi thi": "ct",
    "quyet dinh": "qd",
    "nghi dinh": "nd",
    "thong tu": "tt",
    "quy dinh": "qd",
    "ke hoach": "kh",
    "cong van": "cv",
    "thong bao": "tb",
    "huong dan": "hd",
    "luat": "luat",
}
_KIND_WORDS = sorted(set(KINDS) | set(KINDS.values()), key=len, reverse=True)
# "<kind> [số] 52[-NQ/TW]" or "52-NQ": the kind, then the number. Years ("kế hoạch 2025") are
# not numbers of a text unless a kind abbreviation follows them.
_NAMED = re.compile(
    r"\b(?P<kind>" + "|".join(re.escape(k) for k in _KIND_WORDS) + r") (?:so )?(?P<n>\d{1,4})\b(?! ?%)"
    r"(?: (?P<abbr>" + "|".join(sorted(set(KINDS.values()))) + r")\b)?"
    r"|\b(?P<n2>\d{1,4}) (?P<kind2>" + "|".join(re.escape(k) for k in KINDS.values()) + r")\b"
)
# Kinds of texts a question names without a number, folded → how a catalogued kind writes them:
# the numbered kinds, and articles, which carry no number ("bài báo", "bài viết" are one kind).
_KIND_SPELLINGS: dict[str, str] = {
    **{kind: kind for kind in KINDS},
    "bai bao": "bai (?:bao|viet)",
    "bai viet": "bai (?:bao|viet)",
}
# Kinds that name a text whenever written ("luật", "nghị định"); "quy định", "quyết định",
# "hướng dẫn", "thông báo" are everyday nouns as often.
_DISTINCT_KINDS = {"luat": "luật", "nghi dinh": "nghị định", "thong tu": "thông tư", "chi thi": "chỉ thị"}
# A kind named as the subject or the source of a clause: it opens the clause ("…, bài báo có…")
# or its comment ("tỉnh mình thì kế hoạch…"), after frame words and determiners ("còn", "vậy",
# "riêng", "các", "bản"), or follows "theo"/"trong" anywhere; never with a number.
_KIND_REFERENCE = re.compile(
    r"(?:(?:^|\bthi )(?:(?:con|vay|the|rieng|theo|trong|o|tai|cac|nhung|ban|cai) )*|\b(?:theo|trong) )"
    r"(?P<kind>" + "|".join(sorted(_KIND_SPELLINGS, key=len, reverse=True)) + r")\b(?! (?:so )?\d)"
)
# Whose text it is, when a place is named after it: "nghị quyết 20 của tỉnh Quảng Ngãi". The
# words after the unit ("tỉnh", "huyện") are its name only when they are one (:func:`_place`).
_OWNER = re.compile(
    r"^ (?:[a-z]{2} )?(?:cua |o |tai )?(?:tinh uy|thanh uy|huyen uy|tinh|thanh pho|tp|huyen|thi xa|xa|phuong) "
)
_TWO_WORDS = re.compile(r"[a-z]+ [a-z]+\b")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclasses.dataclass(frozen=True)
class NamedDocument:
    """A numbered text a question names, catalogued or not."""

    kind: str  # folded abbreviation of its kind: "nq"
    number: int
    label: str  # how to name it back to the asker: "Nghị quyết 52"
    owner: str = ""  # folded place named as its author ("quang ngai"), "" when none

    def display(self) -> str:
        return self.label + (f" của {province_name(self.owner) or self.owner.title()}" if self.owner else "")


@dataclasses.dataclass(frozen=True)
class _Pattern:
    number: str  # "69-KL/TW" as catalogued
    regex: re.Pattern[str]


def named_documents(text: str) -> list[NamedDocument]:
    """Every numbered text ``text`` names, in order (folded matching, marks optional)."""
    folded = _folded(text)
    out: list[NamedDocument] = []
    for m in _NAMED.finditer(folded):
        kind_word = m.group("kind") or m.group("kind2")
        number = int(m.group("n") or m.group("n2"))
        if m.group("n") and 1900 <= number <= 2100 and not m.group("abbr"):
            continue  # a year: "kế hoạch 2025", "luật 2013"
        kind = KINDS.get(kind_word, kind_word)
        owner = _OWNER.match(folded[m.end() :])
        name = _place(folded[m.end() + owner.end() :], text) if owner else ""
        label = next((k for k, v in KINDS.items() if v == kind), kind)
        named = NamedDocument(kind, number, f"{_KIND_LABELS.get(label, label.capitalize())} {number}", name)
        if named not in out:
            out.append(named)
    return out


def _place(folded: str, text: str) -> str:
    """The place name ``folded`` starts with, folded, or "": a province or centrally-run city
    (a closed list, marks optional), or two words written with capitals in ``text`` as typed
    ("huyện Bình Sơn"). "của tỉnh là ngày nào", "của tỉnh mình" name no place."""
    province = province_at(folded)
    if province:
        return province
    pair = _TWO_WORDS.match(folded)
    return pair.group() if pair and pair.group() in _titled_pairs(text) else ""


def _titled_pairs(text: str) -> set[str]:
    """Folded pairs of neighbouring words both written as names are ("Bình Sơn", not "BÌNH SƠN":
    a question typed in capitals says nothing by them)."""
    words = _LETTERS.findall(text)
    return {fold(f"{a} {b}") for a, b in zip(words, words[1:]) if a.istitle() and b.istitle()}


_KIND_LABELS = {
    "nghi quyet": "Nghị quyết",
    "ket luan": "Kết luận",
    "chi thi": "Chỉ thị",
    "quyet dinh": "Quyết định",
    "nghi dinh": "Nghị định",
    "thong tu": "Thông tư",
    "quy dinh": "Quy định",
    "ke hoach": "Kế hoạch",
    "cong van": "Công văn",
    "thong bao": "Thông báo",
    "huong dan": "Hướng dẫn",
    "luat": "Luật",
}


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

    def __init__(self, documents: list[tuple[int, str, str]], kinds: dict[int, str] | None = None) -> None:
        """``documents``: (id, number, title + kind + issuer) of every catalogued document;
        ``kinds``: each one's kind and title, the words that say what sort of text it is."""
        self._documents = len(documents)
        self._kinds = {doc_id: _folded(kind) for doc_id, kind in (kinds or {}).items()}
        self._headers = {doc_id: (number, _folded(f"{number} {described}")) for doc_id, number, described in documents}
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
            " || coalesce(issuer, ''), coalesce(kind, '') FROM documents WHERE removed_at IS NULL"
        ).fetchall()
        return cls([(int(i), n, t) for i, n, t, _ in rows], {int(i): k for i, _, _, k in rows})

    def kind_scope(self, text: str) -> set[int]:
        """Documents of the kind a question is about when it names a kind without a number as
        its subject ("Kế hoạch có nói gì về…", "bài báo về … có nhắc…", "còn bài viết thì…") or
        as its source ("theo kế hoạch,…", "… trong bài báo không"), provided that kind picks out
        some of the catalogue and not all of it. A kind word after a verb is a topic ("xây dựng
        kế hoạch"), not a reference."""
        clauses = (" ".join(fold(w) for w in seg) for seg in segments(text, expand=False))
        m = next((m for m in map(_KIND_REFERENCE.search, clauses) if m), None)
        if not m:
            return set()
        kind = _KIND_SPELLINGS[m.group("kind")]
        found = {d for d, k in self._kinds.items() if re.search(rf"\b{kind}\b", k)}
        return found if 0 < len(found) < self._documents else set()

    def missing_kind(self, text: str) -> str:
        """The kind of text (as written) a question names as its subject or source without a number ("Luật …
        quy định …", "theo nghị định, …") when the catalogue holds none of that kind: a law or a
        decree the catalogue lacks. Only kinds that are not also everyday nouns ("theo quy định",
        "quyết định của cấp uỷ" speak of no text)."""
        clauses = (" ".join(fold(w) for w in seg) for seg in segments(text, expand=False))
        m = next((m for m in map(_KIND_REFERENCE.search, clauses) if m), None)
        if not m or m.group("kind") not in _DISTINCT_KINDS:
            return ""
        kind = _KIND_SPELLINGS[m.group("kind")]
        return (
            "" if any(re.search(rf"\b{kind}\b", k) for k in self._kinds.values()) else _DISTINCT_KINDS[m.group("kind")]
        )

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

    def resolve(self, named: NamedDocument) -> set[int]:
        """The catalogued documents ``named`` is: the one with that kind and number, or those
        whose header names it ("… thực hiện Kết luận số 69-KL/TW"); none when a place named
        as its author appears in no such header."""
        kinds = [re.escape(k) for k, v in KINDS.items() if v == named.kind] + [re.escape(named.kind)]
        in_header = re.compile(
            rf"\b(?:{'|'.join(kinds)}) (?:so )?{named.number}\b|\b{named.number} {re.escape(named.kind)}\b"
        )
        out = set()
        for doc_id, (number, header) in self._headers.items():
            own = _LEADING_NUMBER.match(number)
            letters = fold(number[own.end() :]) if own else ""
            carries = own is not None and int(own.group(1)) == named.number and named.kind in letters
            if (carries or in_header.search(header)) and (not named.owner or named.owner in header):
                out.add(doc_id)
        return out

    def documents_about(self, numbers: frozenset[str]) -> set[int]:
        """Documents that carry one of these numbers or mention it in their title/kind."""
        out: set[int] = set()
        for n in numbers:
            out |= self._about.get(n, set())
        return out
