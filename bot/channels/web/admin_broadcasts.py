"""Broadcasts from the admin pages: compose, preview, confirm, and watch the deliveries live.

The same two steps as ``/phatthanh`` in a chat: the form stores a *draft* through the core
(``broadcasts.save_draft``), the preview page shows who it would reach, and only "Gửi" turns it into
deliveries (``broadcasts.confirm``), which the outbox sender then drains. The officer's web chat is
the draft's origin, so the sender's progress message also lands there. The list page polls
``/admin/api/broadcasts`` every few seconds for the delivery counts.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from aiohttp import web

from bot.channels.web.base import (
    CHANNEL,
    OFFICER,
    Viewer,
    error_page,
    form_of,
    not_found,
    posted_units,
    redirect,
    render,
    render_form,
    route,
    state_of,
    to_int,
)
from bot.core.chat import texts
from bot.core.errors import UserError
from bot.core.evidence import documents
from bot.core.numbers import format_number
from bot.core.outbox import broadcasts, delivery_status
from bot.core.roster import audit, roster

LIST_LIMIT = 50
RECIPIENT_LIMIT = 1000  # people listed on a broadcast's page (the counts cover everyone)
MAX_TEXT = 3000
KIND_LABELS = {"broadcast": "Thông báo", "assignment": "Giao quán triệt", "reminder": "Nhắc nhở", "notice": "Thông tin"}


def _stats_json(stats: broadcasts.Stats, status: str) -> dict:
    """The counts as the pages print them ("1.234"); "failed" counts the blocked ones too."""
    return {
        "total": format_number(stats.total),
        "sent": format_number(stats.sent),
        "failed": format_number(stats.failed + stats.blocked),
        "unlinked": format_number(stats.unlinked),
        "pending": format_number(stats.pending),
        "status": status,
        "status_label": delivery_status.status_label(status, stats),
    }


def _listing(app, limit: int = LIST_LIMIT) -> list[dict]:
    return [
        {
            **dataclasses.asdict(item),
            "kind": KIND_LABELS.get(item.kind, item.kind),
            "stats": _stats_json(broadcasts.stats(app, item.id), item.status),
        }
        for item in broadcasts.listing(app, limit)
    ]


def _list_page(
    request: web.Request,
    viewer: Viewer,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: str | None = None,
    selected: list[int] | None = None,
) -> web.Response:
    """The compose form (refilled with ``form`` and the ticked units after an ``error``) beside the
    recent broadcasts."""
    app = state_of(request).app
    return render_form(
        request,
        viewer,
        "broadcasts.html",
        status=status,
        items=_listing(app),
        form=form,
        error=error,
        selected=selected,
    )


@route(OFFICER)
def broadcast_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/broadcasts: the compose form and the recent broadcasts with live counts."""
    return _list_page(request, viewer)


@route(OFFICER, api=True)
def broadcast_counts(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/api/broadcasts: delivery counts of the recent broadcasts (polled by the page)."""
    app = state_of(request).app
    return web.json_response({str(item["id"]): item["stats"] for item in _listing(app)})


def draft_from(form: dict[str, str], units: list[int]) -> broadcasts.Draft:
    """Validate a compose form (this page's, or the new assignment's, which always asks for
    acknowledgement); UserError (Vietnamese) for anything to fix."""
    text = form.get("text", "").strip()
    document_id = to_int(form.get("document"))
    if len(text) > MAX_TEXT:
        raise UserError(f"Nội dung dài quá {MAX_TEXT} ký tự.")
    require_ack = form.get("require_ack") == "1"
    if not text and document_id is None:
        raise UserError("Hãy nhập nội dung thông báo hoặc chọn văn bản gửi kèm.")
    due = None
    if require_ack:
        if document_id is None:
            raise UserError("Muốn yêu cầu xác nhận quán triệt thì phải chọn văn bản.")
        try:
            due = date.fromisoformat(form.get("due", ""))
        except ValueError:
            raise UserError("Hãy chọn hạn quán triệt.") from None
    roles = [form["roles"]] if form.get("roles") in roster.ROLES else []
    return broadcasts.Draft(
        kind="assignment" if require_ack else "broadcast",
        text=text,
        document_id=document_id,
        audience=broadcasts.Audience(units, form.get("subunits") == "1", roles),
        require_ack=require_ack,
        due_date=due,
        require_check=require_ack and form.get("require_check") == "1",
    )


def save_draft(request: web.Request, viewer: Viewer, form: dict[str, str], units: list[int]) -> int:
    """Store a posted compose form as a draft (the same first step as /phatthanh and /giao in a
    chat) and return its id; UserError for the form to show."""
    app = state_of(request).app
    draft = draft_from(form, units)
    audit.require(app, viewer.person, "broadcast", audit.OFFICERS, step="draft", units=units)
    assert viewer.person is not None and viewer.session is not None
    return broadcasts.save_draft(app, viewer.person, draft, (CHANNEL, viewer.session.external_id))


@route(OFFICER)
def compose(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/broadcasts: store the composed broadcast as a draft, then show its preview."""
    form = form_of(request)
    units = posted_units(request)
    try:
        broadcast_id = save_draft(request, viewer, form, units)
    except UserError as exc:
        return _list_page(request, viewer, 400, form, exc.message, units)
    return redirect(f"/admin/broadcasts/{broadcast_id}")


@route(OFFICER)
def broadcast_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/broadcasts/{id}: the preview of a draft, or the live counts of a sent broadcast."""
    app = state_of(request).app
    broadcast_id = to_int(request.match_info["id"])
    loaded = broadcasts.load_draft(app, broadcast_id) if broadcast_id else None
    if loaded is None or broadcast_id is None:
        return not_found(request, viewer, "Không có đợt gửi này.")
    draft, status = loaded
    people, accounts, unlinked = broadcasts.recipients_preview(app, draft)
    paths = roster.unit_paths(app)
    document = documents.get_document(app, draft.document_id) if draft.document_id else None
    stats = _stats_json(broadcasts.stats(app, broadcast_id), status)
    recipients = delivery_status.recipients(app, broadcast_id) if status != "draft" else []
    shown = request.query.get("loc")
    return render(
        request,
        viewer,
        "broadcast.html",
        broadcast_id=broadcast_id,
        draft=draft,
        broadcast_status=status,
        assignment_id=broadcasts.assignment_of(app, broadcast_id),
        document=document,
        unit_names=[paths.get(u, str(u)) for u in draft.audience.units],
        preview={"people": people, "accounts": accounts, "unlinked": unlinked},
        stats=stats,
        reasons=broadcasts.failure_reasons(app, [broadcast_id]),
        recipients=delivery_status.filtered(recipients, shown)[:RECIPIENT_LIMIT],
        recipient_total=len(recipients),
        filters={k: label for k, (label, _) in delivery_status.FILTERS.items()},
        shown=shown,
    )


@route(OFFICER)
def confirm(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/broadcasts/{id}/confirm: queue the deliveries (and create the assignment)."""
    state = state_of(request)
    broadcast_id = to_int(request.match_info["id"]) or 0
    assert viewer.person is not None
    try:
        audit.require(state.app, viewer.person, "broadcast", audit.OFFICERS, step="confirm", id=broadcast_id)
        broadcasts.confirm(state.app, viewer.person, broadcast_id)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa gửi được", exc.message)
    if state.wake_sender is not None:
        state.wake_sender()
    return redirect(f"/admin/broadcasts/{broadcast_id}")


@route(OFFICER)
def cancel(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/broadcasts/{id}/cancel: drop a draft."""
    broadcast_id = to_int(request.match_info["id"]) or 0
    if not broadcasts.cancel(state_of(request).app, broadcast_id):
        return error_page(request, viewer, 400, "Không hủy được", texts.BROADCAST_GONE.format(id=broadcast_id))
    return redirect("/admin/broadcasts")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/broadcasts", broadcast_list),
        web.post("/admin/broadcasts", compose),
        web.get("/admin/api/broadcasts", broadcast_counts),
        web.get("/admin/broadcasts/{id}", broadcast_page),
        web.post("/admin/broadcasts/{id}/confirm", confirm),
        web.post("/admin/broadcasts/{id}/cancel", cancel),
    ]
