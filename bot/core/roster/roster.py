"""The roster: the unit tree, the people in it, and the chat accounts linked to them.

Admins keep the roster in a spreadsheet, so the import is forgiving where spreadsheets vary (BOM,
headers in Vietnamese or English, phones typed as numbers, unit names with or without diacritics)
and strict where a mistake would corrupt the evidence (one phone belongs to one person; nothing is
imported from a file with errors unless asked). A person is identified by their phone when it is
known, else by name within their unit, which is what makes re-importing the same file a no-op.

A chat account is linked to a person by a one-time invite code, by a phone number the channel has
proven to be the sender's own, or by self-registration that an officer approves.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.errors import UserError
from bot.core.numbers import format_number
from bot.core.roster import audit
from bot.core.roster.tabular import (
    Column,
    ImportReport,
    RowError,
    TableRow,
    apply_unless_errors,
    file_sha256,
    read_table,
    require_file,
    row_problem,
    word_key,
)
from knowledge.text import fold, has_diacritics, nfc

ROLES = ("cadre", "officer", "admin")
ROLE_LABELS = {"cadre": "cán bộ", "officer": "cán bộ tuyên giáo", "admin": "quản trị viên"}
STATUS_LABELS = {"active": "đang hoạt động", "pending": "chờ duyệt", "inactive": "ngừng hoạt động"}
_ROLE_WORDS = {
    "cadre": "cadre",
    "can bo": "cadre",
    "dang vien": "cadre",
    "officer": "officer",
    "tuyen giao": "officer",
    "can bo tuyen giao": "officer",
    "admin": "admin",
    "quan tri": "admin",
    "quan tri vien": "admin",
    "administrator": "admin",
}
# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
UNIT_SEPARATOR = re.compile(r"\s*[>»]\s*")

ROSTER_COLUMNS = (
    Column("full_name", ("Họ và tên", "Full name", "Họ tên", "Tên", "Name", "Fullname"), required=True),
    Column("unit", ("Đơn vị", "Unit", "Đơn vị công tác", "Cơ quan", "Organisation", "Organization")),
    Column("parent_unit", ("Đơn vị cấp trên", "Parent unit", "Cấp trên", "Parent")),
    Column("position", ("Chức vụ", "Position", "Title", "Chức danh")),
    Column("phone", ("Số điện thoại", "Phone", "Điện thoại", "SĐT", "Phone number", "Mobile", "Di động")),
    Column("role", ("Vai trò", "Role")),
)


@dataclass
class RosterSettings:
    invite_length: int = 8


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    unit_id: int | None
    unit_name: str | None
    position: str | None
    phone: str | None
    role: str  # cadre / officer / admin
    status: str  # active / pending / inactive
    channel: str | None = None  # set when found through a chat account: where this person acts from

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Account:
    id: int
    channel: str
    external_id: str
    person_id: int
    display_name: str | None
    blocked: bool


@dataclass(frozen=True)
class Invite:
    person: Person
    code: str
    link: str | None  # Telegram deep link when [telegram] bot_username is configured


@dataclass
class RosterReport(ImportReport):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: int = 0

    def summary(self) -> str:
        done = f"{format_number(self.created)} người mới, {format_number(self.updated)} cập nhật, {format_number(self.unchanged)} không đổi"
        if self.units_created:
            done += f", {format_number(self.units_created)} đơn vị mới"
        return self._outcome(done)


# ---------------------------------------------------------------------------------------- values


def normalise_phone(text: str) -> str:
    """ "+84 912.345.678" / "84912345678" / "912345678" → "0912345678"; "" when blank.

    Raises UserError for something that is not a Vietnamese phone number. Nine digits without the
    leading 0 are accepted because Excel drops it when a phone is typed as a number.
    """
    digits = re.sub(r"[\s.\-()]", "", text or "")
    if not digits:
        return ""
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            raise UserError(f"Số điện thoại “{text}” không phải số Việt Nam.")
    if not digits.isdigit():
        raise UserError(f"Số điện thoại “{text}” không hợp lệ.")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    if not (digits.startswith("0") and len(digits) in (10, 11)):
        raise UserError(f"Số điện thoại “{text}” không hợp lệ.")
    return digits


def parse_role(text: str) -> str | None:
    """ "Cán bộ tuyên giáo" / "officer" → "officer"; None when unknown."""
    return _ROLE_WORDS.get(word_key(text))


def require_role(text: str) -> str:
    """The role code for ``text`` (see :func:`parse_role`), or a UserError listing the roles."""
    role = parse_role(text)
    if role is None:
        raise UserError(f"Vai trò “{text}” không hợp lệ (dùng: cán bộ, tuyên giáo hoặc quản trị).")
    return role


def _name(text: str) -> str:
    return " ".join(nfc(text).split())


# ----------------------------------------------------------------------------------------- units


# Folded unit names, remembered: a tree is loaded again after every change of a reorganisation and
# for every past day a report asks about, and the same ~1,000 names are folded each time.
_fold_name = lru_cache(maxsize=1 << 16)(fold)


class UnitIndex:
    """The unit tree in memory (≈ hundreds of rows), for resolving names typed by people.

    Names match without case or diacritics. A path "Huyện Thăng Bình > Xã Bình Dương" matches a unit
    whose nearest ancestors carry those names, so a commune name shared by two districts can be told
    apart; a single name must be unique.
    """

    def __init__(self, db, on: date | None = None) -> None:
        """The current tree, or with ``on`` the tree as it was on that day (see roster.sql)."""
        self.db = db
        self.units: dict[int, Unit] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.keys: dict[int, str] = {}  # unit id -> folded name: a province has ~100 "Chi bộ 1"
        self._found: dict[tuple[str, ...], list[int]] = {}  # lookup's answers until the tree changes
        self._children: dict[int | None, list[int]] | None = None  # for subtree, until the tree changes
        if on is None:
            rows = db.execute("SELECT id, name, parent_id FROM units WHERE valid_until IS NULL ORDER BY id")
        else:
            rows = db.execute(
                "SELECT unit_id, name, parent_id FROM unit_versions WHERE (valid_from IS NULL OR valid_from <= :d) "
                "AND (valid_until IS NULL OR valid_until > :d) ORDER BY unit_id",
                {"d": on.isoformat()},
            )
        for uid, name, parent in rows:
            self.add(Unit(uid, name, parent))
        self.created = 0

    def add(self, unit: Unit) -> None:
        """Take in a unit just inserted (cheaper than loading the tree again)."""
        self._found.clear()
        self._children = None
        self.units[unit.id] = unit
        self.keys[unit.id] = _fold_name(unit.name)
        self.by_key[self.keys[unit.id]].append(unit.id)

    def path(self, unit_id: int | None) -> str:
        """ "Huyện Thăng Bình > Xã Bình Dương" (root first)."""
        names = []
        while unit_id is not None and unit_id in self.units:
            names.append(self.units[unit_id].name)
            unit_id = self.units[unit_id].parent_id
        return " > ".join(reversed(names))

    def lookup(self, names: Sequence[str]) -> int | None:
        """The unit named by ``names`` (root-most first), None if absent; UserError if ambiguous."""
        found = self._found.get(tuple(names))
        if found is None:  # a roster names the same few hundred units on every row
            keys = [fold(_name(n)) for n in names]
            found = [uid for uid in self.by_key.get(keys[-1], []) if self._ancestors_match(uid, keys[:-1])]
            self._found[tuple(names)] = found
        if len(found) > 1:
            raise UserError(
                f"đơn vị “{' > '.join(names)}” trùng tên với {len(found)} đơn vị; hãy ghi đầy đủ "
                "dạng “Đơn vị cấp trên > Đơn vị”"
            )
        return found[0] if found else None

    def _ancestors_match(self, unit_id: int, keys: Sequence[str]) -> bool:
        parent = self.units[unit_id].parent_id
        for key in reversed(keys):
            if parent is None or self.keys[parent] != key:
                return False
            parent = self.units[parent].parent_id
        return True

    def ensure(self, names: Sequence[str]) -> int:
        """The unit named by ``names``, creating it and its missing ancestors.

        A unit first imported on its own (at the top) and later named under a parent is moved under
        that parent instead of being duplicated.
        """
        found = self.lookup(names)
        if found is not None:
            return found
        parent = self.ensure(names[:-1]) if len(names) > 1 else None
        name = _name(names[-1])
        orphans = [u for u in self.by_key.get(fold(name), []) if self.units[u].parent_id is None]
        if parent is not None and len(orphans) == 1 and orphans[0] != parent:
            uid = orphans[0]
            self.db.execute("UPDATE units SET parent_id = ? WHERE id = ?", (parent, uid))
            self.units[uid] = replace(self.units[uid], parent_id=parent)
            self._found.clear()
            self._children = None
            return uid
        uid = store.new_id(
            self.db.execute(
                "INSERT INTO units (name, name_key, parent_id) VALUES (?, ?, ?)", (name, fold(name), parent)
            )
        )
        self.add(Unit(uid, name, parent))
        self.created += 1
        return uid

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        if self._children is None:  # a reorganisation asks this for every unit it touches
            self._children = defaultdict(list)
            for unit in self.units.values():
                self._children[unit.parent_id].append(unit.id)
        children = self._children
        found, stack = set(), [unit_id]
        while stack:
            uid = stack.pop()
            found.add(uid)
            stack.extend(children[uid])
        return found

    def search(self, text: str, limit: int = 10) -> list[Unit]:
        """Units whose name contains every word of ``text`` (diacritic-insensitive)."""
        wanted = fold(_name(text)).split()
        hits = [u for u in self.units.values() if all(w in self.keys[u.id] for w in wanted)]
        return sorted(hits, key=lambda u: (len(u.name), u.name))[:limit]


def split_unit_path(text: str, parent: str = "") -> list[str]:
    """ "A > B" (and an optional separate parent column, itself maybe a path) → ["A", "B"]."""
    parts = [p for p in UNIT_SEPARATOR.split(_name(parent)) if p] if parent else []
    return parts + [p for p in UNIT_SEPARATOR.split(_name(text)) if p]


def resolve_unit(app: App, text: str | int, on: date | None = None) -> Unit:
    """A unit from an id, a name or a path; UserError (with suggestions) when unknown or ambiguous.
    With ``on``, in the tree of that day: a unit merged away since is found by its name then."""
    if on is None:
        return resolve_in(UnitIndex(app.db), text)
    return resolve_in(UnitIndex(app.db, on), text, f" trong cây đơn vị ngày {clock.format_date(on)}")


def resolve_in(index: UnitIndex, text: str | int, where: str = "") -> Unit:
    """:func:`resolve_unit` within a tree already loaded (many look-ups, or a past tree, which
    ``where`` names in the messages)."""
    if isinstance(text, int) or str(text).strip().isdigit():
        unit = index.units.get(int(text))
        if unit is None:
            raise UserError(f"Không có đơn vị số {text}{where}.")
        return unit
    names = split_unit_path(str(text))
    if not names:
        raise UserError("Chưa ghi tên đơn vị.")
    try:
        uid = index.lookup(names)
    except UserError as exc:
        raise UserError(exc.message[0].upper() + exc.message[1:] + ".") from None
    if uid is None:
        hints = index.search(names[-1], limit=5)
        hint = "" if not hints else " Có phải: " + "; ".join(index.path(u.id) for u in hints) + "?"
        raise UserError(f"Không tìm thấy đơn vị “{text}”{where}.{hint}")
    return index.units[uid]


def find_units(app: App, text: str, limit: int = 10) -> list[Unit]:
    """Units matching the words of ``text`` (for a channel offering choices at self-registration)."""
    return UnitIndex(app.db).search(text, limit)


def unit_paths(app: App) -> dict[int, str]:
    """Every unit's full path, for display."""
    index = UnitIndex(app.db)
    return {uid: index.path(uid) for uid in index.units}


def subunit_ids(app: App, unit_id: int) -> set[int]:
    """The unit and every unit below it."""
    return UnitIndex(app.db).subtree(unit_id)


# ---------------------------------------------------------------------------------------- people

# Selects the fields of Person (alias ``p``); callers append their JOINs, WHERE and ORDER BY.
PERSON_SQL = """
SELECT p.id, p.full_name, p.unit_id, u.name, p.position, p.phone, p.role, p.status
FROM people p LEFT JOIN units u ON u.id = p.unit_id
"""


def _person(row: Sequence, channel: str | None = None) -> Person:
    person = Person(*row)
    return replace(person, channel=channel) if channel else person


def get_person(app: App, person_id: int) -> Person | None:
    row = app.db.execute(PERSON_SQL + " WHERE p.id = ?", (person_id,)).fetchone()
    return _person(row) if row else None


def person_for(app: App, channel: str, external_id: str) -> Person | None:
    """The person behind a chat account (any status: channels check ``person.active``)."""
    row = app.db.execute(
        PERSON_SQL + " JOIN accounts a ON a.person_id = p.id WHERE a.channel = ? AND a.external_id = ?",
        (channel, str(external_id)),
    ).fetchone()
    return _person(row, channel) if row else None


def names_of(app: App, person_ids: Iterable[int]) -> dict[int, str]:
    """Full names by person id (for lists that show who did something)."""
    ids = sorted(set(person_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        found.update(app.db.execute(f"SELECT id, full_name FROM people WHERE id IN ({marks})", batch).fetchall())
    return found


def person_by_phone(app: App, phone: str) -> Person | None:
    """The roster person (not inactive) with this phone, typed in any usual form; None also for
    something that is not a phone number."""
    try:
        number = normalise_phone(phone)
    except UserError:
        return None
    row = app.db.execute(PERSON_SQL + " WHERE p.phone = ? AND p.status != 'inactive'", (number,)).fetchone()
    return _person(row) if row and number else None


def find_people(app: App, query: str, limit: int = 20) -> list[Person]:
    """People whose name contains every word of ``query`` (without diacritics), or whose phone
    contains its digits when the query is mostly digits."""
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) - 3:
        if digits.startswith("84") and len(digits) > 9:
            digits = "0" + digits[2:]
        sql, params = " WHERE p.phone LIKE ?", [f"%{digits}%"]
    else:
        words = fold(_name(query)).split()
        if not words:
            return []
        sql = " WHERE " + " AND ".join("p.name_key LIKE ?" for _ in words)
        params = [f"%{w}%" for w in words]
    rows = app.db.execute(PERSON_SQL + sql + " ORDER BY p.name_key LIMIT ?", [*params, limit])
    return [_person(r) for r in rows]


def list_people(app: App, unit: int | None = None, status: str | None = None) -> list[Person]:
    """People of a unit and its sub-units (all when ``unit`` is None), ordered by unit and name."""
    where: list[str] = []
    params: list[int | str] = []
    if unit is not None:
        ids = sorted(subunit_ids(app, unit))
        where.append(f"p.unit_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if status:
        where.append("p.status = ?")
        params.append(status)
    sql = PERSON_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY p.unit_id, p.name_key"
    return [_person(r) for r in app.db.execute(sql, params)]


# An active member of the roster. The roster is the people of the organisation's units: a person
# without a unit is an operator account (the web admin's password login, "Quản trị hệ thống"), not
# a cadre, so it is never in an audience or a roster total. Imports and registrations always set a unit.
MEMBER = "status = 'active' AND unit_id IS NOT NULL"


def member_counts(app: App) -> tuple[dict[str, int], int]:
    """Active roster members by role (every role present), and how many of them linked a chat."""
    found = dict(app.db.execute(f"SELECT role, COUNT(*) FROM people WHERE {MEMBER} GROUP BY role").fetchall())
    (linked,) = app.db.execute(
        f"SELECT COUNT(*) FROM people WHERE {MEMBER} AND id IN (SELECT person_id FROM accounts)"
    ).fetchone()
    return {role: found.get(role, 0) for role in ROLES}, linked


def audience_people(
    app: App, units: list[int] | None = None, include_subunits: bool = True, roles: list[str] | None = None
) -> list[int]:
    """The active people an audience covers now: of ``units`` (every unit when empty), with their
    sub-units or not, restricted to ``roles`` when given; ordered by unit and name.

    The one resolution shared by assignments and broadcasts, so "who must study" and "who is sent
    the message" never disagree. Only roster members count (see :data:`MEMBER`).
    """
    where = [MEMBER]
    params: list[int | str] = []
    if units:
        index = UnitIndex(app.db)
        missing = [u for u in units if u not in index.units]
        if missing:
            raise UserError(f"Không có đơn vị số {', '.join(map(str, missing))}.")
        ids = sorted({s for u in units for s in index.subtree(u)}) if include_subunits else sorted(set(units))
        where.append(f"unit_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if roles:
        where.append(f"role IN ({','.join('?' * len(roles))})")
        params.extend(roles)
    sql = f"SELECT id FROM people WHERE {' AND '.join(where)} ORDER BY unit_id, name_key, id"
    return [r[0] for r in app.db.execute(sql, params)]


def accounts_for(app: App, person_ids: Iterable[int]) -> list[Account]:
    """Every chat account of these people (a person may use several channels), blocked ones included
    (flagged) so a broadcaster can record them as unreachable instead of silently skipping."""
    ids = list(dict.fromkeys(person_ids))
    found: list[Account] = []
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        found.extend(
            Account(r[0], r[1], r[2], r[3], r[4], r[5] is not None)
            for r in app.db.execute(
                "SELECT id, channel, external_id, person_id, display_name, blocked_at FROM accounts "
                f"WHERE person_id IN ({','.join('?' * len(batch))}) ORDER BY person_id, id",
                batch,
            )
        )
    return found


# ---------------------------------------------------------------------------------------- import


@dataclass
class _RosterRow:
    number: int
    full_name: str
    unit_path: list[str]
    position: str
    phone: str
    role: str | None


def import_roster(
    app: App,
    actor: Person | None,
    path: str | Path,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RosterReport:
    """Create or update units and people from a CSV/XLSX roster (admin only).

    Every problem is reported with its spreadsheet row; unless ``skip_invalid``, a file with any
    error changes nothing. People absent from the file are left as they are. ``progress(rows
    done, valid rows)`` follows the writing (a province's roster is tens of thousands of rows).
    """
    path = require_file(path)
    audit.require(app, actor, "roster.import", audit.ADMINS, file=path.name, sha256=file_sha256(path))
    table = read_table(path, ROSTER_COLUMNS)
    report = RosterReport(rows=len(table))
    rows = _validate_roster_rows(table, report.errors)
    apply_unless_errors(app.db, report, skip_invalid, lambda: _apply_roster(app, rows, report, progress))
    return report


def _validate_roster_rows(table: list[TableRow], errors: list[RowError]) -> list[_RosterRow]:
    """Checks that need only the file: name, role, phone format and uniqueness, unit present."""
    valid: list[_RosterRow] = []
    phones: dict[str, int] = {}
    for row in table:
        v = row.values
        problems = []
        name = v.get("full_name", "")  # read_table already NFC'd and collapsed the spaces
        if not name:
            problems.append("thiếu họ và tên")
        role = None
        if v.get("role"):
            try:
                role = require_role(v["role"])
            except UserError as exc:
                problems.append(row_problem(exc))
        phone = ""
        try:
            phone = normalise_phone(v.get("phone", ""))
        except UserError as exc:
            problems.append(row_problem(exc))
        if phone:
            if phone in phones:
                problems.append(f"số điện thoại {phone} trùng với dòng {phones[phone]}")
            else:
                phones[phone] = row.number
        unit_path = split_unit_path(v.get("unit", ""), v.get("parent_unit", ""))
        if not v.get("unit"):
            problems.append("thiếu đơn vị")
        errors.extend(RowError(row.number, p) for p in problems)
        if not problems:
            valid.append(_RosterRow(row.number, name, unit_path, v.get("position", ""), phone, role))
    return valid


def _apply_roster(
    app: App, rows: list[_RosterRow], report: RosterReport, progress: Callable[[int, int], None] | None
) -> None:
    """Checks that need the database (unit ambiguity, phone owned by someone else), then writes."""
    db = app.db
    units = UnitIndex(db)
    by_phone: dict[str, list] = {}
    by_name: dict[tuple[int | None, str], list[list]] = defaultdict(list)
    for rec in db.execute("SELECT id, full_name, name_key, unit_id, position, phone, role, status FROM people"):
        known = list(rec)
        if known[5]:
            by_phone[known[5]] = known
        by_name[(known[3], known[2])].append(known)
    now = store.isotime(app.now())
    for done, row in enumerate(rows, 1):
        if progress:
            progress(done, len(rows))
        try:
            unit_id = units.lookup(row.unit_path)
        except UserError as exc:
            report.errors.append(RowError(row.number, exc.message))
            continue
        key = fold(row.full_name)
        person = by_phone.get(row.phone) if row.phone else None
        if person is not None and person[2] != key and (person[3] != unit_id or by_name[(unit_id, key)]):
            # a different name is a spelling fix only within the same unit and with no namesake there
            report.errors.append(
                RowError(
                    row.number,
                    f"số điện thoại {row.phone} đã thuộc về {person[1]} ({units.path(person[3])})",
                )
            )
            continue
        if person is None and unit_id is not None:
            namesakes = [p for p in by_name[(unit_id, key)] if not p[5] or not row.phone]
            if len(namesakes) > 1:
                report.errors.append(
                    RowError(
                        row.number, f"có {len(namesakes)} người tên {row.full_name} trong đơn vị; hãy ghi số điện thoại"
                    )
                )
                continue
            person = namesakes[0] if namesakes else None
        if unit_id is None:
            unit_id = units.ensure(row.unit_path)
        if person is None:
            pid = store.new_id(
                db.execute(
                    "INSERT INTO people (full_name, name_key, unit_id, position, phone, role, status, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
                    (row.full_name, key, unit_id, row.position or None, row.phone or None, row.role or "cadre", now),
                )
            )
            person = [
                pid,
                row.full_name,
                key,
                unit_id,
                row.position or None,
                row.phone or None,
                row.role or "cadre",
                "active",
            ]
            report.created += 1
        else:
            # "ngo thi phuong" matches "Ngô Thị Phương" but must not erase its diacritics
            name = row.full_name if has_diacritics(row.full_name) or key != person[2] else person[1]
            wanted = [
                person[0],
                name,
                key,
                unit_id,
                row.position or person[4],
                row.phone or person[5],
                row.role or person[6],
                "active",
            ]
            if wanted == person:
                report.unchanged += 1
            else:
                db.execute(
                    "UPDATE people SET full_name = ?, name_key = ?, unit_id = ?, position = ?, phone = ?, "
                    "role = ?, status = ? WHERE id = ?",
                    (*wanted[1:], person[0]),
                )
                by_name[(person[3], person[2])].remove(person)
                person[:] = wanted
                report.updated += 1
        if person[5]:
            by_phone[person[5]] = person
        if person not in by_name[(person[3], person[2])]:
            by_name[(person[3], person[2])].append(person)
    report.units_created = units.created


# --------------------------------------------------------------------------------------- linking


def _settings(app: App) -> RosterSettings:
    return app.config.section("roster", RosterSettings)


def _new_code(length: int, taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(length))
        # letters AND digits, so a code typed alone is recognised (registration.looks_like_code)
        if code not in taken and not code.isalpha() and not code.isdigit():
            taken.add(code)
            return code


def invite_link(app: App, code: str) -> str | None:
    """The Telegram deep link that starts the bot with this code (None without a bot username)."""
    username = str(app.config.raw.get("telegram", {}).get("bot_username", "")).lstrip("@")
    return f"https://t.me/{username}?start={code}" if username else None


def invites(app: App, unit: int | None = None, *, actor: Person | None = None) -> list[Invite]:
    """Invite codes for every active person (of ``unit`` and below) with no linked account yet,
    creating the missing ones. Admin only (codes let anyone act as that person)."""
    audit.require(app, actor, "roster.invites", audit.ADMINS, unit=unit)
    length = _settings(app).invite_length
    codes = {
        r[0]: (r[1], r[2])
        for r in app.db.execute(
            "SELECT id, invite_code, invite_used_at FROM people p "
            "WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)"
        )
    }
    taken = {r[0] for r in app.db.execute("SELECT invite_code FROM people WHERE invite_code IS NOT NULL")}
    result = []
    # IMMEDIATE: it reads, then writes; a deferred transaction could not take the write lock once
    # another connection (the server's sender, a second admin) had written meanwhile
    with store.transaction(app.db, immediate=True):
        for person in list_people(app, unit, status="active"):
            if person.id not in codes:
                continue  # already linked
            code, used = codes[person.id]
            if code is None or used is not None:
                code = _new_code(length, taken)
                app.db.execute(
                    "UPDATE people SET invite_code = ?, invite_used_at = NULL WHERE id = ?", (code, person.id)
                )
            result.append(Invite(person, code, invite_link(app, code)))
    return result


def _link(app: App, channel: str, external_id: str, person_id: int, display_name: str) -> None:
    app.db.execute(
        "INSERT INTO accounts (channel, external_id, person_id, display_name, linked_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (channel, external_id) DO UPDATE SET person_id = excluded.person_id, "
        "display_name = excluded.display_name, linked_at = excluded.linked_at, blocked_at = NULL",
        (channel, str(external_id), person_id, display_name or None, store.isotime(app.now())),
    )


def set_blocked(app: App, channel: str, external_id: str, blocked: bool) -> None:
    """Record that a chat account blocked the bot (an unfollow, a send refused as blocked) or is
    back (it wrote again). Broadcasts record blocked accounts as unreachable instead of trying them."""
    if blocked:
        app.db.execute(
            "UPDATE accounts SET blocked_at = ? WHERE channel = ? AND external_id = ?",
            (store.isotime(app.now()), channel, external_id),
        )
    else:
        app.db.execute(
            "UPDATE accounts SET blocked_at = NULL WHERE channel = ? AND external_id = ? AND blocked_at IS NOT NULL",
            (channel, external_id),
        )


def add_operator(app: App, channel: str, external_id: str, full_name: str, display_name: str) -> int:
    """A person without a unit (an operator: never part of an audience or a total) acting from
    this chat account, with the admin role; returns the person's id."""
    now = store.isotime(app.now())
    with store.transaction(app.db, immediate=True):
        person_id = store.new_id(
            app.db.execute(
                "INSERT INTO people (full_name, name_key, role, status, created_at) VALUES (?, ?, 'admin', 'active', ?)",
                (full_name, fold(full_name), now),
            )
        )
        _link(app, channel, external_id, person_id, display_name)
    return person_id


def link_by_invite(app: App, channel: str, external_id: str, code: str, display_name: str = "") -> Person:
    """Link the account to the person holding ``code`` and use the code up.

    Pressing the same deep link twice is harmless (the account is already that person's); anyone
    else presenting a used code is refused, because it may have been forwarded.
    """
    code = re.sub(r"[\s-]", "", code or "").upper()
    with store.transaction(app.db, immediate=True):
        row = app.db.execute("SELECT id, invite_used_at, status FROM people WHERE invite_code = ?", (code,)).fetchone()
        if row is None:
            raise UserError(
                f"Mã mời “{code}” không đúng. Hãy kiểm tra lại, hoặc liên hệ cán bộ tuyên giáo để được cấp mã."
            )
        person_id, used_at, status = row
        if used_at is not None:
            mine = app.db.execute(
                "SELECT 1 FROM accounts WHERE channel = ? AND external_id = ? AND person_id = ?",
                (channel, str(external_id), person_id),
            ).fetchone()
            if mine:
                return person_for(app, channel, external_id)  # type: ignore[return-value]
            raise UserError(
                f"Mã mời này đã được sử dụng lúc {clock.format_spoken(used_at)}. Nếu không phải đồng chí đã dùng, "
                "hãy báo ngay cho cán bộ tuyên giáo để được cấp mã mới."
            )
        if status == "inactive":
            raise UserError("Tên của đồng chí trong danh sách đã ngừng hoạt động. Hãy liên hệ cán bộ tuyên giáo.")
        _link(app, channel, external_id, person_id, display_name)
        app.db.execute("UPDATE people SET invite_used_at = ? WHERE id = ?", (store.isotime(app.now()), person_id))
    return person_for(app, channel, external_id)  # type: ignore[return-value]


def link_by_phone(app: App, channel: str, external_id: str, phone: str, display_name: str = "") -> Person:
    """Link the account to the roster person with this phone. The CHANNEL must have proven that the
    number is the sender's own (e.g. a Telegram contact whose user_id is the sender)."""
    number = normalise_phone(phone)  # a malformed number is told as such
    found = person_by_phone(app, number) if number else None
    if found is None:
        raise UserError(
            f"Số điện thoại {number or phone} chưa có trong danh sách cán bộ. Đồng chí có thể đăng ký "
            "bằng họ tên và đơn vị để cán bộ tuyên giáo duyệt, hoặc liên hệ cán bộ tuyên giáo."
        )
    _link(app, channel, external_id, found.id, display_name)
    return person_for(app, channel, external_id)  # type: ignore[return-value]


def self_register(
    app: App, channel: str, external_id: str, full_name: str, unit: str | int, display_name: str = ""
) -> Person:
    """Create a *pending* person for an account the roster does not know; an officer approves.

    Registering again while still pending corrects the same request instead of adding another.
    """
    name = _name(full_name)
    if len(name) < 2:
        raise UserError("Hãy ghi đầy đủ họ và tên.")
    unit_id = resolve_unit(app, unit).id
    current = person_for(app, channel, external_id)
    if current is not None and current.active:
        raise UserError(f"Tài khoản này đã liên kết với {current.full_name} ({current.unit_name}).")
    now = store.isotime(app.now())
    with store.transaction(app.db):
        if current is not None and current.status == "pending":
            app.db.execute(
                "UPDATE people SET full_name = ?, name_key = ?, unit_id = ? WHERE id = ?",
                (name, fold(name), unit_id, current.id),
            )
            person_id = current.id
        else:
            person_id = store.new_id(
                app.db.execute(
                    "INSERT INTO people (full_name, name_key, unit_id, role, status, created_at) "
                    "VALUES (?, ?, ?, 'cadre', 'pending', ?)",
                    (name, fold(name), unit_id, now),
                )
            )
        _link(app, channel, external_id, person_id, display_name)
    return person_for(app, channel, external_id)  # type: ignore[return-value]


def pending_people(app: App) -> list[Person]:
    """Self-registrations waiting for an officer."""
    return list_people(app, status="pending")


def _set_status(app: App, actor: Person | None, person_id: int, action: str, status: str) -> Person:
    audit.require(app, actor, action, audit.OFFICERS, person_id=person_id)
    person = get_person(app, person_id)
    if person is None or person.status != "pending":
        raise UserError("Không có yêu cầu đăng ký này (có thể đã được xử lý).")
    app.db.execute("UPDATE people SET status = ? WHERE id = ?", (status, person_id))
    return replace(person, status=status)


def approve(app: App, actor: Person | None, person_id: int) -> Person:
    """Accept a self-registration (officer or admin)."""
    return _set_status(app, actor, person_id, "roster.approve", "active")


def reject(app: App, actor: Person | None, person_id: int) -> Person:
    """Refuse a self-registration (officer or admin); the account may register again."""
    return _set_status(app, actor, person_id, "roster.reject", "inactive")


def set_role(app: App, actor: Person | None, person_id: int, role: str) -> Person:
    """Grant or remove the officer/admin role (admin only). The last admin cannot be demoted, so the
    roster can never lock everyone out of the admin functions."""
    audit.require(app, actor, "roster.role", audit.ADMINS, person_id=person_id, role=role)
    wanted = require_role(role)
    person = get_person(app, person_id)
    if person is None:
        raise UserError("Không tìm thấy người này trong danh sách.")
    if person.role == "admin" and wanted != "admin":
        admins = app.db.execute("SELECT COUNT(*) FROM people WHERE role = 'admin' AND status = 'active'").fetchone()[0]
        if admins <= 1:
            raise UserError("Không thể bỏ vai trò của quản trị viên cuối cùng.")
    app.db.execute("UPDATE people SET role = ? WHERE id = ?", (wanted, person_id))
    return replace(person, role=wanted)
