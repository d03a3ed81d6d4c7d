"""People on the admin pages: one person's details corrected or deactivated, self-registrations
waiting for approval; answers to the questions the bot could not answer; the ledger check.

Approving or rejecting is :func:`bot.core.chat.registration.decide`, the same function as the
chat's "Duyệt" button (the core checks the officer role, audits, and queues the notice to the
person). A question is answered through :func:`bot.core.chat.library.reply_to_question` (curated
Q&A for the bot, notice to the asker). The ledger check is :func:`bot.core.evidence.ledger.verify`, as ``quantriet ledger verify``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.channels.web.base import (
    ADMIN,
    OFFICER,
    Viewer,
    error_page,
    form_of,
    not_found,
    redirect,
    render,
    route,
    state_of,
    to_int,
    unit_choices,
)
from bot.core.chat import library, registration
from bot.core.errors import UserError
from bot.core.evidence import ledger
from bot.core.roster import audit, person_changes, roster


@route(OFFICER)
def approvals(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/approvals: the self-registrations waiting for an officer."""
    app = state_of(request).app
    return render(
        request,
        viewer,
        "approvals.html",
        people=roster.pending_people(app),
        paths=roster.unit_paths(app),
        message=request.query.get("ok"),
    )


def _decide(request: web.Request, viewer: Viewer, approve: bool) -> web.StreamResponse:
    state = state_of(request)
    try:
        person = registration.decide(state.app, viewer.person, to_int(request.match_info["id"]) or 0, approve)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa xử lý được yêu cầu đăng ký", exc.message)
    if state.wake_sender is not None:
        state.wake_sender()
    done = "Đã duyệt" if approve else "Đã từ chối"
    return redirect("/admin/approvals?" + urlencode({"ok": f"{done} đăng ký của {person.full_name}."}))


@route(OFFICER)
def approve(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/approvals/{id}/approve."""
    return _decide(request, viewer, True)


@route(OFFICER)
def reject(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/approvals/{id}/reject."""
    return _decide(request, viewer, False)


def _person_page(request: web.Request, viewer: Viewer, person, status: int = 200, error: str | None = None):
    app = state_of(request).app
    return render(
        request,
        viewer,
        "person.html",
        status=status,
        person=person,
        units=unit_choices(app),
        error=error,
        message=request.query.get("ok"),
    )


@route(ADMIN)
def person_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/people/{id}: one person's details to correct, and (de)activation."""
    person = roster.get_person(state_of(request).app, to_int(request.match_info["id"]) or 0)
    if person is None:
        return not_found(request, viewer, "Không có người này trong danh sách.")
    return _person_page(request, viewer, person)


@route(ADMIN)
def person_save(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/people/{id}: save the corrected name, unit, position and phone."""
    app = state_of(request).app
    person_id = to_int(request.match_info["id"]) or 0
    form = form_of(request)
    edit = person_changes.PersonEdit(
        form.get("full_name", ""), to_int(form.get("unit")) or 0, form.get("position", ""), form.get("phone", "")
    )
    try:
        person = person_changes.update(app, viewer.person, person_id, edit)
    except UserError as exc:
        found = roster.get_person(app, person_id)
        if found is None:
            return not_found(request, viewer, exc.message)
        return _person_page(request, viewer, found, 400, exc.message)
    return redirect(f"/admin/people/{person.id}?" + urlencode({"ok": "Đã lưu thông tin."}))


@route(ADMIN)
def person_status(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/people/{id}/status (active=1|0): deactivate or reactivate."""
    app = state_of(request).app
    active = (form_of(request)).get("active") == "1"
    try:
        person = person_changes.set_active(app, viewer.person, to_int(request.match_info["id"]) or 0, active)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa đổi được trạng thái", exc.message)
    done = "Đã cho hoạt động lại." if active else "Đã ngừng hoạt động: không còn nhận thông báo và giao quán triệt mới."
    return redirect(f"/admin/people/{person.id}?" + urlencode({"ok": done}))


@route(OFFICER)
def answer_question(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/questions/{id}/answer: the office answers a question the bot could not."""
    state = state_of(request)
    form = form_of(request)
    try:
        library.reply_to_question(
            state.app, viewer.person, to_int(request.match_info["id"]) or 0, form.get("answer", "")
        )
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa gửi được câu trả lời", exc.message)
    if state.wake_sender is not None:
        state.wake_sender()
    return redirect("/admin/questions?" + urlencode({"loc": "chua", "ok": "Đã gửi câu trả lời cho người hỏi."}))


@route(ADMIN)
def ledger_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/ledger: the hash chain checked now, with its head hash to write down."""
    app = state_of(request).app
    audit.record(app, viewer.person, "ledger.verify", True)
    result = ledger.verify(app)
    return render(request, viewer, "ledger.html", result=result)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/approvals", approvals),
        web.post("/admin/approvals/{id}/approve", approve),
        web.post("/admin/approvals/{id}/reject", reject),
        web.get("/admin/ledger", ledger_page),
        web.post("/admin/questions/{id}/answer", answer_question),
        web.get("/admin/people/{id}", person_page),
        web.post("/admin/people/{id}", person_save),
        web.post("/admin/people/{id}/status", person_status),
    ]
