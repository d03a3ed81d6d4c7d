"""Reading the history of units and memberships (written by the triggers of the "units-history"
migration, see bot/schema/units_history.sql): the tree on a date, who was where, what changed.

Dates are local ISO dates; a period is [valid_from, valid_until), NULL meaning "since before the
records" / "still". Writing the history is not done here: every write to ``units`` and ``people``
records itself, and reorganisations live in :mod:`bot.core.roster.reorganise`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from bot.app import App
from bot.core import clock
from bot.core.roster.roster import UnitIndex

# The unit a person ({person}: an SQL expression) belonged to on a day ({day}: an SQL expression
# giving an ISO date); NULL when in none.
MEMBERSHIP_ON_SQL = (
    "SELECT ms.unit_id FROM memberships ms WHERE ms.person_id = {person} "
    "AND (ms.valid_from IS NULL OR ms.valid_from <= {day}) AND (ms.valid_until IS NULL OR ms.valid_until > {day}) "
    "ORDER BY ms.id DESC LIMIT 1"
)
# The unit an acknowledgement (alias ``k``) was made in: recorded on the row since the migration,
# read from the memberships of its (Vietnam) day for rows made before.
ACK_UNIT_SQL = "COALESCE(k.unit_id, ({}))".format(
    MEMBERSHIP_ON_SQL.format(person="k.person_id", day="date(k.acked_at, '+7 hours')")
)


@dataclass(frozen=True)
class UnitVersion:
    name: str
    parent: str  # the parent's path on the first day of the period ("" at the top)
    valid_from: str | None
    valid_until: str | None
    operation: str | None  # the reorganisation that started this period (None: an ordinary edit)

    @property
    def period(self) -> str:
        """ "01/07/2025 – nay" / "trước ghi nhận – 30/06/2025"."""
        start = clock.format_date(self.valid_from) if self.valid_from else "trước khi ghi nhận"
        end = clock.format_date(date.fromisoformat(self.valid_until) - timedelta(days=1)) if self.valid_until else "nay"
        return f"{start} – {end}"


@dataclass(frozen=True)
class UnitRow:
    id: int
    path: str  # today's path, or for a closed unit its last one
    valid_from: str | None
    valid_until: str | None
    people: int  # members today (0 for a closed unit)
    changes: int  # periods recorded beyond the first

    @property
    def closed(self) -> bool:
        return self.valid_until is not None


def last_paths(app: App) -> dict[int, str]:
    """Every unit's path: today's, or for a unit that no longer exists the path of its last day
    followed by "(đến dd/mm/yyyy)". For evidence that names units which have since been merged."""
    index = UnitIndex(app.db)
    paths = {uid: index.path(uid) for uid in index.units}
    closed: dict[str, list[int]] = {}
    for uid, until in app.db.execute("SELECT id, valid_until FROM units WHERE valid_until IS NOT NULL"):
        closed.setdefault(until, []).append(uid)
    for until, ids in closed.items():
        last_day = date.fromisoformat(until) - timedelta(days=1)
        then = UnitIndex(app.db, on=last_day)
        for uid in ids:
            paths[uid] = f"{then.path(uid)} (đến {clock.format_date(last_day)})"
    return paths


def list_units(app: App, include_closed: bool = True) -> list[UnitRow]:
    """Every unit with its dates, members and number of changes, in path order."""
    paths = last_paths(app)
    rows = []
    for uid, valid_from, valid_until, people, versions in app.db.execute(
        """
        SELECT u.id, u.valid_from, u.valid_until,
               (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id),
               (SELECT COUNT(*) FROM unit_versions v WHERE v.unit_id = u.id
                  AND (v.valid_until IS NULL OR v.valid_from IS NULL OR v.valid_until > v.valid_from))
        FROM units u
        """
    ):
        if include_closed or valid_until is None:
            rows.append(UnitRow(uid, paths.get(uid, ""), valid_from, valid_until, people, max(versions - 1, 0)))
    return sorted(rows, key=lambda r: (r.closed, r.path))


def unit_history(app: App, unit_id: int) -> list[UnitVersion]:
    """The periods of one unit, oldest first (same-day corrections left out)."""
    found = []
    for name, parent, valid_from, valid_until, operation in app.db.execute(
        """
        SELECT v.name, v.parent_id, v.valid_from, v.valid_until, c.operation
        FROM unit_versions v LEFT JOIN unit_changes c ON c.id = v.change_id
        WHERE v.unit_id = ? AND (v.valid_until IS NULL OR v.valid_from IS NULL OR v.valid_until > v.valid_from)
        ORDER BY v.id
        """,
        (unit_id,),
    ):
        day = date.fromisoformat(valid_from) if valid_from else None
        parent_path = UnitIndex(app.db, on=day).path(parent) if parent is not None and day else ""
        if parent is not None and not parent_path:
            parent_path = last_paths(app).get(parent, "")
        found.append(UnitVersion(name, parent_path, valid_from, valid_until, operation))
    return found


@dataclass(frozen=True)
class Change:
    id: int
    operation: str
    effective: str
    detail: dict
    source_file: str | None
    applied_at: str


def recent_changes(app: App, limit: int = 50) -> list[Change]:
    """The latest reorganisations, newest first."""
    return [
        Change(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5])
        for r in app.db.execute(
            "SELECT id, operation, effective, detail, source_file, applied_at FROM unit_changes "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    ]
