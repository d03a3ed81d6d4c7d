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
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from bot import store
from bot.core import clock
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
    "roster.invite_revoke": "thu hồi mã mời",
    "roster.edit": "sửa thông tin cán bộ",
    "roster.deactivate": "ngừng hoạt động cán bộ",
    "roster.activate": "cho cán bộ hoạt động lại",
    "units.reorganise": "sắp xếp lại đơn vị",
    "assign": "giao văn bản quán triệt",
    "ack.import": "nhập danh sách dự hội nghị",
    "conference.create": "tổ chức hội nghị quán triệt",
    "progress": "xem tiến độ quán triệt",
    "export": "xuất báo cáo",
    "broadcast": "gửi thông báo",
    "remind": "nhắc nhở",
    "ledger.verify": "kiểm tra sổ xác nhận",
    "answer.curate": "trả lời câu hỏi thay trợ lý",
    "document.upload": "nạp văn bản",
}
# Audit rows that are not refusable actions, named for the audit page.
_OTHER_LABELS = {
    "web.login": "đăng nhập trang quản trị",
    "web.page": "mở trang quản trị",
    "conference.checkin": "điểm danh hội nghị",
}
# The audit page's words for the keys and values of an entry's detail.
DETAIL_LABELS = {
    "units": "đơn vị số",
    "subunits": "gồm đơn vị trực thuộc",
    "roles": "vai trò",
    "role": "vai trò",
    "document_id": "văn bản số",
    "assignment_id": "đợt quán triệt số",
    "conference_id": "hội nghị số",
    "unit_id": "đơn vị số",
    "unit": "đơn vị số",
    "person_id": "người số",
    "due": "hạn",
    "check": "kiểm tra nhanh",
    "file": "tệp",
    "sha256": "mã băm tệp",
    "format": "định dạng",
    "since": "từ ngày",
    "until": "đến ngày",
    "step": "bước",
    "id": "số",
    "method": "cách",
    "path": "trang",
    "external_id": "tài khoản",
    "people": "số người",
    "list": "danh sách",
    "title": "tên",
    "starts": "bắt đầu",
    "new_ack": "ghi vào sổ",
    "skip_invalid": "bỏ qua dòng lỗi",
    "question_id": "câu hỏi số",
    "broadcast_id": "đợt gửi số",
    "kind": "loại",
    "on": "theo cây đơn vị ngày",
}
_VALUE_LABELS = {
    "draft": "soạn thảo",
    "confirm": "xác nhận gửi",
    "edit": "sửa",
    "close": "kết thúc",
    "reissue": "cấp mã mới",
    "password": "mật khẩu",
    "not_confirmed": "người chưa xác nhận",
    "cadre": "cán bộ",
    "officer": "cán bộ tuyên giáo",
    "admin": "quản trị viên",
    "assignment": "giao quán triệt",
    "broadcast": "thông báo",
    "reminder": "nhắc nhở",
    "notice": "thông tin",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date in a detail, shown "20/12/2026"
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


def action_label(action: str) -> str:
    """ "Giao văn bản quán triệt" for "assign": an audit row's action in words."""
    label = ACTION_LABELS.get(action) or _OTHER_LABELS.get(action) or action
    return label[:1].upper() + label[1:]


def detail_text(detail: dict[str, Any]) -> str:
    """ "đơn vị số: 3, 5; gồm đơn vị trực thuộc: có": an audit row's detail in words."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "có" if v else "không"
        if isinstance(v, list):
            return ", ".join(value(x) for x in v)
        if isinstance(v, str) and ISO_DATE.fullmatch(v):
            return clock.format_date(v)
        return _VALUE_LABELS.get(v, str(v)) if isinstance(v, str) else str(v)

    return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {value(v)}" for k, v in detail.items() if v not in (None, "", []))


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
