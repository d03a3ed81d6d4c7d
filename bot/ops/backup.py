"""Backups of the store and restoring one: the acknowledgement ledger must survive a disk failure.

A backup is made with SQLite's online backup API from a connection of its own, in one step, so it
is a consistent snapshot even while ``serve`` writes acknowledgements (WAL readers do not block
writers). It is written as ``<name>.partial``, switched to rollback-journal mode so the copy is
one self-contained file, checked on the copy (``PRAGMA integrity_check`` and the ledger chain),
and only then renamed to ``quantriet-<UTC time>.db``; a sidecar ``.json`` records the check, the
chain's head hash and the file's sha256. The live store remembers the last backup in ``kv``
(``backup.last``) for ``quantriet status``.

Restoring copies a checked backup into the live file with the same API (so the WAL is handled by
SQLite, not by moving files), after keeping the file it replaces. It refuses, unless forced, a
backup whose chain does not pass through the current chain's head: that would drop
acknowledgements recorded since.

The search index is not backed up: ``quantriet ingest`` rebuilds it from the catalogue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot import store
from bot.app import App
from bot.core import kv
from bot.core.errors import UserError
from bot.core.evidence import ledger
from bot.core.roster.tabular import file_sha256

if TYPE_CHECKING:
    from bot.serve import Service

log = logging.getLogger(__name__)

LAST_KEY = "backup.last"
PREFIX = "quantriet-"
NAME = re.compile(r"^quantriet-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$")  # retention only ever touches these
STAMP = "%Y%m%dT%H%M%SZ"
SETTLE = timedelta(minutes=5)  # no scheduled backup this soon after serve starts


@dataclasses.dataclass
class BackupSettings:
    """``[backup]`` in config.toml."""

    dir: str = ""  # "" = <data dir>/backups
    every_hours: float = 24.0  # scheduled backups inside serve; 0 = none
    keep: int = 14  # the newest backups kept (0 = keep all)
    keep_monthly: int = 12  # besides those, the first backup of each of the last N months

    @classmethod
    def load(cls, app: App) -> BackupSettings:
        return app.config.section("backup", cls)

    def folder(self, app: App) -> Path:
        return app.config.resolve(self.dir) if self.dir else app.data_dir / "backups"


@dataclasses.dataclass(frozen=True)
class Check:
    """What a store file holds, as checked: integrity, the ledger chain and its head."""

    integrity: str  # "ok" or SQLite's first complaint
    chain_ok: bool
    rows: int  # ledger rows (the head's id when the chain is sound)
    head_hash: str
    problem: str | None  # the ledger's first bad row and why (Vietnamese)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.chain_ok


@dataclasses.dataclass(frozen=True)
class Backup:
    path: Path
    created_at: str  # UTC, ISO
    check: Check
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.path.name,
            "path": str(self.path),
            "created_at": self.created_at,
            "size": self.size,
            "sha256": self.sha256,
            **dataclasses.asdict(self.check),
        }


def database_path(app: App) -> Path:
    return app.data_dir / "quantriet.db"


def backup(app: App, to: Path | None = None) -> Backup:
    """Back the store up into ``to`` (default: the ``[backup]`` folder, where retention applies)."""
    settings = BackupSettings.load(app)
    folder = to or settings.folder(app)
    folder.mkdir(parents=True, exist_ok=True)
    source = database_path(app)
    if not source.exists():
        raise UserError(f"Chưa có cơ sở dữ liệu để sao lưu ({source}).")
    created = store.utcnow()
    target = _free_name(folder, created)
    partial = target.with_name(target.name + ".partial")
    with closing(_open(source)) as src:
        with closing(sqlite3.connect(partial)) as dest:
            src.backup(dest)  # one step: a consistent snapshot, writers carry on meanwhile
            dest.execute("PRAGMA journal_mode=DELETE")
        check = check_file(partial)
        if check.integrity != "ok":
            partial.unlink()
            raise UserError(f"Bản sao lưu bị lỗi khi kiểm tra ({check.integrity}); cơ sở dữ liệu cần được kiểm tra.")
        partial.rename(target)
        made = Backup(target, store.isotime(created), check, file_sha256(target), target.stat().st_size)
        _write_json(sidecar(target), made.to_json())
        kv.put(src, LAST_KEY, json.dumps(made.to_json(), ensure_ascii=False))
    if not check.chain_ok:
        log.error("backup %s: the ledger chain does not verify: %s", target, check.problem)
    if to is None:
        for old in prune(folder, settings):
            log.info("backup retention removed %s", old)
    return made


def check_file(path: Path) -> Check:
    """Integrity and ledger chain of a store file, read without changing it."""
    with _read_only(path) as db:
        (integrity,) = db.execute("PRAGMA integrity_check(1)").fetchone()
        if integrity != "ok":
            return Check(integrity, False, 0, "", None)
        result = ledger.verify_database(db)
        rows, head = ledger.tip(db)
    return Check("ok", result.ok, rows, head, result.reason)


def sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def last_backup(app: App) -> dict[str, Any] | None:
    """The last backup this store made (from ``kv``), for ``quantriet status``."""
    stored = kv.get(app, LAST_KEY)
    return json.loads(stored) if stored else None


def list_backups(folder: Path) -> list[Path]:
    """Backup files in ``folder``, oldest first (by the time in the name, then its number)."""
    found = [(m, p) for p in folder.glob(f"{PREFIX}*.db") if (m := NAME.match(p.name))] if folder.is_dir() else []
    return [p for m, p in sorted(found, key=lambda mp: (mp[0].group(1), int(mp[0].group(2) or 1)))]


def prune(folder: Path, settings: BackupSettings) -> list[Path]:
    """Apply the retention rule: keep the newest ``keep`` backups and the first backup of each of
    the newest ``keep_monthly`` months; remove the rest (with their sidecars). Returns what went."""
    backups = list_backups(folder)
    if settings.keep <= 0:
        return []
    keep = set(backups[-settings.keep :])
    first_of_month: dict[str, Path] = {}
    for path in backups:
        first_of_month.setdefault(path.name[len(PREFIX) : len(PREFIX) + 6], path)  # YYYYMM
    months = sorted(first_of_month)[-settings.keep_monthly :] if settings.keep_monthly > 0 else []
    keep.update(first_of_month[m] for m in months)
    removed = [p for p in backups if p not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
        sidecar(path).unlink(missing_ok=True)
    return removed


# ------------------------------------------------------------------------------------- restore


@dataclasses.dataclass(frozen=True)
class RestorePlan:
    """What ``quantriet restore`` would do; ``refusal`` says why it will not without --force."""

    backup: Path
    target: Path
    incoming: Check
    current: tuple[int, str] | None  # (rows, head hash) of the file it replaces; None: no file
    refusal: str | None

    def lines(self) -> list[str]:
        lines = [
            f"Khôi phục từ: {self.backup}",
            f"  sổ xác nhận: {self.incoming.rows} hàng, mã băm cuối {self.incoming.head_hash}",
        ]
        if self.current is None:
            lines.append(f"Thay cho: {self.target} (chưa có tệp)")
        else:
            rows, head = self.current
            lines += [f"Thay cho: {self.target}", f"  sổ xác nhận: {rows} hàng, mã băm cuối {head}"]
        return lines


def plan_restore(app: App, file: Path) -> RestorePlan:
    """Check the backup and compare its chain with the live one."""
    if not file.is_file():
        raise UserError(f"Không tìm thấy tệp sao lưu {file}.")
    try:
        incoming = check_file(file)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"Tệp {file.name} không phải bản sao lưu đọc được ({exc}).") from exc
    if incoming.integrity != "ok":
        raise UserError(f"Tệp {file.name} bị hỏng ({incoming.integrity}); không khôi phục.")
    target = database_path(app)
    current = None
    refusal = None
    if not incoming.chain_ok:
        refusal = f"sổ xác nhận trong bản sao lưu không toàn vẹn: {incoming.problem}"
    if target.exists():
        try:
            with _read_only(target) as db:
                current = ledger.tip(db)
        except sqlite3.DatabaseError as exc:  # a damaged store is what restoring is for
            log.warning("the store to replace is unreadable: %s", exc)
        if current is not None and refusal is None and not _passes_through(file, current):
            refusal = (
                f"sổ xác nhận hiện tại có {current[0]} hàng, mới hơn bản sao lưu ({incoming.rows} hàng)"
                if current[0] > incoming.rows
                else "sổ xác nhận hiện tại và bản sao lưu là hai chuỗi khác nhau"
            )
    return RestorePlan(file, target, incoming, current, refusal)


def _passes_through(file: Path, head: tuple[int, str]) -> bool:
    """Does the chain in ``file`` hold row ``head`` unchanged (the current chain is its prefix)?"""
    with _read_only(file) as db:
        return ledger.hash_at(db, head[0]) == head[1]


def restore(app: App, plan: RestorePlan, force: bool = False) -> Path | None:
    """Put the backup in place; returns where the replaced file was kept (None: there was none)."""
    if plan.refusal and not force:
        raise UserError(f"Không khôi phục: {plan.refusal}. Dùng --force nếu chắc chắn.")
    kept = None
    if plan.target.exists():
        folder = BackupSettings.load(app).folder(app)
        folder.mkdir(parents=True, exist_ok=True)
        kept = _free_name(folder, store.utcnow(), "replaced-")
        try:
            with closing(_open(plan.target)) as live, closing(sqlite3.connect(kept)) as dest:
                live.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError:  # too damaged for SQLite to read: keep its bytes
            for suffix in ("", "-wal"):
                if plan.target.with_name(plan.target.name + suffix).exists():
                    shutil.copyfile(
                        plan.target.with_name(plan.target.name + suffix), kept.with_name(kept.name + suffix)
                    )
    plan.target.parent.mkdir(parents=True, exist_ok=True)
    with closing(_open(plan.backup)) as src, closing(_open(plan.target)) as live:
        src.backup(live)
        if sidecar(plan.backup).exists():  # the restored store's last backup is the one it came from
            kv.put(live, LAST_KEY, sidecar(plan.backup).read_text("utf-8"))
    log.info("restored %s from %s (replaced file kept at %s)", plan.target, plan.backup, kept)
    return kept


# ---------------------------------------------------------------------------------- scheduling


def install(service: Service) -> None:
    """Scheduled backups inside ``serve`` (``[backup] every_hours``; 0 = none)."""
    settings = BackupSettings.load(service.app)
    if settings.every_hours > 0:
        service.add_background("backups", lambda: run_schedule(service.app, settings))


async def run_schedule(app: App, settings: BackupSettings) -> None:
    """Back up whenever the last backup is ``every_hours`` old, but not in the first
    :data:`SETTLE` after start (or ``every_hours`` if shorter), which belongs to the channels
    starting up; a failed backup is logged and tried again after the same interval."""
    every = timedelta(hours=settings.every_hours)
    earliest = store.utcnow() + min(every, SETTLE)
    while True:
        last = last_backup(app)
        due = max(datetime.fromisoformat(last["created_at"]) + every if last else earliest, earliest)
        await asyncio.sleep(max(0.0, (due - store.utcnow()).total_seconds()))
        try:
            made = await asyncio.to_thread(backup, app)
            log.info("backup %s: %d acknowledgements, head %s", made.path.name, made.check.rows, made.check.head_hash)
        except Exception:
            log.exception("scheduled backup failed")
            await asyncio.sleep(every.total_seconds())


# ------------------------------------------------------------------------------------- helpers


def _open(path: Path) -> sqlite3.Connection:
    """A plain connection of its own (autocommit), never shared with the event loop's."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite_utils.Database]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)) as conn:
        yield sqlite_utils.Database(conn)


def _free_name(folder: Path, moment: datetime, prefix: str = PREFIX) -> Path:
    """``<prefix><UTC time>.db`` in ``folder``, numbered when that second is taken already."""
    base = f"{prefix}{moment.strftime(STAMP)}"
    path, n = folder / f"{base}.db", 1
    while path.exists() or sidecar(path).exists():
        n += 1
        path = folder / f"{base}-{n}.db"
    return path


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
