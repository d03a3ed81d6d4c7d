"""Who goes where when a unit is split: a list of (person → new unit) placements.

A split cannot guess which of its new units each member belongs to, so an organisation office
writes it down: a spreadsheet (Họ và tên or Số điện thoại, Đơn vị mới; optionally Đơn vị cũ when one
file serves several splits) or, on the admin page, lines pasted from Excel ("Họ tên<TAB>Đơn vị
mới", or separated by ";"). Optionally a rule — every member not listed goes to one named new unit.
Anyone left unplaced blocks the split, and is named in the message, dry run included.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import UserError
from bot.core.numbers import format_number
from bot.core.roster.roster import normalise_phone, split_unit_path
from bot.core.roster.tabular import Column, RowError, read_table, require_file, row_problem
from knowledge.text import fold, nfc

PLACEMENT_COLUMNS = (
    Column("person", ("Họ và tên", "Full name", "Họ tên", "Tên", "Name")),
    Column("phone", ("Số điện thoại", "Phone", "Điện thoại", "SĐT")),
    Column("source", ("Đơn vị cũ", "Old unit", "Từ đơn vị")),
    Column("target", ("Đơn vị mới", "New unit", "Sang đơn vị", "Đơn vị nhận"), required=True),
)
NAMES_SHOWN = 20  # unplaced people named in a message before "và N người khác"
_LINE_SEPARATOR = re.compile(r"\t|;")


@dataclass(frozen=True)
class Placement:
    """One person of a split unit (named, or by phone) and the new unit they go to."""

    person: str  # full name as typed ("" when only the phone is given)
    phone: str  # normalised, "" when not given
    target: str  # one of the split's new units: its name or path
    source: str = ""  # the split unit, when a file covers several splits
    row: int = 0  # the file row or form line it came from

    def label(self) -> str:
        return self.person or self.phone


@dataclass(frozen=True)
class Member:
    id: int
    full_name: str
    name_key: str
    phone: str | None


def read_placements(path: str | Path) -> tuple[list[Placement], list[RowError]]:
    """The placements of a spreadsheet, and its row errors (no person, bad phone, no new unit)."""
    placements: list[Placement] = []
    errors: list[RowError] = []
    for row in read_table(require_file(path), PLACEMENT_COLUMNS):
        v = row.values
        try:
            placements.append(
                _placement(v.get("person", ""), v.get("phone", ""), v["target"], v.get("source", ""), row.number)
            )
        except UserError as exc:
            errors.append(RowError(row.number, row_problem(exc)))
    return placements, errors


def parse_placement_lines(text: str) -> list[Placement]:
    """Lines "Họ tên hoặc số điện thoại<TAB or ;>Đơn vị mới" (two columns pasted from Excel)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in _LINE_SEPARATOR.split(line)]
        if len(parts) != 2 or not all(parts):
            raise UserError(
                f"Dòng phân công {number} “{line.strip()}”: hãy ghi “Họ tên hoặc số điện thoại; Đơn vị mới”."
            )
        person, phone = ("", parts[0]) if _looks_like_phone(parts[0]) else (parts[0], "")
        try:
            found.append(_placement(person, phone, parts[1], "", number))
        except UserError as exc:
            raise UserError(f"Dòng phân công {number}: {exc.message}") from None
    return found


def _placement(person: str, phone: str, target: str, source: str, row: int) -> Placement:
    number = normalise_phone(phone) if phone else ""  # UserError for a malformed number
    if not person and not number:
        raise UserError("thiếu họ và tên hoặc số điện thoại")
    if not split_unit_path(target):
        raise UserError("thiếu đơn vị mới")
    return Placement(" ".join(nfc(person).split()), number, target, source, row)


def _looks_like_phone(text: str) -> bool:
    digits = re.sub(r"[\s.\-()+]", "", text)
    return digits.isdigit() and len(digits) >= 9


def unit_keys(path: str) -> set[str]:
    """How a placement may name a unit of this path: any tail of it, folded ("Xã B", "Huyện A > Xã B", ...)."""
    names = [fold(n) for n in split_unit_path(path)]
    return {" > ".join(names[i:]) for i in range(len(names))}


def _named_keys(text: str) -> list[str]:
    """The key a placement's typed unit is looked up by (its folded path as typed)."""
    names = split_unit_path(text)
    return [" > ".join(fold(n) for n in names)] if names else []


def target_named(text: str, targets: dict[str, int], unit_path: str, where: str = "") -> int:
    """The new unit ``text`` names among ``targets`` (see :func:`place_members`); UserError if none."""
    found = next((targets[k] for k in _named_keys(text) if k in targets), None)
    if found is None:
        raise UserError(f"{where}“{text}” không phải một đơn vị mới tách từ “{unit_path}”")
    return found


def place_members(
    members: Sequence[Member],
    placements: Sequence[Placement],
    targets: dict[str, int],
    unit_path: str,
    source_keys: set[str],
    rest: int | None = None,
) -> tuple[dict[int, int], set[Placement]]:
    """Each member's new unit (person id → unit id) and the placements used.

    ``targets`` maps every key of each new unit (see :func:`unit_keys`) to its id; ``source_keys``
    are the split unit's keys, for placements that name their old unit. A placement naming no member
    of this unit is left for another split of the same file. UserError when a placement names a unit
    that is not one of the new ones, when a name matches two members, or when members are left
    unplaced and there is no ``rest`` unit for them."""
    by_phone = {m.phone: m for m in members if m.phone}
    by_name: dict[str, list[Member]] = {}
    for m in members:
        by_name.setdefault(m.name_key, []).append(m)
    chosen: dict[int, int] = {}
    used: set[Placement] = set()
    for p in placements:
        if p.source and not set(_named_keys(p.source)) & source_keys:
            continue
        if p.phone:
            member = by_phone.get(p.phone)
            found = [member] if member else []
        else:
            found = by_name.get(fold(p.person), [])
        if not found:
            continue
        where = f"phân công dòng {p.row}: " if p.row else ""
        if len(found) > 1:
            raise UserError(f"{where}có {len(found)} người tên {p.person} trong “{unit_path}”; hãy ghi số điện thoại")
        try:
            chosen[found[0].id] = target_named(p.target, targets, unit_path, where)
        except UserError as exc:
            if p.source:
                raise
            # a file covering several splits may name a namesake of another split unit
            raise UserError(f"{exc.message} (nếu là người cùng tên ở đơn vị khác, hãy ghi cột Đơn vị cũ)") from None
        used.add(p)
    missing = [m for m in members if m.id not in chosen]
    if missing and rest is None:
        names = ", ".join(m.full_name for m in missing[:NAMES_SHOWN])
        more = f" và {format_number(len(missing) - NAMES_SHOWN)} người khác" if len(missing) > NAMES_SHOWN else ""
        raise UserError(
            f"chưa phân công đơn vị mới cho {format_number(len(missing))} người của “{unit_path}”: {names}{more} "
            "(hãy ghi những người này vào tệp phân công, hoặc chọn đơn vị nhận những người còn lại)"
        )
    if rest is not None:
        chosen.update((m.id, rest) for m in missing)
    return chosen, used
