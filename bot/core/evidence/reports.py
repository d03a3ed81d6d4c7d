"""Completion reports: per unit, for one assignment, rolled up through the unit tree.

The counting is one SQL aggregation per assignment (members × their confirmation, grouped by
unit); only the roll-up over the few hundred units happens in Python, so a 70,000-person roster
reports in well under a second. "On time" means confirmed before the due day ended in Vietnam.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from bot.app import App
from bot.core import clock
from bot.core.errors import UserError
from bot.core.evidence.assignments import Assignment, require_assignment
from bot.core.numbers import format_number, format_percent
from bot.core.roster import audit
from bot.core.roster.history import MEMBERSHIP_ON_SQL
from bot.core.roster.roster import PERSON_SQL, Person, UnitIndex, subunit_ids

NO_UNIT = "(Chưa có đơn vị)"


@dataclass
class UnitProgress:
    unit_id: int | None
    name: str
    depth: int  # 0 for the top of the report
    assigned: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def confirmed(self) -> int:
        return self.on_time + self.late

    @property
    def not_yet(self) -> int:
        return self.assigned - self.confirmed

    @property
    def percent(self) -> float:
        """Completion: the share of assigned people who confirmed (late ones count as done)."""
        return round(100 * self.confirmed / self.assigned, 1) if self.assigned else 0.0

    def add(self, other: UnitProgress) -> None:
        self.assigned += other.assigned
        self.on_time += other.on_time
        self.late += other.late


@dataclass
class Progress:
    assignment: Assignment
    units: list[UnitProgress]  # tree order (parent before children), each with its sub-units
    total: UnitProgress

    def lines(self, max_depth: int | None = None) -> list[str]:
        """Short text lines for a chat reply: "Huyện Thăng Bình: 45/60 (75 %), trễ hạn 3, chưa xác nhận 15"."""
        rows = [u for u in self.units if max_depth is None or u.depth <= max_depth]
        return [
            f"{'  ' * u.depth}{u.name}: {format_number(u.confirmed)}/{format_number(u.assigned)} "
            f"({format_percent(u.percent)})"
            + (f", trễ hạn {format_number(u.late)}" if u.late else "")
            + (f", chưa xác nhận {format_number(u.not_yet)}" if u.not_yet else "")
            for u in rows
        ]


def ack_period(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """The stored-time bounds [from, to) of confirmations made from ``since`` to ``until`` (Vietnam
    dates, inclusive; None: open). The export's detail and its summary count by the same bounds."""
    return (
        clock.day_end_utc(since - timedelta(days=1)) if since is not None else None,
        clock.day_end_utc(until) if until is not None else None,
    )


def progress(
    app: App, actor: Person | None, assignment_id: int, unit_id: int | None = None, on: date | None = None
) -> Progress:
    """Assigned / on time / late / not yet / completion per unit (officer or admin); ``on``: by the
    unit tree of that day instead of today's."""
    audit.require(app, actor, "progress", audit.OFFICERS, assignment_id=assignment_id, unit_id=unit_id, on=on)
    return compute_progress(app, require_assignment(app, assignment_id), unit_id, on)


def compute_progress(
    app: App,
    assignment: Assignment,
    unit_id: int | None = None,
    on: date | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Progress:
    """The report without the permission check (for callers that already checked, e.g. exports).

    By today's unit tree, or with ``on`` by the tree and the memberships of that day: people who
    were in no unit then (they joined later) are the "no unit" row. With ``since``/``until`` only
    confirmations made in that period count (an export of a period); the others are "not yet"."""
    start, end = ack_period(since, until)
    direct: dict[int | None, UnitProgress] = {}
    cutoff = clock.day_end_utc(assignment.due_date)
    index = UnitIndex(app.db, on)
    # each member counts in their unit today, or with ``on`` in the unit they belonged to that day
    unit_of = "p.unit_id" if on is None else f"({MEMBERSHIP_ON_SQL.format(person='m.person_id', day=':on')})"
    members, scope = "assignment_members m JOIN people p ON p.id = m.person_id", ""
    if unit_id is not None and on is None and unit_id in index.units:
        # one unit's drill-down starts from its own people (an index range), not from the whole
        # province's members (CROSS JOIN keeps SQLite's planner to that order)
        members = "people p CROSS JOIN assignment_members m ON m.person_id = p.id"
        scope = f"AND p.unit_id IN ({','.join(str(u) for u in sorted(index.subtree(unit_id)))})"
    for unit, assigned, on_time, late in app.db.execute(
        f"""
        SELECT {unit_of} AS unit, COUNT(*),
               COALESCE(SUM(k.acked_at < :cutoff), 0),
               COALESCE(SUM(k.acked_at >= :cutoff), 0)
        FROM {members}
        LEFT JOIN acks k ON k.person_id = m.person_id AND k.document_id = :doc AND k.version = :version
                        AND (:start IS NULL OR k.acked_at >= :start) AND (:end IS NULL OR k.acked_at < :end)
        WHERE m.assignment_id = :aid {scope}
        GROUP BY unit
        """,
        {
            "cutoff": cutoff,
            "doc": assignment.document.id,
            "version": assignment.version,
            "aid": assignment.id,
            "on": on.isoformat() if on else None,
            "start": start,
            "end": end,
        },
    ):
        direct[unit] = UnitProgress(unit, "", 0, assigned, on_time, late)
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit in index.units.values():
        children[unit.parent_id].append(unit.id)
    rows: list[UnitProgress] = []

    def visit(uid: int, depth: int) -> UnitProgress:
        row = UnitProgress(uid, index.units[uid].name, depth)
        position = len(rows)
        rows.append(row)
        if uid in direct:
            row.add(direct[uid])
        for child in sorted(children[uid]):
            row.add(visit(child, depth + 1))
        if not row.assigned:
            del rows[position:]  # nobody assigned in this branch: leave it out
        return row

    if unit_id is not None and unit_id not in index.units:
        when = f"ngày {clock.format_date(on)}" if on else "hiện nay"
        raise UserError(f"Đơn vị số {unit_id} không có trong cây đơn vị {when}.")
    roots = [unit_id] if unit_id is not None else sorted(children[None])
    total = UnitProgress(unit_id, index.units[unit_id].name if unit_id is not None else "Tổng cộng", 0)
    for root in roots:
        if root in index.units:
            total.add(visit(root, 0))
    if unit_id is None and None in direct:
        rows.append(UnitProgress(None, NO_UNIT, 0, direct[None].assigned, direct[None].on_time, direct[None].late))
        total.add(direct[None])
    return Progress(assignment, rows, total)


def totals(app: App, assignment: Assignment) -> UnitProgress:
    """An assignment's totals alone (the dashboard lists every assignment's): ``compute_progress(...)
    .total`` without grouping anyone by unit. The totals are the same by any day's tree, since each
    member counts once whatever their unit; a province's 100,000 members are counted from the
    confirmations of the document (an index range) instead of looking each member up."""
    assigned, on_time, late = app.db.execute(
        """
        SELECT (SELECT COUNT(*) FROM assignment_members WHERE assignment_id = :aid),
               COALESCE(SUM(k.acked_at < :cutoff), 0), COALESCE(SUM(k.acked_at >= :cutoff), 0)
        FROM acks k
        WHERE k.document_id = :doc AND k.version = :version
          AND EXISTS (SELECT 1 FROM assignment_members m WHERE m.assignment_id = :aid AND m.person_id = k.person_id)
        """,
        {
            "aid": assignment.id,
            "cutoff": clock.day_end_utc(assignment.due_date),
            "doc": assignment.document.id,
            "version": assignment.version,
        },
    ).fetchone()
    return UnitProgress(None, "Tổng cộng", 0, assigned, on_time, late)


def not_confirmed(
    app: App, actor: Person | None, assignment_id: int, unit_id: int | None = None, limit: int | None = None
) -> list[Person]:
    """The people of the assignment (in ``unit_id`` and below) who have not confirmed yet, by unit
    and name (officer or admin)."""
    audit.require(
        app, actor, "progress", audit.OFFICERS, assignment_id=assignment_id, unit_id=unit_id, list="not_confirmed"
    )
    assignment = require_assignment(app, assignment_id)
    sql = (
        PERSON_SQL
        + """
        JOIN assignment_members m ON m.person_id = p.id
        WHERE m.assignment_id = ? AND NOT EXISTS (
            SELECT 1 FROM acks k WHERE k.person_id = m.person_id AND k.document_id = ? AND k.version = ?)
    """
    )
    params: list = [assignment.id, assignment.document.id, assignment.version]
    if unit_id is not None:
        ids = sorted(subunit_ids(app, unit_id))
        sql += f" AND p.unit_id IN ({','.join('?' * len(ids))})"
        params.extend(ids)
    sql += " ORDER BY p.unit_id, p.name_key"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Person(*r) for r in app.db.execute(sql, params)]
