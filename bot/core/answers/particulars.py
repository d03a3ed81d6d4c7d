"""Which catalogued texts a question is about, and its metadata questions answered from them.

:func:`resolve` turns the texts a question names into catalogue ids (and the names the catalogue
does not have). :func:`answer` answers "who signed / when / which body / which session / where"
from the particulars parsed out of the document's own header and signature block
(:mod:`knowledge.metadata`), citing the line they were read from; None when the particular is
not known, so the question goes on to ordinary retrieval within that document.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.answers.understanding import Understanding
from embeddings.query import keys
from embeddings.references import DocumentReferences, NamedDocument
from knowledge.metadata import DocumentMetadata, parse_metadata

if TYPE_CHECKING:
    from bot.app import App

FIELD_PHRASES = {
    "signer": "{ref} do {value} ký{behalf}.",
    "issued": "{ref}: ngày {value}.",
    "issuer": "{ref} là văn bản của {value}.",
    "session": "{ref} được ban hành tại {value}.",
    "place": "{ref} được ký tại {value}.",
    "number": "{ref} có số hiệu {value}.",
}


@dataclasses.dataclass
class Particular:
    text: str = ""  # the answer
    line: str = ""  # the document's words it was read from ("" when from the catalogue header)
    document_id: int = 0
    chunk_id: int = 0
    missing: bool = False  # asks about a text implementing the named one, and there is none


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
    if reading.implementing:
        carriers = {d for d in scope if _carries(documents[d], reading)}
        scope = scope - carriers
        if not scope:
            return Particular(missing=True)
    candidates = [documents[d] for d in scope if d in documents] or list(documents.values())
    if not candidates:
        return None
    words = set(keys(reading.text)[1].split())
    best = max(candidates, key=lambda d: (len(words & d["header_keys"]), bool(_carries(d, reading))))
    if len(candidates) > 1 and not scope and not words & best["header_keys"]:
        return None
    meta: DocumentMetadata = best["meta"]
    fact = meta.get(reading.metadata)
    if fact is None or not fact.value:
        return None
    value = fact.value
    if reading.metadata == "issued":
        value = _short_date(value)
    behalf = f", thay mặt {_behalf(meta)}" if reading.metadata == "signer" and meta.signed_for else ""
    ref = best["ref"]
    text = FIELD_PHRASES[reading.metadata].format(ref=ref, value=value, behalf=behalf)
    if fact.line:
        text += f"\n«{fact.line}»"
    return Particular(
        text=text, line=fact.line, document_id=best["id"], chunk_id=_chunk_with(app, best["id"], fact.line)
    )


DESCRIBED = (
    ("issuer", "Cơ quan ban hành"),
    ("session", "Hội nghị"),
    ("place", "Nơi ký"),
    ("signer", "Người ký"),
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


def carried(app: App, reading: Understanding, scope: set[int]) -> bool:
    """Whether one of the named texts itself (not only a text about it) is in ``scope``."""
    documents = _documents(app)
    return any(_carries(documents[d], reading) for d in scope if d in documents)


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
    return next((i for i, t in rows if line and line in t), rows[0][0] if rows else 0)


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
        title, number, kind, issuer, issued = conn.execute(
            "SELECT title, coalesce(number, ''), coalesce(kind, ''), coalesce(issuer, ''), coalesce(issued, '')"
            " FROM documents WHERE id = ?",
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
            "issued": issued,
            "ref": _short_ref(ref),
            "header_keys": frozenset(keys(" ".join((number, title, kind, issuer)))[1].split()),
            "meta": parse_metadata(title, number, kind, issuer, issued, text),
        }
    return out


def _short_ref(ref: str, limit: int = 90) -> str:
    ref = " ".join(ref.split())
    return ref if len(ref) <= limit else ref[: ref.rfind(" ", 0, limit)] + "…"
