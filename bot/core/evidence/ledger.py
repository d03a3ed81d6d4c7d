"""The acknowledgement ledger: append-only, one row per (person, document version), hash-chained.

Each row stores ``prev_hash`` (the previous row's hash; 64 zeros for the first) and ``hash`` =
sha256 of the canonical serialisation of ``[prev_hash, person_id, document_id, version,
assignment_id, acked_at, channel, check_score, recorded_by, source_hash]`` (JSON, UTF-8, no spaces,
``null`` for missing values). Editing a field breaks that row's hash; deleting, inserting or
reordering rows breaks the next row's link; cutting rows off the end is caught by the chain head
kept in ``kv`` (``ledger.head``) and updated in the same transaction as each append.

Appends take SQLite's write lock first (``BEGIN IMMEDIATE``) so that reading the last hash and
inserting the new row is atomic across processes and connections; a per-connection lock also keeps
threads that share one connection from interleaving inside that transaction.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from bot import store
from bot.app import App
from bot.core import clock, kv
from bot.core.errors import UserError
from bot.core.evidence.assignments import require_assignment, require_member
from bot.core.numbers import format_number
from bot.core.roster import audit
from bot.core.roster.roster import ROSTER_COLUMNS, Person, UnitIndex, normalise_phone, split_unit_path
from bot.core.roster.tabular import (
    ImportReport,
    RowError,
    apply_unless_errors,
    file_sha256,
    read_table,
    require_file,
    row_problem,
)
from knowledge.text import fold

GENESIS = "0" * 64
HEAD_KEY = "ledger.head"
CONFERENCE = "hội nghị"
_ACK_COLUMNS = (
    "id, person_id, document_id, version, assignment_id, acked_at, channel, check_score, "
    "recorded_by, source_hash, prev_hash, hash"
)  # the order of Entry, between id and the two hashes
# An attendance sheet names people the way the roster file does (same headers), minus the roster-only columns.
ATTENDANCE_COLUMNS = tuple(c for c in ROSTER_COLUMNS if c.field in {"full_name", "unit", "parent_unit", "phone"})

_locks: weakref.WeakKeyDictionary[sqlite_utils.Database, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class AckResult:
    created: bool  # False: the person had already confirmed this version (row is the first one)
    acked_at: datetime  # UTC
    row: dict

    @property
    def when(self) -> str:
        """ "08:15 ngày 02/04/2024" (Vietnam time), for "Đồng chí đã xác nhận lúc …"."""
        return clock.format_spoken(self.acked_at)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int  # rows checked (up to and including the first bad one)
    first_bad_id: int | None
    reason: str | None  # Vietnamese, for the operator
    head_hash: str  # the last row's hash: write it down to anchor the ledger outside the DB


@dataclass
class AttendanceReport(ImportReport):
    recorded: int = 0
    already: int = 0  # had confirmed before (kept as they were)

    def summary(self) -> str:
        return self._outcome(
            f"ghi nhận {format_number(self.recorded)} người, {format_number(self.already)} người đã xác nhận từ trước"
        )


class Entry(NamedTuple):
    """The content of one ledger row, in the canonical order that is hashed."""

    person_id: int
    document_id: int
    version: str
    assignment_id: int | None
    acked_at: str
    channel: str
    check_score: str | None
    recorded_by: int | None
    source_hash: str | None


def row_hash(prev_hash: str, entry: Entry) -> str:
    """The hash of one ledger row (see the module docstring for the canonical form)."""
    payload = json.dumps([prev_hash, *entry], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextmanager
def _append_lock(db: sqlite_utils.Database) -> Iterator[None]:
    with _locks_guard:
        lock = _locks.setdefault(db, threading.Lock())
    with lock:
        yield


def _existing(db: sqlite_utils.Database, person_id: int, document_id: int, version: str) -> dict | None:
    cursor = db.execute(
        f"SELECT {_ACK_COLUMNS} FROM acks WHERE person_id = ? AND document_id = ? AND version = ?",
        (person_id, document_id, version),
    )
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def _tip(db: sqlite_utils.Database) -> str:
    """The last row's hash (GENESIS for an empty ledger)."""
    return tip(db)[1]


def _append(db: sqlite_utils.Database, entries: list[Entry]) -> list[dict]:
    """Insert rows at the end of the chain, reading its tip and moving the stored head once for the
    batch. Call inside an IMMEDIATE transaction (under the lock)."""
    prev = _tip(db)
    insert = (  # unit_id: the unit the person is in now, kept outside the hashed content
        f"INSERT INTO acks ({', '.join(Entry._fields)}, prev_hash, hash, unit_id) "
        f"VALUES ({', '.join('?' * (len(Entry._fields) + 2))}, (SELECT unit_id FROM people WHERE id = ?))"
    )
    rows = []
    for entry in entries:
        digest = row_hash(prev, entry)
        ack_id = store.new_id(db.execute(insert, (*entry, prev, digest, entry.person_id)))
        rows.append({"id": ack_id, **entry._asdict(), "prev_hash": prev, "hash": digest})
        prev = digest
    if rows:
        kv.put(db.conn, HEAD_KEY, json.dumps({"id": rows[-1]["id"], "hash": prev}))
    return rows


def acknowledge(
    app: App,
    person_id: int,
    assignment_id: int,
    channel: str,
    check_score: str | None = None,
    recorded_by: int | None = None,
    source_hash: str | None = None,
) -> AckResult:
    """Record that the person has read and studied the assignment's document version.

    Confirming a version twice keeps the first row and returns ``created=False`` with its time.
    When the assignment requires a comprehension check, a passing ``check_score`` (from
    :func:`bot.core.evidence.checks.answer_check`) or an officer's ``recorded_by`` is needed.
    """
    assignment = require_member(app, assignment_id, person_id)
    doc_id, version = assignment.document.id, assignment.version
    with _append_lock(app.db), store.transaction(app.db, immediate=True):
        first = _existing(app.db, person_id, doc_id, version)
        if first is not None:
            return AckResult(False, datetime.fromisoformat(first["acked_at"]), first)
        if assignment.require_check and check_score is None and recorded_by is None:
            raise UserError("Đồng chí cần trả lời đạt các câu hỏi kiểm tra nhanh trước khi xác nhận đã quán triệt.")
        (row,) = _append(
            app.db,
            [
                Entry(
                    person_id,
                    doc_id,
                    version,
                    assignment_id,
                    store.isotime(app.now()),
                    channel,
                    check_score,
                    recorded_by,
                    source_hash,
                )
            ],
        )
    return AckResult(True, datetime.fromisoformat(row["acked_at"]), row)


def ack_of(app: App, person_id: int, document_id: int, version: str) -> dict | None:
    """The person's confirmation of this document version, if any."""
    return _existing(app.db, person_id, document_id, version)


def head_hash(app: App) -> str:
    return _tip(app.db)


def tip(db: sqlite_utils.Database) -> tuple[int, str]:
    """(last row id, its hash) of any store file; (0, GENESIS) for an empty ledger."""
    row = db.execute("SELECT id, hash FROM acks ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def hash_at(db: sqlite_utils.Database, ack_id: int) -> str | None:
    """The hash of row ``ack_id`` (GENESIS for 0): does another file's chain pass through it?"""
    if ack_id == 0:
        return GENESIS
    row = db.execute("SELECT hash FROM acks WHERE id = ?", (ack_id,)).fetchone()
    return row[0] if row else None


def verify(app: App) -> VerifyResult:
    """Walk the chain in id order and report the first row whose content or link does not check."""
    return verify_database(app.db)


def verify_database(db: sqlite_utils.Database) -> VerifyResult:
    """:func:`verify` on any store file (a backup is checked on the copy, before it counts).

    The rows and the stored head are read in one snapshot, so appends running meanwhile (from this or
    another process) cannot make a sound ledger look cut short."""
    with _append_lock(db), store.transaction(db):
        bad, count, prev = _check_chain(db)
    if bad is not None:
        return VerifyResult(False, count, bad[0], bad[1], prev)
    return VerifyResult(True, count, None, None, prev)


def _check_chain(db: sqlite_utils.Database) -> tuple[tuple[int, str] | None, int, str]:
    """(first bad row and why | None, rows checked, last good hash)."""
    prev, prev_id, count = GENESIS, 0, 0
    for row in db.execute(f"SELECT {_ACK_COLUMNS} FROM acks ORDER BY id"):
        ack_id, *content, stored_prev, stored_hash = row
        count += 1
        if stored_prev != prev:
            if ack_id != prev_id + 1:
                gone = f"hàng {prev_id + 1}" + (f" đến {ack_id - 1}" if ack_id - 1 > prev_id + 1 else "")
                return (
                    (ack_id, f"{gone} đã bị xóa khỏi sổ (liên kết của hàng {ack_id} với hàng trước bị đứt)"),
                    count,
                    prev,
                )
            return (
                (ack_id, f"liên kết của hàng {ack_id} với hàng trước bị đứt: có hàng bị xóa, chèn hoặc đổi chỗ"),
                count,
                prev,
            )
        if row_hash(stored_prev, Entry(*content)) != stored_hash:
            return (ack_id, f"nội dung hàng {ack_id} đã bị sửa (mã băm không khớp)"), count, prev
        prev, prev_id = stored_hash, ack_id
    stored_head = kv.read(db, HEAD_KEY)
    if stored_head is None:
        return ((1, "không tìm thấy đầu sổ đã lưu (ledger.head)") if count else None), count, prev
    head = json.loads(stored_head)
    if head["id"] > prev_id:
        return (prev_id + 1, f"thiếu các hàng cuối sổ: sổ đã từng có đến hàng {head['id']}"), count, prev
    if head["id"] < prev_id:
        return (head["id"] + 1, f"hàng {head['id'] + 1} trở đi không được ghi qua ứng dụng"), count, prev
    if head["hash"] != prev:
        return (prev_id, f"hàng cuối {prev_id} không khớp với đầu sổ đã lưu"), count, prev
    return None, count, prev


# ---------------------------------------------------------------------------------- attendance


def import_attendance(
    app: App, actor: Person | None, file_path: str | Path, assignment_id: int, skip_invalid: bool = False
) -> AttendanceReport:
    """Record the people on a conference attendance sheet as having studied the assignment's document
    (channel "hội nghị", with the importing officer and the file's sha256 on every row).

    People are found by phone, else by name within their unit. Every problem is reported with its
    spreadsheet row; unless ``skip_invalid``, a sheet with any error records nobody.
    """
    path = require_file(file_path)
    digest = file_sha256(path)
    audit.require(app, actor, "ack.import", audit.OFFICERS, file=path.name, sha256=digest, assignment_id=assignment_id)
    assignment = require_assignment(app, assignment_id)
    table = read_table(path, ATTENDANCE_COLUMNS)
    report = AttendanceReport(rows=len(table))
    people = _match_attendance(app, table, assignment_id, report.errors)

    def apply() -> None:
        now = store.isotime(app.now())
        doc_id, version = assignment.document.id, assignment.version
        confirmed = {
            r[0]
            for r in app.db.execute(
                "SELECT person_id FROM acks WHERE document_id = ? AND version = ?", (doc_id, version)
            )
        }
        new = [p for p in people if p not in confirmed]
        _append(
            app.db,
            [
                Entry(p, doc_id, version, assignment_id, now, CONFERENCE, None, actor.id if actor else None, digest)
                for p in new
            ],
        )
        report.recorded += len(new)
        report.already += len(people) - len(new)

    apply_unless_errors(app.db, report, skip_invalid, apply, guard=_append_lock(app.db))
    return report


def _match_attendance(app: App, table, assignment_id: int, errors: list[RowError]) -> list[int]:
    """The person ids of the valid rows, in sheet order; problems go to ``errors``."""
    db = app.db
    units = UnitIndex(db)
    by_phone = {
        phone: (pid, key, full_name)
        for pid, phone, key, full_name in db.execute(
            "SELECT id, phone, name_key, full_name FROM people WHERE phone IS NOT NULL"
        )
    }
    members = {
        r[0] for r in db.execute("SELECT person_id FROM assignment_members WHERE assignment_id = ?", (assignment_id,))
    }
    found: dict[int, int] = {}  # person id -> row number
    for row in table:
        name = row.values.get("full_name", "")  # read_table already NFC'd and collapsed the spaces
        try:
            phone = normalise_phone(row.values.get("phone", ""))
        except UserError as exc:
            errors.append(RowError(row.number, row_problem(exc)))
            continue
        person_id, problem = None, None
        if phone and phone in by_phone:
            person_id, key, owner = by_phone[phone]
            if name and fold(name) != key:
                problem = f"số điện thoại {phone} là của {owner}, không phải {name}"
        elif not name:
            problem = "thiếu họ và tên"
        elif not row.values.get("unit"):
            problem = (
                f"không tìm thấy số điện thoại {phone} trong danh sách; cần ghi đơn vị" if phone else "thiếu đơn vị"
            )
        else:
            person_id, problem = _by_name(app, units, name, row.values)
        if problem is None and person_id not in members:
            problem = f"{name or phone} không thuộc danh sách được giao của đợt này"
        if problem is None and person_id in found:
            problem = f"trùng với dòng {found[person_id]}"
        if problem is not None or person_id is None:
            errors.append(RowError(row.number, problem or "không xác định được người"))
            continue
        found[person_id] = row.number
    return list(found)


def _by_name(app: App, units: UnitIndex, name: str, values: dict[str, str]) -> tuple[int | None, str | None]:
    path = split_unit_path(values["unit"], values.get("parent_unit", ""))
    try:
        unit_id = units.lookup(path)
    except UserError as exc:
        return None, exc.message
    if unit_id is None:
        return None, f"không tìm thấy đơn vị “{' > '.join(path)}”"
    ids = [
        r[0]
        for r in app.db.execute(
            "SELECT id FROM people WHERE unit_id = ? AND name_key = ? AND status = 'active'", (unit_id, fold(name))
        )
    ]
    if not ids:
        return None, f"không có {name} trong danh sách cán bộ của {units.units[unit_id].name}"
    if len(ids) > 1:
        return None, f"có {len(ids)} người tên {name} trong {units.units[unit_id].name}; hãy ghi số điện thoại"
    return ids[0], None
