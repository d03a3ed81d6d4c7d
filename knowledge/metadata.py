"""A document's own particulars, read from its header lines, opening and signature block.

Who signed a text and on whose behalf, where and when, which body and which session issued it:
cadres ask these ("KL69 ai ký?", "Nghị quyết 20 của hội nghị nào?") and the answer stands in
lines that are never quoted as content ("T/M BỘ CHÍNH TRỊ … Trương Thị Mai", "Hà Nội, ngày 01
tháng 11 năm 2012"). :func:`parse_metadata` reads them from the catalogue row (number, kind,
issuer, date given in a ``key: value`` header) and the text; each fact keeps the line it was read
from, so an answer can cite it.

:func:`is_furniture` says which lines are such furniture (distribution list, signature, header
lines), so answers never quote them as content.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from knowledge.document import guess_kind

_SESSION = re.compile(
    r"Hội nghị (?:lần thứ [\wÀ-ỹ]+|Trung ương [\wÀ-ỹ]+) (?:của )?Ban Chấp hành Trung ương(?: Đảng)?"
    r"(?: Cộng sản Việt Nam)?,? khoá [IVXLC]+|Kỳ họp thứ [\wÀ-ỹ]+,? Quốc hội khoá [IVXLC]+",
    re.IGNORECASE,
)
_ON_BEHALF = re.compile(r"[Tt]hay mặt ([^,.;\n]{3,60}),\s*([^.;\n]{3,80}?)\s+(?:đã\s+)?ký")
_SIGNATURE = re.compile(r"^\s*(?:T/M|TM\.|TM|K/T|KT\.|KT|THAY MẶT|Q\. ?)\s+(.+)$", re.MULTILINE)
_SIGNED = re.compile(r"\((?:Đã ký|đã ký)\)|\[đã ký\]", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^\s*([A-ZĐ][^\d,\n]{1,40}), ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", re.MULTILINE)
_NUMBER_LINE = re.compile(r"^\s*Số:\s*(\S+)", re.MULTILINE)
_FURNITURE_START = re.compile(r"^\s*(?:Nơi nhận|NƠI NHẬN)\s*:?", re.MULTILINE)
_FURNITURE_LINE = re.compile(
    r"^\s*(?:Số:\s*\S+|-{3,}|\*{3,}|_{3,}|Trang \d+|\d+\s*/\s*\d+$|(?:T/M|TM\.|K/T|KT\.|THAY MẶT)\s)"
    r"|\((?:Đã ký|đã ký)\)"
)

# A republisher's introduction to its copy of a text: news of the text, no part of it. "Trân
# trọng giới thiệu toàn văn …" introduces; "Thay mặt …, … đã ký ban hành Nghị quyết …" tells
# who signed it, which is all it can answer.
_INTRODUCES = re.compile(r"\b[Tt]rân trọng giới thiệu\b")
_SIGNING_NEWS = re.compile(r"\bđã ký ban hành\b", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Fact:
    value: str
    line: str = ""  # the words of the text it was read from ("" when from the catalogue header)


@dataclasses.dataclass(frozen=True)
class DocumentMetadata:
    number: Fact | None = None
    kind: Fact | None = None
    issuer: Fact | None = None
    issued: Fact | None = None  # value: ISO date
    session: Fact | None = None
    signer: Fact | None = None
    signed_for: Fact | None = None
    place: Fact | None = None
    column: Fact | None = None  # a newspaper's section: "Khoa học - Công nghệ"
    published: Fact | None = None  # when a newspaper ran it, value "08:42 ngày 25/3/2024"
    recipients: Fact | None = None  # the "Nơi nhận" list without the archive copy, "; "-joined
    author: Fact | None = None  # a newspaper piece's byline: "Báo Quảng Nam (H.Quang)" → "H.Quang"

    def get(self, field: str) -> Fact | None:
        return getattr(self, field, None)


def parse_metadata(
    title: str, number: str, kind: str, issuer: str, issued: str, text: str, source: str = ""
) -> DocumentMetadata:
    """The particulars of one document (any of them may be missing); ``source`` is the header's
    "source:" line, where a newspaper names its section ("Báo Quảng Nam, chuyên mục …, 25/03/2024")."""
    head = text[:3000]
    meta: dict[str, Fact | None] = {}
    m = _NUMBER_LINE.search(head)
    meta["number"] = (
        Fact(number, m.group(0).strip() if m else "")
        if number
        else (Fact(m.group(1), m.group(0).strip()) if m else None)
    )
    found_kind = kind or guess_kind(title) or ""
    meta["kind"] = Fact(found_kind) if found_kind else None
    meta["issuer"] = Fact(issuer, _line_with(head, issuer)) if issuer else None
    place = _PLACE_DATE.search(head)
    if issued:
        meta["issued"] = Fact(issued, _date_line(head, issued))
    elif place:
        day = date(int(place.group(4)), int(place.group(3)), int(place.group(2)))
        meta["issued"] = Fact(day.isoformat(), place.group(0).strip())
    else:
        meta["issued"] = None
    meta["place"] = Fact(place.group(1).strip(), place.group(0).strip()) if place else None
    session = _SESSION.search(title) or _SESSION.search(head)
    meta["session"] = Fact(_sentence_case(session.group(0)), session.group(0)) if session else None
    meta["signer"], meta["signed_for"] = _signature(text)
    column = _COLUMN.search(source)
    meta["column"] = Fact(column.group(1).strip(), source.strip()) if column else None
    posted = _POSTED.search(source)
    meta["published"] = (
        Fact(
            f"{posted.group(4)}:{posted.group(5)} ngày {int(posted.group(1))}/{int(posted.group(2))}/{posted.group(3)}",
            source.strip(),
        )
        if posted
        else None
    )
    meta["recipients"] = _recipients(text)
    byline = _BYLINE.match(issuer)
    meta["author"] = Fact(byline.group(1).strip(), issuer) if byline else None
    return DocumentMetadata(**meta)


_COLUMN = re.compile(r"\bchuyên mục:? ([^,;()]+)", re.IGNORECASE)
# A newspaper's date line with the hour it ran the piece: "25/03/2024 08:42".
_POSTED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(?:lúc\s+)?(\d{1,2})[:h](\d{2})\b")
# A publication with its writer in brackets: "Báo Quảng Nam (H.Quang)", "Tạp chí Cộng sản (Minh Anh)".
_BYLINE = re.compile(r"^(?:Báo|Tạp chí|Cổng thông tin|Trang thông tin|Đài|Thông tấn)\b[^()]*\(([^()]{2,40})\)\s*$")
_ARCHIVE_COPY = re.compile(r"^\s*-?\s*Lưu\b", re.IGNORECASE)


def _recipients(text: str) -> Fact | None:
    """Whom a text is sent to: the "- …" lines of its "Nơi nhận:" list, without the archive copy
    ("Lưu Văn phòng Trung ương Đảng"), which is where it is filed, not whom it is for."""
    start = _FURNITURE_START.search(text)
    if start is None:
        return None
    lines: list[str] = []
    for line in text[start.end() :].splitlines():
        if not line.strip():
            if lines:
                break
            continue
        if not line.lstrip().startswith(("-", "+", "•")):
            break
        lines.append(line.strip())
    names = [ln.lstrip("-+• ").rstrip(" ,;.") for ln in lines if not _ARCHIVE_COPY.match(ln)]
    if not names:
        return None
    return Fact("; ".join(n[:1].lower() + n[1:] for n in names), "Nơi nhận: " + " ".join(lines))


def _signature(text: str) -> tuple[Fact | None, Fact | None]:
    """(signer, on whose behalf): "Thay mặt Bộ Chính trị, Tổng Bí thư Tô Lâm đã ký…" or the
    block "T/M BỘ CHÍNH TRỊ / (Đã ký) / Trương Thị Mai" at the end."""
    tail = text[-1500:]
    blocks = list(_SIGNATURE.finditer(tail))
    if blocks:
        block = blocks[-1]
        rest = tail[block.start() :].strip()
        lines = [ln.strip() for ln in rest.splitlines() if ln.strip()][:5]
        behalf = _SIGNED.split(block.group(1))[0].strip(" ,")
        name = ""
        for ln in [_SIGNED.split(lines[0])[-1]] + lines[1:]:
            name = _person_name(ln)
            if name:
                break
        if name:
            quote = (
                " ".join(lines[: lines.index(next(ln for ln in lines if name in ln)) + 1])
                if any(name in ln for ln in lines)
                else lines[0]
            )
            return Fact(name, quote), Fact(_sentence_case(behalf), quote)
    m = _ON_BEHALF.search(text[:5000])
    if m:
        line = _sentence_around(text, m.start())
        return Fact(m.group(2).strip(), line), Fact(m.group(1).strip(), line)
    return None, None


def _person_name(line: str) -> str:
    """The person's name at the end of a signature line: two to five capitalised words."""
    words = line.strip(" .,").split()
    name: list[str] = []
    for w in reversed(words):
        if w[:1].isupper() and (len(w) == 1 or w[1:].islower()):
            name.insert(0, w)
        else:
            break
    return " ".join(name) if 2 <= len(name) <= 5 else ""


def _sentence_case(text: str) -> str:
    """ "BỘ CHÍNH TRỊ" → "Bộ Chính trị"-like: capitals kept only where the text had lower case too."""
    return text if not text.isupper() else text[:1] + text[1:].lower()


def _line_with(text: str, value: str) -> str:
    for line in text.splitlines():
        if value and value.lower() in line.lower() and len(line) < 400:
            return line.strip()
    return ""


def _date_line(text: str, iso: str) -> str:
    """The first line of the opening that states this date (01/11/2012, 1/11/2012, "ngày 01 tháng 11 năm 2012")."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return ""
    forms = re.compile(
        rf"\b0?{day.day}\s*[/.-]\s*0?{day.month}\s*[/.-]\s*{day.year}\b"
        rf"|ngày 0?{day.day} tháng 0?{day.month} năm {day.year}"
    )
    for line in text.splitlines():
        m = forms.search(line)
        if m:
            return _sentence_around(line, m.start()) if len(line) > 300 else line.strip()
    return ""


def _sentence_around(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    ends = [i for i in (text.find(". ", at), text.find("\n", at)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


def is_furniture(sentence: str, after_distribution: bool = False) -> bool:
    """A line that is no content: within or after a "Nơi nhận" list, a signature line, a number
    line, a rule of dashes, a page number, a republisher's "Trân trọng giới thiệu …"."""
    return after_distribution or bool(
        _FURNITURE_START.match(sentence) or _FURNITURE_LINE.search(sentence) or _INTRODUCES.search(sentence)
    )


def announces_signing(sentence: str) -> bool:
    """A republisher's news that the text was signed ("… đã ký ban hành Nghị quyết số …"): it
    repeats the title, so it would answer any question about the text's topic, but it only says
    who signed it and when."""
    return bool(_SIGNING_NEWS.search(sentence))


def starts_distribution(sentence: str) -> bool:
    """The "Nơi nhận:" line: everything after it in a text is the distribution list."""
    return bool(_FURNITURE_START.match(sentence))
