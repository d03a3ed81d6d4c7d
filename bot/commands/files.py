"""Files named on the command line: checked up front so a mistake is a sentence, not a traceback."""

from __future__ import annotations

import os
from pathlib import Path

from bot.core.errors import UserError


def output_file(text: str) -> Path:
    """The path ``--out`` names, if a file can be written there. Its folder must exist: a typo in
    a folder name must not silently create a new tree of folders somewhere else."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise UserError(f"«{text}» là một thư mục. Hãy ghi rõ tên tệp, ví dụ {path / 'bao-cao.xlsx'}.")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"Thư mục «{folder}» không tồn tại. Hãy tạo thư mục trước hoặc chọn nơi khác.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"Không có quyền ghi vào «{path}». Hãy chọn nơi khác.")
    return path


def write_failed(path: Path, exc: OSError) -> UserError:
    """The sentence for a write that failed anyway (disk full, removed meanwhile)."""
    return UserError(f"Không ghi được tệp «{path}»: {exc.strerror or exc}.")
