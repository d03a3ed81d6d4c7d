"""Zip bombs: a .docx or .xlsx that would unpack to far more than it weighs is refused from its
central directory, before python-docx or openpyxl inflate anything."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bot.core.errors import UserError
from bot.core.roster import roster
from knowledge import archives
from knowledge.loaders import DocumentError, load_file


def bomb(path: Path, entries: int = 1, megabytes: int = 0) -> Path:
    """A small zip declaring ``megabytes`` of zeros in one entry, or ``entries`` tiny entries."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        if megabytes:
            with archive.open("word/document.xml", "w") as member:
                block = bytes(1024 * 1024)
                for _ in range(megabytes):
                    member.write(block)
        for n in range(entries - 1 if megabytes else entries):
            archive.writestr(f"x/{n}.xml", "<a/>")
    return path


def test_a_docx_that_unpacks_too_far_is_refused(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bom.docx", megabytes=archives.MAX_UNPACKED_MB + 1)
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk
    with pytest.raises(DocumentError, match="giải nén ra quá lớn"):
        load_file(path)


def test_a_docx_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="giải nén ra quá lớn"):
        load_file(bomb(tmp_path / "nhieu.docx", entries=archives.MAX_ENTRIES + 1))


def test_a_roster_xlsx_bomb_is_refused(app, tmp_path: Path) -> None:
    path = bomb(tmp_path / "danh-sach.xlsx", entries=archives.MAX_ENTRIES + 1)
    with pytest.raises(UserError, match="giải nén ra quá lớn"):
        roster.import_roster(app, None, path)
