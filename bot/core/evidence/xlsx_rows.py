"""Rows streamed straight into one sheet of an XLSX file that openpyxl saved.

openpyxl's write-only mode still builds a cell object and an lxml element for every value: about
20,000 cells a second, so a province's detail sheet (2 assignments × 100,000 people × 14 columns)
took minutes. The detail sheet holds only text and numbers, so its rows are written here as the
same XML openpyxl writes (inline strings, numbers), into the file openpyxl saved with the sheet's
header: column widths, the frozen header and the styles stay openpyxl's.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# characters XML 1.0 cannot carry (openpyxl refuses them); a name pasted from elsewhere may hold one
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CARRIAGE_RETURN = {"\r": "&#13;"}  # a raw CR would be read back as a line feed
_BATCH = 2000  # rows joined into one write
# rows past which the sheet may outgrow a plain zip member: ~700 bytes a row, 2 GiB, with a margin
ZIP64_ROWS = 1_000_000


def append_rows(path: Path, sheet_title: str, rows: Iterable[Sequence[object]], expected: int = 0) -> int:
    """Append ``rows`` under the rows already in sheet ``sheet_title`` of the workbook at ``path``
    (rewritten in place); returns how many were appended. ``expected``, about how many there will
    be, lets a sheet too big for a plain zip member (2 GiB) be written as a Zip64 one."""
    part = _sheet_part(path, sheet_title)
    staging = path.with_name(path.name + ".part")
    written = 0
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            if info.filename != part:
                out.writestr(info, source.read(info))
                continue
            xml = source.read(info).decode("utf-8").replace("<sheetData/>", "<sheetData></sheetData>")
            head, tail = xml.rsplit("</sheetData>", 1)
            number = head.count("<row ")
            with out.open(part, "w", force_zip64=expected > ZIP64_ROWS) as sheet:
                sheet.write(head.encode("utf-8"))
                batch: list[str] = []
                for row in rows:
                    number += 1
                    written += 1
                    batch.append(_row(number, row))
                    if len(batch) >= _BATCH:
                        sheet.write("".join(batch).encode("utf-8"))
                        batch.clear()
                sheet.write(("".join(batch) + "</sheetData>" + tail).encode("utf-8"))
    os.replace(staging, path)
    return written


def _sheet_part(path: Path, title: str) -> str:
    """The zip member holding the sheet titled ``title`` (workbook.xml names it, its rels locate it)."""
    with zipfile.ZipFile(path) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    rel_id = next(s.get(_REL_ID) for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == title)
    target = next(r.get("Target", "") for r in rels if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _letter(column: int) -> str:
    """1 → "A", 27 → "AA" (openpyxl's get_column_letter, without loading openpyxl for a CSV)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [_letter(i) for i in range(1, 703)]


def _row(number: int, values: Sequence[object]) -> str:
    cells = []
    for letter, value in zip(_LETTERS, values, strict=False):
        ref = f"{letter}{number}"
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
        elif value == "":
            cells.append(f'<c r="{ref}" t="inlineStr"></c>')
        else:
            text = escape(_ILLEGAL.sub("", str(value)), _CARRIAGE_RETURN)
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'
