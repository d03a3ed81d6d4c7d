"""Mistakes on the command line get one Vietnamese sentence on stderr and exit status 1: no
traceback, and nothing created where the user did not ask for it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bot.cli import main
from tests.ledger_support import load_province


@pytest.fixture
def province(app, tmp_path):
    load_province(app, tmp_path)
    return app


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("{tmp}", "là một thư mục"),
        ("{tmp}/khong/co/thu-muc/x.csv", "không tồn tại"),
        ("{locked}/x.csv", "quyền ghi"),
    ],
)
def test_export_out_mistakes(province, tmp_path: Path, capsys, out: str, says: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if "locked" in out and os.access(locked, os.W_OK):  # root ignores permissions
        pytest.skip("running as root: a read-only folder is still writable")
    target = out.format(tmp=tmp_path, locked=locked)
    assert main(["export", "acks", "--format", "csv", "--out", target]) == 1
    captured = capsys.readouterr()
    assert says in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "khong").exists()  # no folders made up


def test_serve_on_a_port_in_use(province, capsys, monkeypatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert "đang được một chương trình khác dùng" in err and "--port" in err
