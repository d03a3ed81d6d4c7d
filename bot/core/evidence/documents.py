"""The documents read model: the catalogue's documents as the evidence refers to them.

Assignments, checks, conferences and the chat's /vanban all name documents the same way (number,
or ``VB<id>`` for a text without one), find them from what people type ("kl69", "nq 57"), and show
where a fetched copy came from; these are the one place that reads ``documents`` for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.app import App
from bot.catalogue import knowledge_settings
from bot.core import clock
from bot.sources import provenance
from knowledge.text import fold

# Folded document kinds as people type them ("kl69", "nghị quyết 57") → the code in the number.
_KIND_WORDS = {
    "ket luan": "kl",
    "nghi quyet": "nq",
    "chi thi": "ct",
    "ke hoach": "kh",
    "quyet dinh": "qd",
    "thong bao": "tb",
    "huong dan": "hd",
    "cong van": "cv",
}


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    number: str | None
    version: str
    issued: str | None
    issuer: str | None

    @property
    def label(self) -> str:
        """ "Kết luận 69-KL/TW" style short name: the number when there is one, else the title."""
        return self.number or self.title

    @property
    def reference(self) -> str:
        return short_reference(self.id, self.number)


def short_reference(document_id: int, number: str | None) -> str:
    """What to type to name a document (``quantriet assign --document``): its number, or "VB<id>"
    for a text without one (a news article). Stable: a document keeps its id across versions."""
    return number or f"VB{document_id}"


_DOC_SQL = "SELECT id, title, number, version, issued, issuer FROM documents"


def current_documents(app: App, limit: int = -1) -> list[Document]:
    """The catalogue, newest issue date first; documents removed from it (rows kept for the
    acknowledgements that point to them) are not offered."""
    sql = _DOC_SQL + " WHERE removed_at IS NULL ORDER BY issued DESC, id DESC LIMIT ?"
    return [Document(*r) for r in app.db.execute(sql, (limit,))]


def document_origin(app: App, document_id: int) -> str:
    """Where a document's text was fetched from ("URL (tải về lúc 30/11/2026 19:20)"), "" for a local
    file: shown with the document and in the evidence, so one can tell which copy was studied."""
    where = provenance(app, document_id)
    return f"{where.url} (tải về lúc {clock.format_datetime(where.fetched_at)})" if where else ""


def main_document(app: App) -> Document | None:
    """The document a new installation asks everyone to study first (scripts/run.sh): the one named
    by ``[knowledge] main_document`` when it is in the catalogue, else the newest numbered document
    (an official text), else the newest document (the sample article alone)."""
    wanted = knowledge_settings(app.config).main_document
    named = find_document(app, wanted) if wanted else None
    docs = current_documents(app)
    return named or next((d for d in docs if d.number), None) or next(iter(docs), None)


def get_document(app: App, document_id: int) -> Document | None:
    row = app.db.execute(_DOC_SQL + " WHERE id = ?", (document_id,)).fetchone()
    return Document(*row) if row else None


def _number_parts(text: str) -> tuple[str | None, str | None]:
    """("69", "kl") from "69-KL/TW", "kl69", "KL 69", "kết luận 69"; (None, None) without digits."""
    folded = fold(text)
    for words, code in _KIND_WORDS.items():
        folded = folded.replace(words, code)
    digits = re.search(r"\d+", folded)
    if not digits:
        return None, None
    letters = re.findall(r"[a-z]+", folded)
    kind = next((w for w in letters if w in _KIND_WORDS.values()), None)
    return digits.group().lstrip("0") or "0", kind


def _squash(text: str) -> str:
    return re.sub(r"[\s.]", "", fold(text))


def find_document(app: App, text: str) -> Document | None:
    """The document named by a number typed loosely ("69-KL/TW", "69", "kl69", "nq 57") or by words
    of its title; None when nothing (or nothing unambiguous) matches."""
    text = text.strip()
    if not text:
        return None
    docs = current_documents(app)
    exact = [d for d in docs if _squash(d.reference) == _squash(text)]
    if exact:
        return exact[0]
    digits, kind = _number_parts(text)
    if digits is not None:
        hits = []
        for doc in docs:
            doc_digits, doc_kind = _number_parts(doc.number or "")
            if doc_digits == digits and (kind is None or kind == doc_kind):
                hits.append(doc)
        if len(hits) == 1 or (hits and kind is not None):
            return hits[0]
        return None
    words = fold(text).split()
    titled = [d for d in docs if all(w in fold(d.title) for w in words)]
    return titled[0] if len(titled) == 1 else None
