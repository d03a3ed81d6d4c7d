"""The audit trail: who did (or tried to do) which privileged action, when, through which channel.

Every privileged core function calls :func:`require` before acting, so the role check and its
record cannot be forgotten by a channel: a refusal raises :class:`PermissionDenied` with a
Vietnamese message *after* writing an ``allowed=0`` row; an allowed action writes ``allowed=1``.
The acting person is a :class:`bot.core.roster.roster.Person` found through their chat account (its
``channel`` says where they act from) or ``None`` for the local operator at the command line. A chat
that is not linked to anyone has no person: its refusals are recorded with ``person_id`` NULL and an
explicit ``channel=`` (see :func:`deny`), never through a made-up person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from bot import store
from bot.core.errors import PermissionDenied

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.roster.roster import Person

OFFICERS = frozenset({"officer", "admin"})
ADMINS = frozenset({"admin"})

# What each action is called when refusing it ("Đồng chí không có quyền <label>.").
ACTION_LABELS = {
    "roster.import": "nhập danh sách cán bộ",
    "roster.invites": "xem mã mời",
    "roster.approve": "duyệt đăng ký",
    "roster.reject": "từ chối đăng ký",
    "roster.role": "thay đổi vai trò",
    "units.reorganise": "sắp xếp lại đơn vị",
    "assign": "giao văn bản quán triệt",
    "ack.import": "nhập danh sách dự hội nghị",
    "progress": "xem tiến độ quán triệt",
    "export": "xuất báo cáo",
    "broadcast": "gửi thông báo",
    "remind": "nhắc nhở",
}
_ROLE_GROUPS = {OFFICERS: "cán bộ tuyên giáo hoặc quản trị viên", ADMINS: "quản trị viên"}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    person_id: int | None
    channel: str
    action: str
    allowed: bool
    detail: dict[str, Any]


def actor_channel(actor: Person | None) -> str:
    """Where the actor acts from: their account's channel, or "cli" for the local operator."""
    if actor is None:
        return "cli"
    return actor.channel or "unknown"


def record(
    app: App, actor: Person | None, action: str, allowed: bool, /, *, channel: str | None = None, **detail: Any
) -> None:
    """Append one audit row (joins the caller's transaction if one is open).

    ``channel`` overrides where the action came from: an unlinked chat has no person to say it.
    """
    app.db.execute(
        "INSERT INTO audit (at, person_id, channel, action, allowed, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (
            store.isotime(app.now()),
            actor.id if actor is not None else None,
            channel or actor_channel(actor),
            action,
            int(allowed),
            json.dumps(detail, ensure_ascii=False, default=str),
        ),
    )


def allowed(actor: Person | None, roles: frozenset[str]) -> bool:
    """The local operator may do anything; a person needs an active status and one of ``roles``."""
    return actor is None or (actor.status == "active" and actor.role in roles)


def require(app: App, actor: Person | None, action: str, roles: frozenset[str], /, **detail: Any) -> None:
    """Check the actor's role for ``action``; audit the outcome; raise PermissionDenied if refused."""
    if not allowed(actor, roles):
        deny(app, actor, action, roles, **detail)
    record(app, actor, action, True, **detail)


def deny(
    app: App,
    actor: Person | None,
    action: str,
    roles: frozenset[str],
    /,
    *,
    channel: str | None = None,
    **detail: Any,
) -> NoReturn:
    """Record a refused ``action`` (``allowed=0``) and raise PermissionDenied saying who may do it.

    Called by :func:`require`, and directly for an unlinked chat (``actor`` None with its ``channel``),
    which :func:`require` would take for the local operator.
    """
    record(app, actor, action, False, channel=channel, **detail)
    label = ACTION_LABELS.get(action, "thực hiện thao tác này")
    who = _ROLE_GROUPS.get(roles, "người có thẩm quyền")
    raise PermissionDenied(f"Đồng chí không có quyền {label}. Chức năng này dành cho {who}.")


def recent(app: App, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    """The latest audit rows, newest first (for the admin pages)."""
    sql = "SELECT id, at, person_id, channel, action, allowed, detail FROM audit"
    params: list[Any] = []
    if action:
        sql += " WHERE action = ?"
        params.append(action)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [
        AuditEntry(r[0], r[1], r[2], r[3], r[4], bool(r[5]), json.loads(r[6]))
        for r in app.db.execute(sql, params).fetchall()
    ]
