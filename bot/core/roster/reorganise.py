"""Reorganising units: rename, merge, move, split and dissolve, one by one or from a mapping file.

Each operation is one audited transaction that writes a ``unit_changes`` row and changes ``units``
and ``people`` in place; the triggers of the "units-history" migration turn those writes into
``unit_versions`` and ``memberships`` rows dated by the change's effective date (read from
``unit_change_context``, set for the length of the transaction). Nothing here touches the
acknowledgement ledger: an acknowledgement keeps the unit it was made in, and reports choose the
tree (today's, or the one on a date) when they count.

A dry run performs exactly the same writes and rolls them back, so its preview cannot differ from
what applying would do. A mapping file (old unit → new unit, operation, date: what an organisation
office prepares in Excel) is checked row by row — unknown units, cycles, people left in a closed unit
— and applied all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.errors import UserError
from bot.core.numbers import format_number
from bot.core.roster import audit
from bot.core.roster.placements import Member, Placement, place_members, read_placements, target_named, unit_keys
from bot.core.roster.roster import Person, Unit, UnitIndex, resolve_in, split_unit_path
from bot.core.roster.tabular import (
    Column,
    RowError,
    file_sha256,
    read_table,
    require_file,
    row_problem,
    word_key,
)
from knowledge.text import fold

# operation code → Vietnamese label (as written in the mapping file and shown in previews)
OPERATIONS = {
    "rename": "đổi tên",
    "merge": "hợp nhất",
    "move": "chuyển",
    "split": "chia tách",
    "dissolve": "giải thể",
}
_OPERATION_WORDS = {
    **{word_key(label): code for code, label in OPERATIONS.items()},
    **{code: code for code in OPERATIONS},
    "sap nhap": "merge",
    "nhap": "merge",
    "chuyen ve": "move",
    "tach": "split",
}
MAPPING_COLUMNS = (
    Column("source", ("Đơn vị cũ", "Old unit", "Đơn vị hiện tại", "Từ đơn vị"), required=True),
    Column("target", ("Đơn vị mới", "New unit", "Thành đơn vị", "Đơn vị nhận")),
    Column("operation", ("Thao tác", "Operation", "Hình thức", "Loại"), required=True),
    Column("effective", ("Ngày hiệu lực", "Effective date", "Ngày", "Date")),
)


@dataclass(frozen=True)
class Operation:
    """One reorganisation, with units named as people type them (id, name or "Cấp trên > Đơn vị").

    ``targets`` by kind: rename → the new name; merge → the unit the sources become (existing, or
    created under the named parent, else under the first source's parent); move → the new parent;
    split → the new units (each member goes where ``placements`` say, the others to ``rest`` when
    it names one of them; sub-units go to the first); dissolve → the unit that receives the members
    and sub-units (none: only an empty unit can be dissolved).
    """

    kind: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    effective: date
    rows: tuple[int, ...] = ()  # mapping-file rows it came from
    placements: tuple[Placement, ...] = ()  # split: who goes to which new unit
    rest: str | None = None  # split: the new unit of every member not placed

    def describe(self) -> str:
        arrow = f" → {', '.join(self.targets)}" if self.targets else ""
        placed = f"; {len(self.placements)} dòng phân công" if self.placements else ""
        rest = f"; còn lại sang {self.rest}" if self.rest else ""
        return f"{OPERATIONS[self.kind]} {', '.join(self.sources)}{arrow} ({clock.format_date(self.effective)}){placed}{rest}"


@dataclass
class ReorganisationReport:
    """What a reorganisation did (or, dry run, would do): a line per change, counts, errors."""

    dry_run: bool
    lines: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    units_created: int = 0
    units_closed: int = 0
    units_changed: int = 0  # renamed or moved (including sub-units moved to a successor)
    people_moved: int = 0
    change_ids: list[int] = field(default_factory=list)
    applied: bool = False
    placed: set[Placement] = field(default_factory=set)  # the placements some split used

    def problems(self) -> list[str]:
        """The errors as sentences: "Dòng 7: …" for a mapping-file row, else the message itself."""
        return [str(e) if e.row else e.message[0].upper() + e.message[1:] + "." for e in self.errors]

    def summary(self) -> str:
        counts = (
            f"{format_number(self.units_created)} đơn vị mới, {format_number(self.units_closed)} đơn vị thôi hoạt động, "
            f"{format_number(self.units_changed)} đơn vị đổi tên hoặc chuyển, {format_number(self.people_moved)} người chuyển đơn vị"
        )
        if self.errors:
            return f"Chưa thay đổi gì: có {len(self.errors)} lỗi. Hãy sửa rồi chạy lại."
        if self.dry_run:
            return f"Chạy thử (chưa lưu): {counts}."
        return f"Đã sắp xếp lại: {counts}."


class _Rollback(Exception):
    """Undo the transaction (a dry run, or an error found)."""


def reorganise(
    app: App,
    actor: Person | None,
    operations: Sequence[Operation],
    dry_run: bool = False,
    source_file: Path | None = None,
) -> ReorganisationReport:
    """Apply ``operations`` in order as one transaction (admin only); nothing is kept when any of
    them fails its checks, or when ``dry_run``. Each operation gets its own ``unit_changes`` row."""
    digest = file_sha256(source_file) if source_file else None
    audit.require(
        app,
        actor,
        "units.reorganise",
        audit.ADMINS,
        operations=[o.describe() for o in operations],
        dry_run=dry_run,
        file=source_file.name if source_file else None,
        sha256=digest,
    )
    report = ReorganisationReport(dry_run=dry_run)
    today = clock.local_today(app.now())
    try:
        with store.transaction(app.db, immediate=True):
            for op in operations:
                row = op.rows[0] if op.rows else 0
                app.db.execute("SAVEPOINT reorganise_step")  # a failed step leaves no half-done writes
                try:
                    _check_date(op, today)
                    with _context(app, op, actor, source_file, digest) as change_id:
                        _Apply(app.db, op, change_id, report).run()
                        report.change_ids.append(change_id)
                except UserError as exc:
                    app.db.execute("ROLLBACK TO reorganise_step")
                    report.errors.append(RowError(row, row_problem(exc)))
                app.db.execute("RELEASE reorganise_step")
            _check_placements_used(operations, report)
            _check_nobody_stranded(app, report)
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        report.change_ids.clear()
    else:
        report.applied = True
    return report


def _check_date(op: Operation, today: date) -> None:
    if op.effective > today:
        raise UserError(f"Ngày hiệu lực {clock.format_date(op.effective)} chưa đến: hãy áp dụng thay đổi từ ngày đó.")


@contextmanager
def _context(
    app: App, op: Operation, actor: Person | None, source_file: Path | None, digest: str | None
) -> Iterator[int]:
    """The change's row, and its date and id exposed to the history triggers while it runs."""
    db = app.db
    change_id = store.new_id(
        db.execute(
            "INSERT INTO unit_changes (operation, effective, detail, source_file, source_hash, applied_by, applied_at) "
            "VALUES (?, ?, '{}', ?, ?, ?, ?)",
            (
                op.kind,
                op.effective.isoformat(),
                source_file.name if source_file else None,
                digest,
                actor.id if actor else None,
                store.isotime(app.now()),
            ),
        )
    )
    db.execute(
        "INSERT INTO unit_change_context (change_id, effective) VALUES (?, ?)", (change_id, op.effective.isoformat())
    )
    try:
        yield change_id
    finally:
        db.execute("DELETE FROM unit_change_context")


def _check_placements_used(operations: Sequence[Operation], report: ReorganisationReport) -> None:
    """A placement that named nobody of any split unit is a mistake in the file (a typo, a person
    who has left): say so rather than ignore it. Checked only when the operations themselves passed."""
    if report.errors:
        return
    given = {p for op in operations for p in op.placements}
    for p in sorted(given - report.placed, key=lambda p: p.row):
        where = f" của “{p.source}”" if p.source else ""
        report.errors.append(
            RowError(0, f"phân công dòng {p.row} ({p.label()}): không có người này trong đơn vị được chia tách{where}")
        )


def _check_nobody_stranded(app: App, report: ReorganisationReport) -> None:
    """No person may be left in a unit that no longer exists."""
    for name, count in app.db.execute(
        "SELECT u.name, COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id "
        "WHERE u.valid_until IS NOT NULL GROUP BY u.id ORDER BY u.name"
    ):
        report.errors.append(RowError(0, f"{format_number(count)} người còn ở đơn vị đã thôi hoạt động “{name}”"))


class _Apply:
    """One operation against the current tree, inside the caller's transaction."""

    def __init__(self, db, op: Operation, change_id: int, report: ReorganisationReport) -> None:
        self.db, self.op, self.change_id, self.report = db, op, change_id, report
        self.index = UnitIndex(db)
        self.detail: dict[str, object] = {}

    def run(self) -> None:
        op = self.op
        sources = [resolve_in(self.index, s).id for s in op.sources]
        if len(set(sources)) != len(sources):
            raise UserError("một đơn vị được ghi hai lần trong cùng thao tác")
        for uid in sources:
            self._check_not_before_last_change(uid)
        getattr(self, "_" + op.kind)(sources)
        self.detail["sources"] = {uid: self.index.path(uid) for uid in sources}
        self.db.execute(
            "UPDATE unit_changes SET detail = ? WHERE id = ?",
            (json.dumps(self.detail, ensure_ascii=False), self.change_id),
        )

    # --- the operations ---------------------------------------------------------------------

    def _rename(self, sources: list[int]) -> None:
        (uid,) = self._one(sources)
        name = self._target_names(1)[0][-1]
        unit = self.index.units[uid]
        self._require_free_name(name, unit.parent_id, uid)
        self.db.execute("UPDATE units SET name = ?, name_key = ? WHERE id = ?", (name, fold(name), uid))
        self.report.units_changed += 1
        self.report.lines.append(f"Đổi tên “{self.index.path(uid)}” thành “{name}”.")
        self.detail["name"] = name

    def _move(self, sources: list[int]) -> None:
        (uid,) = self._one(sources)
        parent = self._existing(self._target_names(1)[0])
        if parent in self.index.subtree(uid):
            raise UserError(
                f"không thể chuyển “{self.index.path(uid)}” vào “{self.index.path(parent)}”: "
                "đơn vị sẽ nằm dưới chính nó (vòng lặp)"
            )
        self._require_free_name(self.index.units[uid].name, parent, uid)
        self.db.execute("UPDATE units SET parent_id = ? WHERE id = ?", (parent, uid))
        self.report.units_changed += 1
        self.report.lines.append(f"Chuyển “{self.index.path(uid)}” về trực thuộc “{self.index.path(parent)}”.")
        self.detail["parent"] = parent

    def _merge(self, sources: list[int]) -> None:
        if len(sources) < 2:
            raise UserError("hợp nhất cần ít nhất hai đơn vị cũ")
        names = self._target_names(1)[0]
        target = self._target(names, sources)
        for uid in sources:
            if uid != target:
                self._close(uid, target)
        self.detail["target"] = target

    def _split(self, sources: list[int]) -> None:
        (uid,) = self._one(sources)
        targets = self._target_names(2)
        ids = [self._target(names, sources) for names in targets]
        if len(set(ids)) != len(ids):
            raise UserError("các đơn vị mới khi chia tách phải khác nhau")
        path = self.index.path(uid)
        keys = {key: t for t in ids for key in unit_keys(self.index.path(t))}
        rest = target_named(self.op.rest, keys, path) if self.op.rest else None
        members = [
            Member(*r)
            for r in self.db.execute(
                "SELECT id, full_name, name_key, phone FROM people WHERE unit_id = ? ORDER BY name_key, id", (uid,)
            )
        ]
        chosen, used = place_members(members, self.op.placements, keys, path, unit_keys(path), rest)
        self.report.placed |= used
        going: dict[int, list[int]] = {t: [] for t in ids}
        for person, target in chosen.items():
            going[target].append(person)
        for target, people in going.items():
            if target != uid and people:
                self._move_people(people, target)
        self.report.lines.append(
            f"Các đơn vị mới tách từ “{path}”: "
            + "; ".join(f"“{self._path(t)}” ({format_number(len(going[t]))} người)" for t in ids)
            + "."
        )
        if uid not in ids:
            self._close(uid, ids[0])  # empty now; its sub-units go to the first new unit
        self.detail["targets"] = ids
        self.detail["placed"] = {str(t): len(people) for t, people in going.items()}

    def _move_people(self, people: list[int], into: int) -> None:
        """Move these people to ``into`` (in batches: a split unit may have thousands)."""
        for start in range(0, len(people), 500):
            batch = people[start : start + 500]
            self.db.execute(f"UPDATE people SET unit_id = ? WHERE id IN ({','.join('?' * len(batch))})", (into, *batch))
        self.report.people_moved += len(people)

    def _dissolve(self, sources: list[int]) -> None:
        (uid,) = self._one(sources)
        targets = self._target_names(0)
        into = self._existing(targets[0]) if targets else None
        self._close(uid, into)
        self.detail["into"] = into

    # --- steps --------------------------------------------------------------------------------

    def _close(self, uid: int, into: int | None) -> None:
        """End ``uid`` on the effective date; its people and sub-units go to ``into``."""
        path = self.index.path(uid)
        if into is not None and into in self.index.subtree(uid):
            raise UserError(
                f"“{self._path(into)}” nằm trong “{path}”: không thể nhận người và đơn vị của nó (vòng lặp)"
            )
        people = self.db.execute("SELECT COUNT(*) FROM people WHERE unit_id = ?", (uid,)).fetchone()[0]
        children = [c for c in self.index.units.values() if c.parent_id == uid]
        if into is None and (people or children):
            raise UserError(
                f"“{path}” còn {format_number(people)} người và {format_number(len(children))} đơn vị trực thuộc: hãy ghi đơn vị nhận "
                "(nếu không, họ sẽ không còn đơn vị)"
            )
        for child in children:
            self._require_free_name(child.name, into, child.id)
        effective = self.op.effective.isoformat()
        self.db.execute("UPDATE people SET unit_id = ? WHERE unit_id = ?", (into, uid))
        self.db.execute("UPDATE units SET parent_id = ? WHERE parent_id = ? AND valid_until IS NULL", (into, uid))
        self.db.execute("UPDATE units SET valid_until = ? WHERE id = ?", (effective, uid))
        self.db.execute("UPDATE units SET parent_id = NULL WHERE id = ?", (uid,))  # detached: its name is free again
        self.report.units_closed += 1
        self.report.units_changed += len(children)
        self.report.people_moved += people
        moved = f"{format_number(people)} người" + (
            f" và {format_number(len(children))} đơn vị trực thuộc" if children else ""
        )
        where = f" sang “{self._path(into)}”" if into is not None else ""
        self.report.lines.append(f"“{path}” thôi hoạt động từ {clock.format_date(self.op.effective)}; {moved}{where}.")

    def _target(self, names: list[str], sources: list[int]) -> int:
        """The unit named by ``names``: an existing one (maybe a source, which then continues), or a
        new one under the named parent, else under the first source's parent."""
        found = self.index.lookup(names)
        if found is not None:
            if found not in sources and any(found in self.index.subtree(s) for s in sources):
                raise UserError(f"“{self.index.path(found)}” nằm trong một đơn vị cũ (vòng lặp)")
            return found
        if len(names) == 1:
            # a bare name equal to a source's keeps that unit (Xã A + Xã B → Xã A)
            same = [s for s in sources if fold(self.index.units[s].name) == fold(names[0])]
            if same:
                return same[0]
            parent = self.index.units[sources[0]].parent_id
        else:
            parent = self._existing(names[:-1])
            if any(parent in self.index.subtree(s) for s in sources):
                raise UserError(f"đơn vị mới không thể nằm trong đơn vị cũ “{self.index.path(parent)}” (vòng lặp)")
        name = names[-1]
        self._require_free_name(name, parent, None)
        uid = store.new_id(
            self.db.execute(
                "INSERT INTO units (name, name_key, parent_id, valid_from) VALUES (?, ?, ?, ?)",
                (name, fold(name), parent, self.op.effective.isoformat()),
            )
        )
        self.index.add(Unit(uid, name, parent))
        self.report.units_created += 1
        self.report.lines.append(f"Lập đơn vị mới “{self.index.path(uid)}”.")
        return uid

    def _existing(self, names: list[str]) -> int:
        return resolve_in(self.index, " > ".join(names)).id

    def _path(self, uid: int | None) -> str:
        return self.index.path(uid) if uid is not None else ""

    def _one(self, sources: list[int]) -> list[int]:
        if len(sources) != 1:
            raise UserError(f"thao tác {OPERATIONS[self.op.kind]} áp dụng cho đúng một đơn vị")
        return sources

    def _target_names(self, least: int) -> list[list[str]]:
        names = [split_unit_path(t) for t in self.op.targets if split_unit_path(t)]
        if len(names) < least:
            needed = {1: "đơn vị mới", 2: "ít nhất hai đơn vị mới"}.get(least, "")
            raise UserError(f"thao tác {OPERATIONS[self.op.kind]} cần ghi {needed}")
        return names

    def _require_free_name(self, name: str, parent: int | None, uid: int | None) -> None:
        key = fold(name)
        for other in self.index.by_key.get(key, []):
            if other != uid and self.index.units[other].parent_id == parent:
                where = f" trong “{self.index.path(parent)}”" if parent is not None else ""
                raise UserError(f"đã có đơn vị “{self.index.units[other].name}”{where}")

    def _check_not_before_last_change(self, uid: int) -> None:
        (last,) = self.db.execute(
            "SELECT MAX(valid_from) FROM unit_versions WHERE unit_id = ? AND valid_until IS NULL", (uid,)
        ).fetchone()
        if last and last > self.op.effective.isoformat():
            raise UserError(
                f"“{self.index.path(uid)}” đã thay đổi từ ngày {clock.format_date(last)}, sau ngày hiệu lực "
                f"{clock.format_date(self.op.effective)}"
            )


# ---------------------------------------------------------------------------------- mapping file


def read_mapping(path: str | Path, default_date: date | None = None) -> tuple[list[Operation], list[RowError]]:
    """The operations of a mapping file, in file order, and its row errors.

    One row per (old unit, new unit): rows of one merge (same new unit, same date) become one
    operation, as do rows of one split (same old unit, same date).
    """
    table = read_table(require_file(path), MAPPING_COLUMNS)
    errors: list[RowError] = []
    # grouping key → (kind, sources, targets, date, rows); dicts keep the file's order
    groups: dict[tuple, tuple[str, list[str], list[str], date, list[int]]] = {}
    for row in table:
        v = row.values
        kind = _OPERATION_WORDS.get(word_key(v.get("operation", "")))
        problems = []
        if kind is None:
            problems.append(f"thao tác “{v.get('operation', '')}” không rõ (dùng: {', '.join(OPERATIONS.values())})")
        effective = default_date
        if v.get("effective"):
            try:
                effective = parse_date(v["effective"])
            except UserError as exc:
                problems.append(row_problem(exc))
        elif effective is None:
            problems.append("thiếu ngày hiệu lực")
        source, target = v["source"], v.get("target", "")
        if kind not in (None, "dissolve") and not target:
            problems.append("thiếu đơn vị mới")
        if problems or kind is None or effective is None:
            errors.extend(RowError(row.number, p) for p in problems)
            continue
        key: tuple = {
            "merge": ("merge", fold(target), effective),
            "split": ("split", fold(source), effective),
        }.get(kind, ("row", row.number))
        group = groups.setdefault(key, (kind, [], [], effective, []))
        if source not in group[1]:
            group[1].append(source)
        if target and target not in group[2]:
            group[2].append(target)
        group[4].append(row.number)
    operations = [
        Operation(kind, tuple(sources), tuple(targets), effective, tuple(rows))
        for kind, sources, targets, effective, rows in groups.values()
    ]
    return operations, errors


def parse_date(text: str) -> date:
    """ "2025-07-01" or "01/07/2025" (as Excel shows it) → a date; UserError otherwise."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Ngày “{text}” không hợp lệ (dùng dd/mm/yyyy hoặc YYYY-MM-DD).") from None


def apply_mapping(
    app: App,
    actor: Person | None,
    path: str | Path,
    dry_run: bool = False,
    default_date: date | None = None,
    people: str | Path | None = None,
) -> ReorganisationReport:
    """Check and apply a mapping file atomically (see :func:`read_mapping`); ``people`` is the
    placements file that says who goes to which new unit of its splits (see :mod:`placements`)."""
    path = require_file(path)
    operations, errors = read_mapping(path, default_date)
    if people is not None:
        placements, people_errors = read_placements(people)
        errors += [RowError(e.row, f"tệp phân công: {e.message}") for e in people_errors]
        operations = [replace(op, placements=tuple(placements)) if op.kind == "split" else op for op in operations]
    if errors:
        report = ReorganisationReport(dry_run=dry_run, errors=errors)
        audit.record(app, actor, "units.reorganise", False, file=path.name, errors=len(errors))
        return report
    return reorganise(app, actor, operations, dry_run=dry_run, source_file=path)
