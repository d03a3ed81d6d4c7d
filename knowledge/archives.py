"""Zip-based files (.docx, .xlsx) checked before anything unpacks them.

A 434 KB .docx can unpack to 400 MB ("zip bomb"): python-docx and openpyxl would hold it all in
memory before noticing anything wrong. The zip's central directory declares every entry's
uncompressed size, and Python's zipfile never inflates an entry past its declared size, so
summing the declarations (and counting the entries) up front bounds what any later reader of the
same bytes can unpack.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

# Far above any real letter, plan or roster (a 100,000-person roster sheet unpacks to ≈ 50 MB).
MAX_UNPACKED_MB = 100
MAX_ENTRIES = 5000


class ArchiveTooLarge(ValueError):
    """The archive would unpack to more than the limits; ``str(err)`` is a Vietnamese message."""


def check_archive(source: str | Path | IO[bytes], name: str) -> None:
    """Raise :class:`ArchiveTooLarge` when ``source`` holds more than :data:`MAX_ENTRIES` entries
    or declares more than :data:`MAX_UNPACKED_MB` uncompressed; a file that is not a zip at all
    is left for its reader to refuse in its own words."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise ArchiveTooLarge(
            f"Tệp {name} giải nén ra quá lớn ({unpacked / 1024 / 1024:.0f} MB, {len(entries)} phần; "
            f"giới hạn {MAX_UNPACKED_MB} MB, {MAX_ENTRIES} phần): có thể là tệp hỏng hoặc độc hại."
        )
