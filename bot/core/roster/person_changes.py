"""Changing one person on the roster from the admin pages: name, unit, position, phone, and
deactivating (or reactivating) them.

The roster file import stays the way to change many people at once; these are the corrections an
admin makes for one person (a new phone, a transfer, someone who left). Deactivating keeps the row
(acknowledgements and deliveries point to it) and its chat accounts, but the person is no longer
in any new audience and can no longer use the assistant. Admin only, like the import; audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.roster import audit
from bot.core.roster.roster import Person, UnitIndex, _name, get_person, normalise_phone
from knowledge.text import fold

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class PersonEdit:
    full_name: str
    unit_id: int
    position: str = ""
    phone: str = ""


def _require(app: App, person_id: int) -> Person:
    person = get_person(app, person_id)
    if person is None:
        raise UserError(f"Không có người số {person_id} trong danh sách.")
    return person


def update(app: App, actor: Person | None, person_id: int, edit: PersonEdit) -> Person:
    """Correct the person's name, unit, position and phone (a phone may belong to one person)."""
    audit.require(app, actor, "roster.edit", audit.ADMINS, person_id=person_id, unit_id=edit.unit_id)
    _require(app, person_id)
    name = _name(edit.full_name)
    if len(name.split()) < 2:
        raise UserError("Hãy ghi đủ họ và tên.")
    if edit.unit_id not in UnitIndex(app.db).units:
        raise UserError(f"Không có đơn vị số {edit.unit_id}.")
    phone = normalise_phone(edit.phone) or None
    if phone:
        owner = app.db.execute(
            "SELECT full_name FROM people WHERE phone = ? AND id != ?", (phone, person_id)
        ).fetchone()
        if owner:
            raise UserError(f"Số điện thoại {phone} đã là của {owner[0]}.")
    app.db.execute(
        "UPDATE people SET full_name = ?, name_key = ?, unit_id = ?, position = ?, phone = ? WHERE id = ?",
        (name, fold(name), edit.unit_id, _name(edit.position) or None, phone, person_id),
    )
    return _require(app, person_id)


def set_active(app: App, actor: Person | None, person_id: int, active: bool) -> Person:
    """Deactivate (left, retired, transferred out) or reactivate the person. The last active admin
    cannot be deactivated, so nobody is locked out of the admin functions."""
    audit.require(
        app, actor, "roster.deactivate" if not active else "roster.activate", audit.ADMINS, person_id=person_id
    )
    person = _require(app, person_id)
    if person.status == "pending":
        raise UserError("Người này đang chờ duyệt đăng ký: hãy duyệt hoặc từ chối ở trang Duyệt đăng ký.")
    if not active and person.role == "admin" and person.active:
        (admins,) = app.db.execute("SELECT COUNT(*) FROM people WHERE role = 'admin' AND status = 'active'").fetchone()
        if admins <= 1:
            raise UserError("Không thể ngừng hoạt động quản trị viên cuối cùng.")
    app.db.execute("UPDATE people SET status = ? WHERE id = ?", ("active" if active else "inactive", person_id))
    return _require(app, person_id)
