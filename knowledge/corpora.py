"""Corpus files: many documents in one JSON/JSONL/CSV file (legal retrieval benchmarks and exports).

Accepted shapes, recognised per record:
- a law with its articles (Zalo legal retrieval, ALQAC): ``{"law_id"|"id", "title"?, "articles":
  [{"article_id"|"id", "title"?, "text"}]}``: one document per law, its sections the articles, each
  headed "Điều <article_id>. <title>" so that an answer's source names the article (an article
  without "title" whose text opens with a short line of its own, as in ALQAC, takes that line);
- one article per record: ``{"law_id", "article_id", "title", "text"}``: grouped by law;
- a whole document: ``{"id"|"law_id"|"doc_id", "title"?, "text"|"content"}``: read like a .txt file
  (header block, numbering, "Điều N." headings).
A CSV file holds one record per row, its header naming the keys. A JSON file may also wrap its list in an object (``{"data": [...]}``). Each document's path is
"<file path>#<id>", its number the id, and its version the hash of its own record, so a corpus file
in which one law changed re-indexes that law only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from knowledge.document import DocumentError, LoadedDocument, document_from_text, sha256
from knowledge.text import nfc, strip_marks

_ID_KEYS = ("law_id", "id", "doc_id", "document_id", "docid", "number")
_TEXT_KEYS = ("text", "content", "body")
# A law id that is a name ("Luật Phòng, chống ma túy", as in ALQAC) is also the law's title.
_NAME = re.compile(r"^[^\W\d]+ [^\W\d]", re.UNICODE)
# An article's first line longer than this is text, not its title.
_TITLE_CHARS = 200


def load_corpus(path: Path, text: str) -> list[LoadedDocument]:
    """The documents of a corpus file (``text`` is its decoded content)."""
    records = _records(path, text.lstrip("\ufeff\u200b"))
    laws: dict[str, dict[str, Any]] = {}  # law id → {"title", "articles": [...], "raw": [...]}
    documents: list[LoadedDocument] = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise DocumentError(f"Bản ghi thứ {n} của tệp không phải một đối tượng JSON (cần có id, title, text).")
        doc_id = _first(record, _ID_KEYS) or f"{n}"
        if isinstance(record.get("articles"), list):
            law = laws.setdefault(doc_id, {"title": None, "articles": [], "raw": []})
            law["title"] = law["title"] or _str(record.get("title"))
            law["articles"].extend(a for a in record["articles"] if isinstance(a, dict))
            law["raw"].append(record)
        elif "article_id" in record:
            law = laws.setdefault(doc_id, {"title": None, "articles": [], "raw": []})
            law["articles"].append(record)
            law["raw"].append(record)
        else:
            body = _first(record, _TEXT_KEYS)
            if not body:
                continue  # a record without text (an index entry, a question): nothing to search
            version = _record_hash(record)
            known = {
                k: v for k in ("title", "number", "issued", "issuer", "kind", "source") if (v := _str(record.get(k)))
            }
            known.setdefault("number", doc_id)
            documents.append(document_from_text(f"{path}#{doc_id}", body, version, len(body.encode()), known))
    for law_id, law in laws.items():
        articles = [_article(i, a) for i, a in enumerate(law["articles"], start=1)]
        articles = [(heading, text) for heading, text in articles if text or heading]
        if not articles:
            continue
        title = nfc(law["title"] or (law_id if _NAME.match(law_id) else f"Văn bản {law_id}"))
        body = "\n".join(f"{heading}\n{text}" for heading, text in articles)
        documents.append(
            LoadedDocument(
                path=f"{path}#{law_id}",
                title=title,
                body=body,
                version=_record_hash(law["raw"]),
                size=len(body.encode()),
                number=law_id,
                kind="văn bản pháp luật",
                articles=articles,
            )
        )
    if not documents:
        raise DocumentError(
            "Tệp JSON không chứa văn bản nào (cần các bản ghi có text/content, hoặc law_id với articles)."
        )
    return documents


def _article(position: int, article: dict[str, Any]) -> tuple[str, str]:
    text = _first(article, _TEXT_KEYS) or ""
    title = _str(article.get("title"))
    if not title:
        title, text = title_line(text)
    heading = article_heading(_first(article, ("article_id", "id")) or str(position), title)
    return heading, text


def title_line(text: str) -> tuple[str | None, str]:
    """(title, rest) when the text opens with its title on a line of its own (ALQAC articles:
    "Phạm vi điều chỉnh\n\nLuật này quy định …"), else (None, text). The title then heads the
    article, so a source names it and the search sees it as the article's heading, not as body."""
    first, newline, rest = text.partition("\n")
    first = first.strip()
    if newline and rest.strip() and 0 < len(first) <= _TITLE_CHARS and not first.endswith((".", ":", ";", ",")):
        return first, rest.strip()
    return None, text


def article_heading(article_id: str, title: str | None) -> str:
    """ "Điều 5. Phạm vi điều chỉnh" from an article id and title, whichever of them has "Điều"."""
    article_id, title = nfc(article_id.strip()), nfc((title or "").strip())
    if strip_marks(title).lower().startswith("dieu "):
        return title
    head = article_id if strip_marks(article_id).lower().startswith("dieu") else f"Điều {article_id}"
    return f"{head.rstrip('.')}. {title}" if title else head


def _records(path: Path, text: str) -> list[Any]:
    if path.suffix.lower() in {".csv", ".tsv"}:
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        try:
            return [
                {k.strip().lower(): v for k, v in row.items() if k}
                for row in csv.DictReader(io.StringIO(text), dialect=dialect)
            ]
        except csv.Error as exc:
            raise DocumentError(f"Tệp CSV không đọc được ({exc}).") from exc
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DocumentError(f"Dòng {number} của tệp JSONL không phải JSON hợp lệ ({exc.msg}).") from exc
        return records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"Tệp JSON không hợp lệ (dòng {exc.lineno}: {exc.msg}).") from exc
    if isinstance(data, dict):
        if any(k in data for k in ("articles", *_TEXT_KEYS)):
            return [data]
        lists = [v for v in data.values() if isinstance(v, list)]
        if lists:
            return max(lists, key=len)
    if isinstance(data, list):
        return data
    raise DocumentError("Tệp JSON không có dạng kho văn bản (danh sách văn bản hoặc điều luật).")


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = _str(record.get(key))
        if value:
            return value
    return None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return nfc(str(value)).strip() or None


def _record_hash(record: Any) -> str:
    return sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))
