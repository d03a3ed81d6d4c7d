"""Reading the spreadsheets people actually send: CSV (with or without a BOM, comma or semicolon)
and XLSX, with Vietnamese or English headers, possibly under a title row.

Roster import and attendance import share this so both report errors the same way: each
:class:`TableRow` carries the row number the user sees in Excel (the header row of a plain file is
row 1), and :class:`RowError` lines read "Dòng 7: …".
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import store
from bot.core.errors import UserError
from bot.core.numbers import format_number
from knowledge.archives import ArchiveTooLarge, check_archive
from knowledge.text import fold, nfc

if TYPE_CHECKING:
    import sqlite_utils

HEADER_SEARCH_ROWS = 10  # a header may sit under a title such as "DANH SÁCH CÁN BỘ DỰ HỘI NGHỊ"


@dataclass(frozen=True)
class Column:
    """A field the importer understands and the headers that name it (any case, any diacritics)."""

    field: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass
class TableRow:
    number: int  # the spreadsheet row number
    values: dict[str, str]  # field -> stripped NFC text ("" when blank)


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"Dòng {self.row}: {self.message}"


def row_problem(exc: UserError) -> str:
    """A UserError's sentence as a row problem ("Số … không hợp lệ." → "số … không hợp lệ"), so
    value checks shared with the chats (phone, role) read right after "Dòng 7: "."""
    return exc.message[0].lower() + exc.message[1:].rstrip(".")


@dataclass
class ImportReport:
    """What an import did, or would have done: ``imported`` is False when errors stopped it."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        """One sentence on the outcome; each kind of import says what it did through :meth:`_outcome`."""
        raise NotImplementedError

    def _outcome(self, done: str) -> str:
        """The summary sentence around ``done`` (what the subclass did)."""
        if not self.imported:
            return (
                f"Chưa nhập gì: tệp có {format_number(len(self.errors))} lỗi ở "
                f"{format_number(self.bad_rows)}/{format_number(self.rows)} dòng. "
                "Hãy sửa các dòng trên rồi nhập lại, hoặc chọn bỏ qua các dòng lỗi."
            )
        text = f"Đã nhập {format_number(self.rows - self.bad_rows)}/{format_number(self.rows)} dòng: {done}"
        if self.errors:
            text += f"; bỏ qua {format_number(self.bad_rows)} dòng lỗi"
        return text + "."


class _Rollback(Exception):
    """Raised inside the import transaction to undo it."""


def apply_unless_errors(
    db: sqlite_utils.Database,
    report: ImportReport,
    skip_invalid: bool,
    apply: Callable[[], None],
    guard: AbstractContextManager[object] | None = None,
) -> None:
    """Run ``apply`` (which appends to ``report.errors``) in one transaction, and keep its writes
    only if it found no error or ``skip_invalid`` is set: a file with errors changes nothing.
    ``guard`` is taken around the transaction (the ledger's append lock)."""
    try:
        with guard or nullcontext(), store.transaction(db, immediate=True):
            apply()
            if report.errors and not skip_invalid:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.imported = True
    report.errors.sort(key=lambda e: e.row)


def require_file(path: str | Path) -> Path:
    """The path of an existing file, or a UserError that names it."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}.")
    return path


def word_key(text: str) -> str:
    """ "Số điện thoại (*)" → "so dien thoai": how headers and typed labels (roles) are compared."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(nfc(text))).split())


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: str | Path, columns: Sequence[Column]) -> list[TableRow]:
    """The data rows of the first sheet of ``path``, keyed by field; blank rows are dropped.

    Raises UserError (Vietnamese) for a file that is not a readable CSV/XLSX or that lacks a
    required column; per-row problems are the caller's to judge.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        raw_rows: Iterable[list[str]] = _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        raw_rows = _xlsx_rows(path)
    elif suffix == ".xls":
        raise UserError("Tệp .xls (Excel cũ) chưa được hỗ trợ: hãy lưu lại dưới dạng .xlsx hoặc CSV UTF-8.")
    else:
        raise UserError(f"Tệp {path.name}: chỉ nhận bảng tính .xlsx hoặc .csv.")
    rows = list(raw_rows)
    header_at, mapping = _find_header(rows, columns)
    table = []
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        values = {field: (cells[i] if i < len(cells) else "") for field, i in mapping.items()}
        if any(values.values()):
            table.append(TableRow(number=index + 1, values=values))
    return table


def _find_header(rows: list[list[str]], columns: Sequence[Column]) -> tuple[int, dict[str, int]]:
    aliases = {word_key(a): c.field for c in columns for a in (c.field, *c.aliases)}
    required = [c for c in columns if c.required]
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping: dict[str, int] = {}
        for i, cell in enumerate(cells):
            field = aliases.get(word_key(cell))
            if field and field not in mapping:
                mapping[field] = i
        if mapping and all(c.field in mapping for c in required):
            return index, mapping
    names = ", ".join(f"“{c.aliases[0]}”" for c in required)
    raise UserError(
        f"Không tìm thấy dòng tiêu đề có cột {names} trong {HEADER_SEARCH_ROWS} dòng đầu của tệp. "
        "Các cột được nhận: " + "; ".join(" / ".join(c.aliases[:2]) for c in columns) + "."
    )


def _csv_rows(path: Path) -> Iterator[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"Tệp {path.name} không phải UTF-8. Trong Excel, hãy chọn “Lưu dưới dạng” → “CSV UTF-8”."
        ) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first_line.count)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [_cell_text(v) for v in record]


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_archive(path, path.name)
    except ArchiveTooLarge as exc:
        raise UserError(str(exc)) from None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UserError(f"Không đọc được tệp {path.name} như một bảng tính Excel (.xlsx).") from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some generators write a wrong <dimension>; read every cell instead
        for cells in ws.iter_rows(min_row=1, values_only=True):
            yield [_cell_text(v) for v in cells]
    finally:
        wb.close()


def _cell_text(value: object) -> str:
    """One cell as text: numbers without ".0" (phones typed as numbers), dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(nfc(str(value)).split())
