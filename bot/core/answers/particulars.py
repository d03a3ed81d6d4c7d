"""Which catalogued texts a question is about, and its metadata questions answered from them.

:func:`resolve` turns the texts a question names into catalogue ids (and the names the catalogue
does not have). :func:`answer` answers "who signed / when / which body / which session / where"
from the particulars parsed out of the document's own header and signature block
(:mod:`knowledge.metadata`), citing the line they were read from; None when the particular is
not known, so the question goes on to ordinary retrieval within that document.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.answers import subjects
from bot.core.answers.understanding import Understanding
from embeddings.query import keys
from embeddings.references import DocumentReferences, NamedDocument
from knowledge.metadata import DocumentMetadata, parse_metadata
from knowledge.places import provinces_in, provinces_written
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.app import App

FIELD_PHRASES = {
    "signer": "{ref} do {value} ký{behalf}.",
    "issued": "{ref}: ngày {value}.",
    "issuer": "{ref} là văn bản của {value}.",
    "session": "{ref} được ban hành tại {value}.",
    "place": "{ref} được ký tại {value}.",
    "number": "{ref} có số hiệu {value}.",
    "column": "{ref} được đăng ở chuyên mục {value}.",
    "published": "{ref} được đăng lúc {value}.",
    "recipients": "{ref} được gửi đến: {value}.",
    "author": "{ref} do {value} viết.",
}


# The issuer a question names for the text it describes: a body (by the head words bodies are
# named with) as the subject of "(đã) ban hành" opening the question, or the agent of "do … ban hành".
_BODY = (
    r"(?:hoi dong|uy ban|bo|ban|tinh uy|thanh uy|huyen uy|dang uy|quoc hoi|chinh phu|thu tuong|so|trung uong)"
    r"(?: \w+){0,6}?"
)
_ISSUED_BY = re.compile(rf"^(?P<body>{_BODY}) (?:da |vua )?ban hanh\b|\bdo (?P<agent>{_BODY}) ban hanh\b")
ISSUER_HEAD_WORDS = 2  # a body's head ("hội đồng", "bộ chính", "tỉnh ủy") says which body it is


@dataclasses.dataclass
class Particular:
    text: str = ""  # the answer, one line per particular asked
    # the document's words each particular was read from ("" when from the catalogue header),
    # with the chunk holding them: the sources to cite
    cited: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    document_id: int = 0
    missing: bool = False  # asks about a text implementing the named one, and there is none
    other: bool = False  # describes a text by an issuer that is not the document's: another text


def resolve(references: DocumentReferences, reading: Understanding) -> tuple[set[int], list[NamedDocument]]:
    """(catalogued documents the question names, names the catalogue does not have)."""
    scope: set[int] = set()
    missing = []
    for named in reading.named:
        found = references.resolve(named)
        scope |= found
        if not found:
            missing.append(named)
    if not reading.named:
        scope = references.kind_scope(reading.text)
    return scope, missing


def answer(app: App, reading: Understanding, scope: set[int]) -> Particular | None:
    """The metadata answer, a :class:`Particular` with ``missing`` set, or None (retrieve instead)."""
    documents = _documents(app)
    asks_of_report = bool(_REPORT.search(fold(reading.text)))  # "bài báo/bài viết về … đăng ngày nào"
    if reading.implementing:
        # neither the named text nor a report about the implementing one ("bài báo về Kế hoạch …
        # thực hiện KL69") is the implementing text: their dates and signers are their own
        # (unless the question asks about the report itself: "bài báo … đăng ngày nào")
        scope = {
            d for d in scope if not _carries(documents[d], reading) and (asks_of_report or not _is_report(documents[d]))
        }
        if not scope:
            return Particular(missing=True)
    candidates = [documents[d] for d in scope if d in documents] or list(documents.values())
    if not candidates:
        return None
    words = set(keys(reading.text)[1].split())
    described = fold(reading.unnamed)
    # The named text itself before the texts about it, unless the question calls it by another
    # kind ("bài báo về KL69 đăng ngày nào"); then the words the headers share with the question.
    best = max(
        candidates,
        key=lambda d: (_described(d, described), _carries(d, reading), len(words & d["header_keys"])),
    )
    if len(candidates) > 1 and not scope and not words & best["header_keys"]:
        return None
    if reading.named and not (
        _carries(best, reading) or _described(best, described) or (asks_of_report and _is_report(best))
    ):
        return None  # "KL69 ban hành ngày nào" with only an article about KL69: not the article's date
    if not reading.named and not _issued_by(best, reading.text):
        return Particular(other=True)
    # The number of a text the question does not pick out (by name or kind) is no answer.
    asked = [f for f in reading.fields if scope or f != "number"]
    facts = [fact for fact in (_fact(app, best, field) for field in asked) if fact is not None]
    if not facts:
        return None
    quotes = dict.fromkeys(f"«{line}»" for _, (line, _) in facts if line)
    return Particular(
        text="\n".join([*(text for text, _ in facts), *quotes]),
        cited=[cited for _, cited in facts],
        document_id=best["id"],
    )


def _fact(app: App, document: dict, field: str) -> tuple[str, tuple[str, int]] | None:
    """One particular of ``document`` in words, with the line it was read from and that line's
    chunk; None when the document does not state it."""
    meta: DocumentMetadata = document["meta"]
    if field == "published" and meta.published is None:
        field = "issued"  # "đăng ngày nào" of a text no newspaper ran: the day it was issued
    fact = meta.get(field)
    if fact is None or not fact.value:
        return None
    value = _short_date(fact.value) if field == "issued" else fact.value
    behalf = f", thay mặt {_behalf(meta)}" if field == "signer" and meta.signed_for else ""
    text = FIELD_PHRASES[field].format(ref=document["ref"], value=value, behalf=behalf)
    return text, (fact.line, _chunk_with(app, document["id"], fact.line))


def _issued_by(document: dict, question: str) -> bool:
    """Whether the body a question names as the issuer of the text it describes ("HĐND tỉnh đã
    ban hành nghị quyết … nào", "nghị quyết do UBND tỉnh ban hành") is ``document``'s issuer: its
    first words (abbreviations written out) stand in a row in the issuer. True when the question
    names no issuer."""
    m = _ISSUED_BY.search(subjects.folded(question))
    if m is None:
        return True
    head = " ".join((m.group("body") or m.group("agent")).split()[:ISSUER_HEAD_WORDS])
    issuer = document["meta"].get("issuer")
    return bool(issuer and issuer.value) and f" {head} " in f" {subjects.folded(issuer.value)} "


def _described(document: dict, described: str) -> bool:
    """The question calls a text by this document's kind ("bài báo", "kế hoạch") besides the
    names it gives: the first two words of the kind, as the catalogue records it."""
    head = " ".join(fold(document["kind"]).split()[:2])
    return bool(head) and f" {head} " in f" {described} "


DESCRIBED = (
    ("issuer", "Cơ quan ban hành"),
    ("session", "Hội nghị"),
    ("place", "Nơi ký"),
    ("signer", "Người ký"),
    ("column", "Chuyên mục"),
    ("published", "Đăng lúc"),
    ("author", "Tác giả"),
    ("recipients", "Nơi nhận"),
)


def describe(app: App, document_id: int) -> str:
    """The particulars of one document, one per line, as /vanban shows them ("" when none is known)."""
    document = _documents(app).get(document_id)
    if document is None:
        return ""
    meta: DocumentMetadata = document["meta"]
    lines = []
    for field, label in DESCRIBED:
        fact = meta.get(field)
        if fact and fact.value:
            value = fact.value
            if field == "signer" and meta.signed_for:
                value += f" (thay mặt {_behalf(meta)})"
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


# A document that reports on another ("bài báo về Kế hoạch …", "tin về …") by its kind.
_REPORT = re.compile(r"(?:^|\b)(?:bai bao|bai viet|bai ve|ban tin|thong cao)\b")


def _is_report(document: dict) -> bool:
    """The document is of a kind that reports on another text ("bài báo về Kế hoạch …")."""
    return bool(_REPORT.match(fold(document["kind"])))


def carried(app: App, reading: Understanding, scope: set[int]) -> bool:
    """Whether one of the named texts itself (not only a text about it) is in ``scope``."""
    return bool(carriers(app, reading, scope))


def carriers(app: App, reading: Understanding, scope: set[int]) -> set[int]:
    """The documents of ``scope`` that are the named texts themselves, not texts about them;
    none when the question asks about a text implementing the named one."""
    if reading.implementing:
        return set()
    documents = _documents(app)
    return {d for d in scope if d in documents and _carries(documents[d], reading)}


def _behalf(meta: DocumentMetadata) -> str:
    """On whose behalf it was signed, written as the issuer is when it is the issuer ("T/M BỘ
    CHÍNH TRỊ" → "Bộ Chính trị")."""
    if meta.signed_for is None:
        return ""
    if meta.issuer and meta.issuer.value.casefold() == meta.signed_for.value.casefold():
        return meta.issuer.value
    return meta.signed_for.value


def _carries(document: dict, reading: Understanding) -> bool:
    """The document *is* one of the named texts (its own number), not a text about it."""
    number = document["number"].lower()
    return any(number.startswith(f"{n.number}-") and n.kind in number for n in reading.named)


def _short_date(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day.day}/{day.month}/{day.year}"


def _chunk_with(app: App, document_id: int, line: str) -> int:
    """The chunk holding ``line`` (the first chunk when none does): the source to open."""
    rows = app.db.conn.execute(
        "SELECT id, text FROM chunks WHERE document_id = ? ORDER BY seq", (document_id,)
    ).fetchall()
    wanted = " ".join(line.split())
    return next((i for i, t in rows if wanted and wanted in " ".join(t.split())), rows[0][0] if rows else 0)


def _documents(app: App) -> dict[int, dict]:
    """Every current document with its particulars, parsed once per catalogue version."""
    versions = tuple(
        app.db.conn.execute("SELECT id, version FROM documents WHERE removed_at IS NULL ORDER BY id").fetchall()
    )
    return _parsed(app.db.conn, versions)


@lru_cache(maxsize=4)
def _parsed(conn: sqlite3.Connection, versions: tuple[tuple[int, str], ...]) -> dict[int, dict]:
    out = {}
    for doc_id, _ in versions:
        title, number, kind, issuer, issued, source = conn.execute(
            "SELECT title, coalesce(number, ''), coalesce(kind, ''), coalesce(issuer, ''), coalesce(issued, ''),"
            " coalesce(source, '') FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        text = "\n".join(
            t for (t,) in conn.execute("SELECT text FROM chunks WHERE document_id = ? ORDER BY seq", (doc_id,))
        )
        ref = (
            title[: title.index(number) + len(number)]
            if number and number in title
            else " ".join(p for p in (number, title) if p)
        )
        out[doc_id] = {
            "id": doc_id,
            "title": title,
            "number": number,
            "kind": kind,
            "issued": issued,
            "ref": _short_ref(ref),
            "header_keys": frozenset(keys(" ".join((number, title, kind, issuer)))[1].split()),
            "meta": parse_metadata(title, number, kind, issuer, issued, text, source),
            "places": provinces_written(" ".join((title, kind, issuer, text))),
            "home": provinces_written(" ".join((title, kind, issuer))),
        }
    return out


def places_asked(app: App, question: str, scope: set[int] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The provinces ``question`` names (folded) that are not the askers' own, as (those no
    catalogued text mentions, those some text mentions but none is of). The first ask what no
    text says ("so với Đà Nẵng …"). The second are named only in passing (NQ 20 names Đà Nẵng
    once, among the cities of a technology exchange): only a passage naming them answers, and
    "kế hoạch của Đà Nẵng …" is not answered by Quảng Nam's plan. A province is the askers' own
    when a unit of the roster is named after it ("Thành ủy Đà Nẵng"); the roster is read only
    when the question names a province. A question naming its texts (``scope``) asks of those:
    "sàn giao dịch công nghệ của Quảng Nam theo NQ20" is answered by NQ20 only where it names
    Quảng Nam, though another text is Quảng Nam's."""
    asked = provinces_in(question)
    if not asked:
        return asked, asked
    units = " ; ".join(name for (name,) in app.db.conn.execute("SELECT name FROM units"))
    asked -= provinces_written(units)
    documents = _documents(app).values()
    unknown = asked - frozenset().union(*(d["places"] for d in documents))
    asked_of = [d for d in documents if d["id"] in scope] if scope else documents
    return unknown, asked - unknown - frozenset().union(*(d["home"] for d in asked_of))


def names_places(text: str, places: frozenset[str]) -> bool:
    """``text`` (a passage, with marks and capitals) names every one of ``places``."""
    return places <= provinces_written(text)


def _short_ref(ref: str, limit: int = 90) -> str:
    ref = " ".join(ref.split())
    return ref if len(ref) <= limit else ref[: ref.rfind(" ", 0, limit)] + "…"
