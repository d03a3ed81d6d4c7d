"""A loaded document and how it is built from text: header block, title, number, issue date, kind.

Every loader (plain text, HTML, Word, PDF, corpus files) ends here, so the rules for metadata are
written once: a ``key: value`` header block written by a person first, then what the container
gave (HTML ``<title>``, Word headings), last guesses from the wording ("Số: 57-NQ/TW", "Hà Nội,
ngày 01 tháng 11 năm 2012"). Format modules import this one; ``loaders`` dispatches to them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.dates import find_dates
from knowledge.sections import Outline, classify_line, outline_from_articles, parse_outline
from knowledge.text import nfc, strip_marks
from knowledge.webpages import strip_chrome

HEADER_KEYS = {"title", "number", "issued", "issuer", "kind", "source", "note", "date", "author", "url"}


_HEADER_LINE_RE = re.compile(r"^([a-z][a-z_]{1,15})\s*:\s*(.*)$")


_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


# "Số: 57-NQ/TW", "số 69-KL/TW", "Luật số 45/2019/QH14", "Nghị định số 15/2020/NĐ-CP" (on text without marks).
_NUMBER_RE = re.compile(r"\bso\s*:?\s*(\d{1,4}(?:[/-][0-9A-Za-z]+)+)", re.IGNORECASE)


# Document kinds, as the first words of a title or a line of their own (without marks, lowercase).
DOCUMENT_KINDS = (
    "nghị quyết",
    "kết luận",
    "chỉ thị",
    "quyết định",
    "kế hoạch",
    "hướng dẫn",
    "thông báo",
    "quy định",
    "quy chế",
    "chương trình",
    "báo cáo",
    "tờ trình",
    "công văn",
    "luật",
    "bộ luật",
    "nghị định",
    "thông tư",
    "pháp lệnh",
    "đề án",
    "chiến lược",
)


_KINDS_FOLDED = {strip_marks(k): k for k in DOCUMENT_KINDS}


_BOILERPLATE_RE = re.compile(
    r"^(?:cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc|dang cong san viet nam"
    r"|so\s*:|.{0,40},\s*ngay\s+\d)",
    re.IGNORECASE,
)


_MARKDOWN_INLINE_RE = re.compile(r"(\*\*|__)(.+?)\1|!\[[^\]]*\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)")


TITLE_CHARS = 300


class DocumentError(Exception):
    """A file that cannot become a document; ``str(err)`` is a Vietnamese message for the user."""


@dataclass
class LoadedDocument:
    """One document read from a file (or one law of a corpus file), ready to be cut into chunks."""

    path: str  # the file path, or "<file path>#<id>" for one law of a corpus file
    title: str
    body: str  # NFC text, header and page furniture removed, one paragraph per line
    version: str  # sha256 of the file bytes (of the law's record for a corpus file)
    size: int
    number: str | None = None
    issued: str | None = None  # ISO date
    issuer: str | None = None
    kind: str | None = None
    source: str | None = None
    note: str | None = None
    articles: list[tuple[str, str]] | None = None  # given sections ("Điều 5. Title", text), corpus laws

    def outline(self) -> Outline:
        if self.articles is not None:
            return outline_from_articles(self.articles)
        return parse_outline(self.body)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_from_text(
    path: str,
    text: str,
    version: str,
    size: int,
    known: dict[str, str] | None = None,
    is_page: bool = False,
    markdown: bool = False,
) -> LoadedDocument:
    """A document from raw text: header block, page furniture, metadata from the wording.

    ``known`` holds metadata the container already gave (HTML title, Word title); the header
    block written by a person wins over it, and both win over guesses from the wording.
    """
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\u200b", "")
    header, text = split_header(text)
    if markdown:
        text = _MARKDOWN_INLINE_RE.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text, page = strip_chrome(text, is_page=is_page)
    lines = [line.strip() for line in text.split("\n")]
    body = "\n".join(line for line in lines if line)
    if not body.strip():
        raise DocumentError("Tệp không có nội dung văn bản (chỉ có phần đầu hoặc trang trí trang web).")
    meta = {**(known or {}), **{k: v for k, v in vars(page).items() if v}, **header}
    title = meta.get("title") or guess_title(lines, markdown) or Path(path.split("#")[0]).stem
    issued = _iso(meta.get("issued") or meta.get("date")) or guess_issued(body)
    return LoadedDocument(
        path=path,
        title=_clip(title),
        body=body,
        version=version,
        size=size,
        # A document's own title names its number ("Kế hoạch số 12-KH/TU …", a web page's <h1>).
        number=meta.get("number") or (guess_kind(title) and guess_number(title)) or guess_number(body),
        issued=issued,
        issuer=meta.get("issuer") or meta.get("author"),
        kind=meta.get("kind") or guess_kind(title),
        source=meta.get("source") or meta.get("url"),
        note=meta.get("note"),
    )


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The ``key: value`` block at the top (or YAML-like front matter) and the text after it.

    A block counts as a header only if it names at least one known key (title, number, issued…),
    so a first line such as "Kính gửi: …" is never taken for metadata.
    """
    m = _FRONT_MATTER_RE.match(text)
    if m:
        header = _header_pairs(m.group(1).splitlines())
        if header is not None:
            return header, text[m.end() :]
    lines = text.split("\n")
    end = 0
    while end < len(lines) and lines[end].strip() and _HEADER_LINE_RE.match(lines[end].strip()):
        end += 1
    if end == 0 or (end < len(lines) and lines[end].strip()):
        return {}, text
    header = _header_pairs(lines[:end])
    if header is None:
        return {}, text
    return header, "\n".join(lines[end:])


def _header_pairs(lines: list[str]) -> dict[str, str] | None:
    pairs: dict[str, str] = {}
    for line in lines:
        m = _HEADER_LINE_RE.match(line.strip())
        if not m:
            return None
        pairs[m.group(1)] = m.group(2).strip().strip("\"'")
    return {k: v for k, v in pairs.items() if v} if HEADER_KEYS & pairs.keys() else None


def guess_title(lines: list[str], markdown: bool = False) -> str | None:
    """A title from the wording: a Markdown heading, a "NGHỊ QUYẾT" line with the capitalised
    lines after it, else the first line that is not letterhead boilerplate."""
    content = [line for line in lines if line and not re.fullmatch(r"[\W_]+", line)]
    for line in content[:40]:
        if line.startswith("# "):
            return line[2:].strip()
    for i, line in enumerate(content[:15]):
        if strip_marks(line).lower().rstrip(" .:") in _KINDS_FOLDED and line.isupper():
            parts = [line]
            for nxt in content[i + 1 : i + 4]:
                if not nxt.isupper() or len(nxt) > 250 or classify_line(nxt)[0]:
                    break  # "A- TÌNH HÌNH…" is the first part, not the title
                parts.append(nxt)
            return " ".join(parts)
    for line in content[:15]:
        plain = strip_marks(line).lower()
        if _BOILERPLATE_RE.match(plain) or len(line.split()) < 3:
            continue
        if line.isupper() and len(line.split()) <= 6:
            continue  # issuing body in the letterhead ("BAN CHẤP HÀNH TRUNG ƯƠNG")
        return line.lstrip("# ").strip()
    return None


def guess_number(body: str) -> str | None:
    """ "57-NQ/TW" from "Số: 57-NQ/TW"/"số 57-NQ/TW" near the top (a number with letters in it)."""
    head = body[:3000]
    for m in _NUMBER_RE.finditer(strip_marks(head)):
        number = head[m.start(1) : m.end(1)].rstrip(".-/")
        if any(c.isupper() for c in number):
            return number
    return None


def guess_issued(body: str) -> str | None:
    """The first "ngày …" date near the top ("Hà Nội, ngày 01 tháng 11 năm 2012")."""
    for mention in find_dates(body[:1500]):
        if mention.precision == "day" and strip_marks(mention.text).lower().startswith("ngay"):
            return mention.first.isoformat() if mention.first else None
    return None


def guess_kind(title: str) -> str | None:
    """ "nghị quyết", "kết luận", "luật"… from the start of the title."""
    plain = strip_marks(title).lower()
    for folded, kind in sorted(_KINDS_FOLDED.items(), key=lambda kv: -len(kv[0])):
        if plain.startswith(folded + " ") or plain == folded:
            return kind
    return None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value.strip())
    if m:
        return m.group(0)
    mentions = [d for d in find_dates(value) if d.precision == "day" and d.first]
    return mentions[0].first.isoformat() if mentions and mentions[0].first else None


def meta_date(meta: dict[str, str]) -> str | None:
    for key in ("article:published_time", "datepublished", "pubdate", "date", "dc.date"):
        if meta.get(key):
            return _iso(meta[key])
    return None


def _clip(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_CHARS:
        return title
    return title[: title.rfind(" ", 0, TITLE_CHARS)].rstrip(" ,;:") + "…"
