"""Assignments from the admin pages: create, edit (due date, comprehension check), extend, close,
remind the unconfirmed of one unit, and the JSON the dashboard and assignment pages poll to stay live.

Every action is the core's, which checks the role again and audits. Creating takes the two steps of
/giao in a chat: the form is stored as a draft that always asks for acknowledgement (the broadcast
page's ``save_draft``), its preview says who it reaches, and "Gửi" (``broadcasts.confirm``) creates
the assignment (``assignments.create_assignment``, as ``quantriet assign`` does) and queues its
message. Editing goes through ``assignment_changes``; /nhacnho in a chat reminds through the same
``reminders.remind_unconfirmed``.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.channels.web import admin_broadcasts
from bot.channels.web.base import (
    OFFICER,
    Viewer,
    error_page,
    form_of,
    posted_units,
    redirect,
    render_form,
    route,
    state_of,
    to_date,
    to_int,
)
from bot.core.errors import UserError
from bot.core.evidence import assignment_changes, assignments, documents, reports
from bot.core.numbers import format_number, format_percent
from bot.core.outbox import reminders

NEW_FORM = "assignment_new.html"


def _figures(unit: reports.UnitProgress) -> dict[str, str]:
    """One progress line as the pages print it."""
    return {
        "percent": format_percent(unit.percent),
        "confirmed": format_number(unit.confirmed),
        "assigned": format_number(unit.assigned),
        "on_time": format_number(unit.on_time),
        "late": format_number(unit.late),
        "not_yet": format_number(unit.not_yet),
    }


@route(OFFICER, api=True)
def dashboard_live(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/api/dashboard: every assignment's totals (polled by the dashboard; the same by any
    day's tree, so a dashboard shown ?on=D polls this too)."""
    app = state_of(request).app
    rows = {str(a.id): _figures(reports.totals(app, a)) for a in assignments.list_assignments(app)}
    return web.json_response({"fields": {}, "rows": rows})


@route(OFFICER, api=True)
def assignment_live(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/api/assignments/{id}[?on=D]: the totals and every unit's line (polled by its page)."""
    app = state_of(request).app
    assignment = assignments.get_assignment(app, to_int(request.match_info["id"]) or 0)
    if assignment is None:
        return web.json_response({"error": "Không có đợt quán triệt này."}, status=404)
    progress = reports.compute_progress(app, assignment, on=to_date(request.query.get("on")))
    rows = {str(u.unit_id): _figures(u) for u in progress.units}
    return web.json_response({"fields": _figures(progress.total), "rows": rows})


@route(OFFICER)
def new(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/assignments/new: document (the catalogue's main one chosen), units (touch
    picker), due date, note."""
    main = documents.main_document(state_of(request).app)
    return render_form(request, viewer, NEW_FORM, form={"subunits": "1", "document": str(main.id) if main else ""})


@route(OFFICER)
def create(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/assignments: store the assignment as a draft, then show its preview to send."""
    form = form_of(request)
    units = posted_units(request)
    try:
        broadcast_id = admin_broadcasts.save_draft(request, viewer, {**form, "require_ack": "1"}, units)
    except UserError as exc:
        return render_form(request, viewer, NEW_FORM, status=400, form=form, error=exc.message, selected=units)
    return redirect(f"/admin/broadcasts/{broadcast_id}")


def _back(assignment_id: int, message: str) -> web.Response:
    return redirect(f"/admin/assignments/{assignment_id}?ok={message}")


@route(OFFICER)
def edit(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/assignments/{id}/edit: a new due date (extend) and the check on or off."""
    app = state_of(request).app
    assignment_id = to_int(request.match_info["id"]) or 0
    form = form_of(request)
    try:
        try:
            due = date.fromisoformat(form.get("due", ""))
        except ValueError:
            raise UserError("Hãy chọn hạn quán triệt.") from None
        changed = assignment_changes.change(app, viewer.person, assignment_id, due, form.get("require_check") == "1")
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa sửa được đợt quán triệt", exc.message)
    return _back(assignment_id, f"Đã lưu: hạn {changed.due_date:%d/%m/%Y}.")


@route(OFFICER)
def close(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/assignments/{id}/close: end it (no more reminders; the ledger stays)."""
    app = state_of(request).app
    assignment_id = to_int(request.match_info["id"]) or 0
    try:
        assignment_changes.close(app, viewer.person, assignment_id)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa kết thúc được đợt quán triệt", exc.message)
    return _back(assignment_id, "Đã kết thúc đợt quán triệt.")


@route(OFFICER)
def remind(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/assignments/{id}/remind (unit=U or none: everyone): remind the unconfirmed."""
    state = state_of(request)
    assignment_id = to_int(request.match_info["id"]) or 0
    unit_id = to_int((form_of(request)).get("unit"))
    try:
        broadcast_id, _ = reminders.remind_unconfirmed(state.app, viewer.person, assignment_id, unit_id)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa nhắc được", exc.message)
    if broadcast_id is None:
        return _back(assignment_id, "Mọi người ở đơn vị này đã xác nhận: không cần nhắc.")
    if state.wake_sender is not None:
        state.wake_sender()
    return redirect(f"/admin/broadcasts/{broadcast_id}")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/assignments/new", new),
        web.post("/admin/assignments", create),
        web.get("/admin/api/dashboard", dashboard_live),
        web.get("/admin/api/assignments/{id}", assignment_live),
        web.post("/admin/assignments/{id}/edit", edit),
        web.post("/admin/assignments/{id}/close", close),
        web.post("/admin/assignments/{id}/remind", remind),
    ]
