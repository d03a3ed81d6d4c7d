"""Documents from the web: one HTTP(S) download, bounded in time and size.

The official texts are published on the Party's and the province's sites; a province adds them
with ``quantriet ingest URL`` rather than by hand. This module only downloads: the bytes, what kind
of file they are (from Content-Type, else from the URL's ending) and the validators for a cheap
conditional re-fetch (ETag, Last-Modified). Keeping the copy and its provenance is
:mod:`bot.sources`'s job; reading it is the loaders' job, as for any file.

Every failure is a :class:`DocumentError` with a Vietnamese message for the person who typed the URL.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import urlsplit

from knowledge.loaders import SUPPORTED_SUFFIXES, DocumentError

_READ_BLOCK = 64 * 1024
_CONTENT_SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
USER_AGENT = "quantriet (document ingest)"


@dataclass(frozen=True)
class Fetched:
    """One answer from the server. ``data`` is None (and ``suffix`` empty) when it said the copy we
    hold is current (304)."""

    url: str
    final_url: str
    suffix: str
    data: bytes | None
    etag: str | None
    last_modified: str | None


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def fetch(
    url: str,
    timeout: float,
    max_bytes: int,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` (conditionally when validators of a held copy are given)."""
    if not is_url(url):
        raise DocumentError("Chỉ tải được địa chỉ bắt đầu bằng http:// hoặc https://.")
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html, application/pdf, application/vnd.openxmlformats-*, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            final_url = response.geturl()
            info: Message = response.headers
            declared = info.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise DocumentError(_too_large(int(declared), max_bytes))
            data = _read_bounded(response, max_bytes)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(url, url, "", None, etag, last_modified)
        raise DocumentError(f"Máy chủ trả lời lỗi {exc.code} ({exc.reason}) khi tải {url}.") from exc
    except urllib.error.URLError as exc:
        raise DocumentError(f"Không tải được {url}: {_reason(exc.reason)}.") from exc
    except TimeoutError as exc:
        raise DocumentError(f"Không tải được {url}: quá {timeout:g} giây không có trả lời.") from exc
    except OSError as exc:
        raise DocumentError(f"Không tải được {url}: {_reason(exc)}.") from exc
    return Fetched(url, final_url, _suffix(final_url, info), data, info.get("ETag"), info.get("Last-Modified"))


def _read_bounded(response: BinaryIO, max_bytes: int) -> bytes:
    """The body, refused as soon as it passes ``max_bytes`` (a server may send no Content-Length)."""
    parts: list[bytes] = []
    size = 0
    while block := response.read(_READ_BLOCK):
        size += len(block)
        if size > max_bytes:
            raise DocumentError(_too_large(size, max_bytes, at_least=True))
        parts.append(block)
    return b"".join(parts)


def _suffix(url: str, headers: Message | None) -> str:
    """The file kind: Content-Type first (a page at ".../bai-viet" is HTML), else the URL's ending."""
    content_type = (headers.get_content_type() if headers is not None else "") or ""
    if content_type in _CONTENT_SUFFIXES:
        return _CONTENT_SUFFIXES[content_type]
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return suffix
    raise DocumentError(
        f"Địa chỉ {url} trả về loại tệp “{content_type or 'không rõ'}” chưa được hỗ trợ; "
        "hãy dùng trang web (HTML), .pdf, .docx hoặc .txt."
    )


def _too_large(size: int, max_bytes: int, at_least: bool = False) -> str:
    more = "hơn " if at_least else ""
    return f"Tệp tải về quá lớn ({more}{_size(size)}; giới hạn {_size(max_bytes)})."


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{round(n / 1024)} KB"


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "hết thời gian chờ"
    return str(getattr(reason, "strerror", None) or reason)
