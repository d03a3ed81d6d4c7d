"""From a file to documents: decoding each format, and a clear refusal for what is not a text.

Every format ends as the same thing, a :class:`~knowledge.document.LoadedDocument`: NFC text in
paragraphs (one per line) plus title, number, issue date, issuer; :mod:`knowledge.document` says
where the metadata comes from. This module picks the reader by suffix (Word in ``wordfiles``,
HTML in ``webpages``, JSON/CSV corpora in ``corpora``, PDF and plain text here). Tone placement is
left as written (quotes must match the source); only NFC is applied.

Anything that cannot be read raises :class:`DocumentError` with a Vietnamese message meant for
the person who supplied the file; the catalogue reports it and leaves the stored version alone.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from knowledge.corpora import load_corpus
from knowledge.document import DocumentError, LoadedDocument, document_from_text, meta_date, sha256
from knowledge.text import nfc
from knowledge.webpages import html_to_text
from knowledge.wordfiles import docx_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
CORPUS_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".tsv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES | {".docx", ".pdf"}

_SNIFF_BYTES = 8192


def load_file(path: Path, max_file_mb: float = 20, max_corpus_mb: float = 1024) -> list[LoadedDocument]:
    """Read and load one file, refusing it before reading when it is too large."""
    suffix = path.suffix.lower()
    limit = max_corpus_mb if suffix in CORPUS_SUFFIXES else max_file_mb
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"Không mở được tệp: {exc.strerror or exc}.") from exc
    check_size(size, limit)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp: {exc.strerror or exc}.") from exc
    return load_bytes(path, data)


def check_size(size: int, limit_mb: float) -> None:
    if size > limit_mb * 1024 * 1024:
        raise DocumentError(
            f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB; giới hạn {limit_mb:g} MB). Hãy tách thành các tệp nhỏ hơn."
        )


def load_bytes(path: Path, data: bytes) -> list[LoadedDocument]:
    """The documents in ``data`` (the bytes of ``path``): one, or one per law of a corpus file."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"Định dạng “{suffix or path.name}” chưa được hỗ trợ; hãy dùng .txt, .md, .docx, .pdf, .html, .json hoặc .csv."
        )
    if not data.strip():
        raise DocumentError("Tệp rỗng: không có nội dung để đưa vào kho văn bản.")
    version = sha256(data)
    if suffix in CORPUS_SUFFIXES:
        return load_corpus(path, decode_text(data))
    page_meta: dict[str, str] = {}
    is_page = False
    if suffix in HTML_SUFFIXES:
        page = html_to_text(decode_html(data))
        text, is_page = page.text, True
        page_meta = {k: v for k, v in {"title": page.title, "issued": meta_date(page.meta)}.items() if v}
    elif suffix == ".docx":
        text, title = docx_text(data)
        if title:
            page_meta["title"] = title
    elif suffix == ".pdf":
        text = pdf_text(data)
    else:
        text = decode_text(data)
    doc = document_from_text(
        str(path), text, version, len(data), page_meta, is_page=is_page, markdown=suffix in {".md", ".markdown"}
    )
    return [doc]


# ----------------------------------------------------------------------------- decoding


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused with a message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError("Tệp UTF-16 bị hỏng: không đọc được nội dung.") from exc
    if _looks_binary(data):
        raise DocumentError("Tệp không phải văn bản (có dữ liệu nhị phân); hãy dùng .txt, .md, .docx, .pdf hoặc .html.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            "Không đọc được bảng mã của tệp (không phải UTF-8). Hãy mở tệp và lưu lại với bảng mã UTF-8."
        ) from exc


def decode_html(data: bytes) -> str:
    """HTML as UTF-8 when it is valid UTF-8 (whatever it declares: saved pages often keep a stale
    declaration), else in the charset it declares (``<meta charset>``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_binary(data):
        return decode_text(data)  # UTF-16, or the binary message
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    head = data[:4096].decode("ascii", "ignore").lower()
    m = re.search(r"charset\s*=\s*[\"']?([a-z0-9_-]+)", head)
    charset = m.group(1) if m else "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise DocumentError(f"Không đọc được trang web theo bảng mã khai báo ({charset}).") from exc


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


# ----------------------------------------------------------------------------- PDF


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page furniture (repeated first/last lines, page numbers) removed,
    and lines that a page width broke mid-sentence joined back into paragraphs."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("Tệp PDF có mật khẩu: hãy gửi bản không khóa.")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # a malformed PDF fails in many ways inside pypdf
        raise DocumentError("Không đọc được tệp PDF (tệp hỏng hoặc không phải PDF).") from exc
    page_lines = [[line.strip() for line in nfc(p).splitlines() if line.strip()] for p in pages]
    if not any(page_lines):
        raise DocumentError("Tệp PDF không có lớp chữ (có thể là bản quét ảnh): cần bản PDF có chữ hoặc tệp .docx.")
    repeated = _repeated_edges(page_lines)
    lines = [
        line
        for lines_of_page in page_lines
        for line in lines_of_page
        if line not in repeated and not re.fullmatch(r"(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?", line, re.I)
    ]
    return "\n".join(unwrap_lines(lines))


def _repeated_edges(page_lines: list[list[str]]) -> set[str]:
    """Running headers/footers: a first or last line found on most pages of a long PDF."""
    if len(page_lines) < 3:
        return set()
    counts: dict[str, int] = {}
    for lines in page_lines:
        for line in {*lines[:1], *lines[-1:]}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n >= 0.6 * len(page_lines)}


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join a line to the previous one when the previous did not end a paragraph and this one
    continues it (starts lower-case): the shape of text broken by a page width."""
    out: list[str] = []
    for line in lines:
        if out and out[-1][-1] not in ".;:!?…" and line[0].islower():
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


# ----------------------------------------------------------------------------- metadata
