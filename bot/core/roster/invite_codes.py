"""Invite codes from the admin pages: each person's state, re-issue and revoke.

:func:`bot.core.roster.roster.invites` issues the missing codes of a unit (the printed sheet and
``quantriet roster invites`` use it). Here are the two single-person actions a cadre on a new phone
needs without a command line: *re-issue* (a fresh code even when a chat is already linked; the old
code stops working) and *revoke* (a leaked or printed-by-mistake code stops working). Both are
admin actions, like the codes themselves (a code lets anyone act as that person), and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import store
from bot.core.errors import UserError
from bot.core.roster import audit
from bot.core.roster.roster import Invite, Person, _new_code, _settings, get_person, invite_link, list_people

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class InviteState:
    """One person as the invite page shows them."""

    person: Person
    code: str | None
    used_at: str | None  # UTC ISO; the code is spent
    channels: list[str]  # the chats linked to this person

    @property
    def label(self) -> str:
        """ "Đã kết nối (Telegram, Zalo)", "Chưa dùng mã", "Mã đã dùng", "Chưa có mã"."""
        if self.channels:
            return "Đã kết nối"
        if self.code and not self.used_at:
            return "Chưa dùng mã"
        return "Mã đã dùng" if self.code else "Chưa có mã"


def states(app: App, unit: int | None = None) -> list[InviteState]:
    """The active roster members of ``unit`` and below (all when None) with their code and chats."""
    people = [p for p in list_people(app, unit, status="active") if p.unit_id is not None]
    codes = {r[0]: (r[1], r[2]) for r in app.db.execute("SELECT id, invite_code, invite_used_at FROM people")}
    channels: dict[int, set[str]] = {}
    for person_id, channel in app.db.execute("SELECT person_id, channel FROM accounts WHERE person_id IS NOT NULL"):
        channels.setdefault(person_id, set()).add(channel)
    return [InviteState(p, *codes[p.id], sorted(channels.get(p.id, ()))) for p in people]


def _require_person(app: App, person_id: int) -> Person:
    person = get_person(app, person_id)
    if person is None or person.unit_id is None:
        raise UserError(f"Không có cán bộ số {person_id} trong danh sách.")
    if not person.active:
        raise UserError(f"{person.full_name} không còn hoạt động trong danh sách; không cấp mã mời.")
    return person


def reissue(app: App, actor: Person | None, person_id: int) -> Invite:
    """A new one-time code for the person (the previous one stops working). Admin only."""
    audit.require(app, actor, "roster.invites", audit.ADMINS, person_id=person_id, step="reissue")
    person = _require_person(app, person_id)
    with store.transaction(app.db, immediate=True):
        taken = {r[0] for r in app.db.execute("SELECT invite_code FROM people WHERE invite_code IS NOT NULL")}
        code = _new_code(_settings(app).invite_length, taken)
        app.db.execute("UPDATE people SET invite_code = ?, invite_used_at = NULL WHERE id = ?", (code, person.id))
    return Invite(person, code, invite_link(app, code))


def revoke(app: App, actor: Person | None, person_id: int) -> Person:
    """The person's code stops working (chats already linked stay linked). Admin only."""
    audit.require(app, actor, "roster.invite_revoke", audit.ADMINS, person_id=person_id)
    person = _require_person(app, person_id)
    app.db.execute("UPDATE people SET invite_code = NULL, invite_used_at = NULL WHERE id = ?", (person.id,))
    return person
