"""Quán triệt conferences on the web: create, follow attendance live, show the venue's QR code,
and the check-in page the QR code opens.

Everything goes through :mod:`bot.core.evidence.conferences` (which checks the role and audits).
The QR code encodes ``<public address>/diemdanh/<code>``; the code changes every minute, so the
venue screen fetches the current one from ``/admin/api/conferences/{id}`` (with the attendance
counts) every few seconds. The check-in page offers the web chat (one press, through the same
conversation core as Telegram and Zalo), the Telegram deep link and the words to send on Zalo.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlencode

import segno
from aiohttp import web

from bot.channels import download_route  # a module (it imports this package while loading)
from bot.channels.web.admin_data import UPLOAD_SUFFIXES, upload_form
from bot.channels.web.base import (
    ANYONE,
    CHECKIN_PATH,
    OFFICER,
    PERSON,
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
from bot.channels.web.chat import converse
from bot.core import clock
from bot.core.errors import UserError
from bot.core.evidence import assignments, conferences, ledger
from bot.core.numbers import format_number, format_percent
from bot.core.roster.roster import invite_link


def checkin_url(app, code: str) -> str:
    return f"{download_route.public_base(app)}{CHECKIN_PATH}{code}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG (dark modules on white, quiet zone included)."""
    return segno.make(url, error="m").svg_inline(scale=10, dark="#111", light="#fff", omitsize=True)


def _attendance_json(attendance: conferences.Attendance) -> dict:
    """The counts as the page shows them (see ``data-live-url`` in admin.js)."""
    return {
        "fields": {
            "invited": format_number(attendance.invited),
            "present": format_number(attendance.present),
            "uninvited": format_number(attendance.uninvited),
            "paper": format_number(attendance.paper),
            "percent": format_percent(attendance.percent),
        },
        "rows": {
            str(u.unit_id): {"present": format_number(u.present), "invited": format_number(u.invited)}
            for u in attendance.units
        },
    }


def _local(day: str, hour: str, label: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(hour), tzinfo=clock.LOCAL_TZ)
    except ValueError:
        raise UserError(f"Hãy chọn ngày và {label}.") from None


def _draft_from(form: dict[str, str], units: list[int]) -> conferences.ConferenceDraft:
    day = form.get("day", "")
    assignment_id = to_int(form.get("assignment"))
    return conferences.ConferenceDraft(
        title=form.get("title", "").strip(),
        starts_at=_local(day, form.get("start", ""), "giờ bắt đầu"),
        ends_at=_local(day, form.get("end", ""), "giờ kết thúc"),
        units=units,
        place=form.get("place", "").strip(),
        online_link=form.get("online_link", "").strip(),
        assignment_id=assignment_id,
        document_id=None if assignment_id else to_int(form.get("document")),
    )


def _list_page(
    request: web.Request,
    viewer: Viewer,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: str | None = None,
    selected: list[int] | None = None,
) -> web.Response:
    """The create form (refilled after an ``error``) beside the conferences with their attendance."""
    app = state_of(request).app
    now = app.now()
    items = [(c, conferences.attendance(app, c.id), c.status(now)) for c in conferences.list_conferences(app)]
    return render_form(
        request,
        viewer,
        "conferences.html",
        status=status,
        form=form,
        error=error,
        selected=selected,
        items=items,
        assignments=assignments.list_assignments(app),
    )


@route(OFFICER)
def conference_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/conferences: the conferences and the form to create one."""
    return _list_page(request, viewer)


@route(OFFICER)
def create(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/conferences: create it, invite the units (outbox), then show its page."""
    state = state_of(request)
    form = form_of(request)
    units = posted_units(request)
    try:
        conference_id = conferences.create(state.app, viewer.person, _draft_from(form, units))
    except UserError as exc:
        return _list_page(request, viewer, 400, form, exc.message, units)
    if state.wake_sender is not None:
        state.wake_sender()
    return redirect(f"/admin/conferences/{conference_id}")


def _venue(app, conference: conferences.Conference) -> dict:
    """What the venue screen shows now: the check-in code, its URL as a QR code, its seconds left."""
    code, seconds = conferences.current_code(app, conference)
    url = checkin_url(app, code)
    return {"code": code, "url": url, "svg": qr_svg(url), "seconds": seconds}


def _conference_view(request: web.Request, viewer: Viewer, template: str) -> web.StreamResponse:
    """A conference page after the core's check (audited), or the error page."""
    app = state_of(request).app
    try:
        conference, attendance = conferences.view(app, viewer.person, to_int(request.match_info["id"]) or 0)
    except UserError as exc:
        return not_found(request, viewer, exc.message)
    return render(
        request,
        viewer,
        template,
        conference=conference,
        attendance=attendance,
        status_label=conference.status(app.now()),
        message=request.query.get("ok"),
        **_venue(app, conference),
    )


@route(OFFICER)
def conference_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/conferences/{id}: details and live attendance per unit."""
    return _conference_view(request, viewer, "conference.html")


@route(OFFICER)
def qr_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/conferences/{id}/qr: the venue screen (large rotating QR code and the count)."""
    return _conference_view(request, viewer, "conference_qr.html")


@route(OFFICER, api=True)
def live(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/api/conferences/{id}: the current check-in code (QR) and the attendance counts.
    Polled every few seconds, so it is not audited (the page view was)."""
    app = state_of(request).app
    conference = conferences.get(app, to_int(request.match_info["id"]) or 0)
    if conference is None:
        return web.json_response({"error": "Không có hội nghị này."}, status=404)
    venue = _venue(app, conference)
    found = _attendance_json(conferences.attendance(app, conference.id))
    fields = {
        **found["fields"],
        "status": conference.status(app.now()),
        "code": venue["code"],
        "seconds": venue["seconds"],
    }
    return web.json_response(
        {"fields": fields, "rows": found["rows"], "qr": {"url": venue["url"], "svg": venue["svg"]}}
    )


@route(OFFICER, csrf="handler")
async def import_sheet(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/conferences/{id}/sheet (multipart): a signed paper attendance sheet, recorded as
    acknowledgements (channel "hội nghị") through the same core function as ``quantriet ack import``."""
    state = state_of(request)
    conference = conferences.get(state.app, to_int(request.match_info["id"]) or 0)
    if conference is None:
        return not_found(request, viewer, "Không có hội nghị này.")
    with tempfile.TemporaryDirectory(prefix="quantriet-sheet-") as tmp:
        form = await upload_form(request, viewer, Path(tmp))
        if isinstance(form, web.StreamResponse):
            return form
        fields, saved = form
        if saved is None or saved.suffix.lower() not in UPLOAD_SUFFIXES:
            return error_page(request, viewer, 400, "Chưa nhập được", "Hãy chọn danh sách ký tên dạng .xlsx hoặc .csv.")
        try:
            report = await asyncio.to_thread(
                ledger.import_attendance,
                state.app,
                viewer.person,
                saved,
                conference.assignment.id,
                fields.get("skip_invalid") == "1",
            )
        except UserError as exc:
            return error_page(request, viewer, 400, "Chưa nhập được danh sách", exc.message)
    if not report.imported:
        lines = "; ".join(f"dòng {e.row}: {e.message}" for e in report.errors[:20])
        return error_page(request, viewer, 400, "Chưa nhập được danh sách", f"{report.summary()} {lines}")
    return redirect(f"/admin/conferences/{conference.id}?" + urlencode({"ok": report.summary()}))


# ------------------------------------------------------------------------- the QR code's page


@route(ANYONE)
def checkin_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /diemdanh/{code}: what the QR code opens; the web chat, Telegram or Zalo check-in."""
    app = state_of(request).app
    code = request.match_info["code"][:40]
    parsed = conferences.parse_code(code)
    conference = conferences.get(app, parsed[0]) if parsed else None
    if conference is None:
        return not_found(request, viewer, conferences.CODE_INVALID)
    return render(
        request,
        viewer,
        "checkin.html",
        conference=conference,
        code=code,
        telegram=invite_link(app, conferences.TELEGRAM_PREFIX + code),
    )


@route(PERSON)
async def checkin(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /diemdanh/{code}: check in through the web chat (the reply shows in the chat)."""
    assert viewer.session is not None and viewer.person is not None
    code = request.match_info["code"][:40]
    await converse(
        request, viewer.session.external_id, viewer.person, text=f"/diemdanh {code}", shown="Điểm danh hội nghị"
    )
    return redirect("/")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/conferences", conference_list),
        web.post("/admin/conferences", create),
        web.get("/admin/conferences/{id}", conference_page),
        web.get("/admin/conferences/{id}/qr", qr_page),
        web.get("/admin/api/conferences/{id}", live),
        web.post("/admin/conferences/{id}/sheet", import_sheet),
        web.get(CHECKIN_PATH + "{code}", checkin_page),
        web.post(CHECKIN_PATH + "{code}", checkin),
    ]
