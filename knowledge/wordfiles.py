"""Word (.docx) files: paragraphs and tables in reading order, with the numbering Word draws.

python-docx gives a paragraph's typed text only; automatic list numbering ("1.", "a)", "-")
lives in numbering.xml and would be lost, and with it the section tree. The numbering is
rendered here from each list level's format and pattern ("%1.", "%1.%2."), counting per list.
Heading styles become Markdown-style "#" lines, which the section parser understands.
"""

from __future__ import annotations

import io
import re

from knowledge.archives import ArchiveTooLarge, check_archive
from knowledge.document import DocumentError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]
_HEADING_STYLE_RE = re.compile(r"^(?:heading|tiêu đề)\s*(\d)$", re.IGNORECASE)


def docx_text(data: bytes) -> tuple[str, str | None]:
    """(text with one paragraph per line, the document's Title property or None)."""
    import docx

    try:
        check_archive(io.BytesIO(data), ".docx")
    except ArchiveTooLarge as exc:
        raise DocumentError(str(exc)) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, not Word's parts, broken XML: all the same to the user
        raise DocumentError("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            line = _paragraph_line(element, document, numbering)
            if line:
                lines.append(line)
        elif element.tag == f"{_W}tbl":
            lines.extend(_table_lines(element))
    title = (document.core_properties.title or "").strip() or None
    return "\n".join(lines), title


def _paragraph_line(p, document, numbering: _Numbering) -> str:
    text = "".join(_run_texts(p)).strip()
    if not text:
        return ""
    style_id = p.pPr.pStyle.val if p.pPr is not None and p.pPr.pStyle is not None else None
    style = document.styles.element.get_by_id(style_id) if style_id else None
    style_name = (style.name_val or "") if style is not None else ""
    label = numbering.label(p, style)
    if label and not text.startswith(label):
        text = f"{label} {text}"
    m = _HEADING_STYLE_RE.match(style_name)
    if m:
        return "#" * int(m.group(1)) + " " + text
    if style_name.lower() == "title":
        return "# " + text
    return text


def _run_texts(p):
    """Text of the paragraph's runs (hyperlinks included), tabs and breaks as spaces/newlines."""
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            yield node.text or ""
        elif node.tag == f"{_W}tab":
            yield "\t"
        else:
            yield "\n"


def _table_lines(tbl) -> list[str]:
    lines = []
    for row in tbl.iter(f"{_W}tr"):
        cells: list[str] = []
        for cell in row.iter(f"{_W}tc"):
            cell_text = " ".join("".join(_run_texts(p)).strip() for p in cell.iter(f"{_W}p")).strip()
            if cell_text and (not cells or cells[-1] != cell_text):  # merged cells repeat
                cells.append(cell_text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


class _Numbering:
    """Renders Word list numbers: per list instance (numId) a counter per level."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstractNumId → ilvl → (fmt, text, start)
        self.instances: dict[str, str] = {}  # numId → abstractNumId
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                    int(_val(lvl, "start") or 1),
                )
            self.levels[abstract.get(f"{_W}abstractNumId")] = levels
        for num in root.iter(f"{_W}num"):
            self.instances[num.get(f"{_W}numId")] = _val(num, "abstractNumId") or ""

    def label(self, p, style) -> str:
        """The number Word shows before paragraph ``p`` (own numbering, else its style's)."""
        num_pr = p.pPr.numPr if p.pPr is not None else None
        if num_pr is None and style is not None and style.pPr is not None:
            num_pr = style.pPr.numPr
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        levels = self.levels.get(self.instances.get(num_id, ""), {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        fmt, pattern, start = levels[ilvl]
        counters[ilvl] = max(counters[ilvl], start - 1) + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def level_value(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            return _format(counters[level] or level_start, level_fmt)

        return re.sub(r"%(\d)", level_value, pattern).strip()


def _val(element, child: str) -> str | None:
    node = element.find(f"{_W}{child}")
    return node.get(f"{_W}val") if node is not None else None


def _format(n: int, fmt: str) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        letter = _LETTERS[(n - 1) % 26] * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"lowerRoman", "upperRoman"}:
        roman, rest = "", n
        for value, symbol in _ROMAN:
            while rest >= value:
                roman, rest = roman + symbol, rest - value
        return roman.upper() if fmt == "upperRoman" else roman
    return str(n)
