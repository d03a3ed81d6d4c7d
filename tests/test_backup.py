"""Backups and restore: consistent while acknowledgements are written, checked on the copy, kept by
the retention rule, scheduled inside a real `serve` process that is then killed, and a restore that
refuses an older chain unless forced."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import Config
from bot.core.evidence import ledger
from bot.core.roster import roster
from bot.ops import backup
from tests.ledger_support import add_document, assign_all, load_province, write_csv

REPO = Path(__file__).resolve().parent.parent


def _crowd(app: App, tmp_path: Path, people: int) -> int:
    """``people`` cadres in one commune and an assignment covering them all; returns its id."""
    rows = [[f"Cán bộ {i:05d}", "Tỉnh ủy Quảng Nam > Xã Bình Dương", "", f"09{i:08d}", ""] for i in range(people)]
    assert roster.import_roster(app, None, write_csv(tmp_path / "crowd.csv", rows)).imported
    return assign_all(app, add_document(app))


def _ack_all(app: App, assignment_id: int, limit: int | None = None) -> list[str]:
    """Acknowledge for the assignment's members in id order (up to ``limit`` new rows); the hashes."""
    members = [r[0] for r in app.db.execute("SELECT person_id FROM assignment_members ORDER BY person_id")]
    hashes = []
    for person_id in members:
        result = ledger.acknowledge(app, person_id, assignment_id, "web")
        if result.created:
            hashes.append(result.row["hash"])
            if limit is not None and len(hashes) == limit:
                break
    return hashes


def _ledger_hashes(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT hash FROM acks ORDER BY id")]


def test_a_backup_taken_while_acknowledgements_are_written_is_consistent(app, tmp_path):
    assignment_id = _crowd(app, tmp_path, 1500)
    writer_app = App(Config.load(REPO / "config.toml"))  # its own connection, like another process
    written: list[str] = []
    writer = threading.Thread(target=lambda: written.extend(_ack_all(writer_app, assignment_id)))
    writer.start()
    made, copies, during = [], [], 0

    def take() -> None:  # read each copy at once: later backups prune the oldest by retention
        made.append(backup.backup(app))
        copies.append(_ledger_hashes(made[-1].path))
        assert json.loads(backup.sidecar(made[-1].path).read_text("utf-8"))["head_hash"] == made[-1].check.head_hash

    while writer.is_alive() and len(made) < 200:
        alive = writer.is_alive()
        take()
        during += alive and writer.is_alive()
    writer.join()
    take()
    assert during >= 1  # at least one copy was taken with the writer running before and after it
    for b, hashes in zip(made, copies):
        assert b.check.ok, b.check
        assert len(hashes) == b.check.rows
        assert hashes == written[: len(hashes)]  # a prefix of the live ledger, no gap, no torn row
    assert made[-1].check.rows == len(written) == 1500
    assert backup.last_backup(app)["head_hash"] == written[-1]
    # retention ([backup] keep = 14, keep_monthly = 12): the newest 14 and the month's first remain
    kept = backup.list_backups(made[-1].path.parent)
    assert kept[-14:] == [b.path for b in made[-14:]] and kept[0] == made[0].path
    assert len(kept) == min(len(made), 15)


def test_retention_keeps_the_newest_and_the_first_of_each_month(tmp_path):
    names = [
        "quantriet-20260105T010000Z.db",
        "quantriet-20260120T010000Z.db",
        "quantriet-20260201T010000Z.db",
        "quantriet-20260215T010000Z.db",
        "quantriet-20260301T010000Z.db",
        "quantriet-20260302T010000Z.db",
        "quantriet-20260302T010000Z-2.db",
        "quantriet-20260302T010000Z-10.db",
    ]
    for name in [*names, "replaced-20260101T000000Z.db", "notes.db"]:
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / name).with_suffix(".json").write_text("{}")
    assert [p.name for p in backup.list_backups(tmp_path)] == names  # by time, then by number
    removed = backup.prune(tmp_path, backup.BackupSettings(keep=2, keep_monthly=2))
    assert sorted(p.name for p in removed) == [names[0], names[1], names[3], names[5]]
    left = sorted(p.name for p in tmp_path.glob("*.db"))
    assert left == sorted([names[2], names[4], names[6], names[7], "replaced-20260101T000000Z.db", "notes.db"])
    assert not (tmp_path / names[0]).with_suffix(".json").exists()


def test_restore_refuses_an_older_chain_without_force_and_keeps_what_it_replaces(app, tmp_path, capsys):
    load_province(app, tmp_path)
    assignment_id = assign_all(app, add_document(app))
    first = _ack_all(app, assignment_id, limit=3)
    older = backup.backup(app, tmp_path / "offsite")
    assert older.check.rows == 3 and older.check.head_hash == first[-1]
    later = first + _ack_all(app, assignment_id, limit=2)
    live = backup.database_path(app)

    assert main(["restore", str(older.path)]) == 1
    captured = capsys.readouterr()
    assert "Thay cho:" in captured.out and "5 hàng" in captured.out and "3 hàng" in captured.out
    assert "mới hơn bản sao lưu" in captured.err and "--force" in captured.err
    assert _ledger_hashes(live) == later  # nothing was touched

    assert main(["restore", str(older.path), "--force"]) == 0
    kept = Path(re.search(r"Tệp cũ được giữ tại: (\S+)", capsys.readouterr().out).group(1))
    assert _ledger_hashes(live) == first and ledger.verify(App(Config.load(REPO / "config.toml"))).ok
    assert _ledger_hashes(kept) == later

    # the kept file carries the current chain further: putting it back needs no --force
    assert main(["restore", str(kept)]) == 0
    assert _ledger_hashes(live) == later


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path, capsys):
    load_province(app, tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["restore", str(junk)]) == 1
    assert "không phải bản sao lưu" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.db")]) == 1
    assert "Không tìm thấy tệp sao lưu" in capsys.readouterr().err


@pytest.mark.slow
def test_kill_9_of_serve_then_restore_gives_every_ack_up_to_the_last_backup(app, data_dir, tmp_path):
    assignment_id = _crowd(app, tmp_path, 60)
    config = tmp_path / "config.toml"
    text = (REPO / "config.toml").read_text("utf-8")
    config.write_text(re.sub(r"(?m)^every_hours = .*$", "every_hours = 0.0003", text, count=1), "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "serve", "--port", "0"],
        cwd=REPO,
        env={**os.environ, "QUANTRIET_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        banner = proc.stdout.readline()  # blocks until serve is up (or has died)
        assert "quantriet đang chạy" in banner, banner + proc.stdout.read()
        written = _ack_all(app, assignment_id, limit=40)
        folder = data_dir / "backups"
        wanted = None
        for _ in range(600):  # bounded: scheduled every ≈1 s
            for path in reversed(backup.list_backups(folder)):
                try:
                    info = json.loads(backup.sidecar(path).read_text("utf-8"))
                except FileNotFoundError:  # its sidecar is written after it, or it was just pruned
                    continue
                if info["rows"] == len(written):
                    wanted = path
            if wanted or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert wanted is not None, "serve made no backup holding every acknowledgement"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    lost = _ack_all(app, assignment_id, limit=5)  # after the last backup: not in it
    app.db.conn.close()
    for suffix in ("", "-wal", "-shm"):  # the disk is gone
        Path(f"{backup.database_path(app)}{suffix}").unlink(missing_ok=True)

    assert main(["restore", str(wanted)]) == 0
    restored = App(Config.load(REPO / "config.toml"))
    assert _ledger_hashes(backup.database_path(restored)) == written
    assert not set(lost) & set(_ledger_hashes(backup.database_path(restored)))
    assert ledger.verify(restored).ok
