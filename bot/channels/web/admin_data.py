"""Admin-only pages that change or take out data: roster import, roles, evidence exports.

The upload is read as a stream with its own size limit, so a huge file is refused (413) without
being held in memory, whatever the server-wide body limit is; the CSRF token is the form's first
field and is checked before the file is looked at. The import, the role change and the export
are the core's functions (they check the admin role again and write the audit rows).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web

from bot.channels.web.base import (
    ADMIN,
    BAD_BODY,
    CSRF_REFUSED,
    Viewer,
    csrf_ok,
    error_page,
    form_of,
    redirect,
    render,
    route,
    state_of,
    to_int,
    too_large,
    unit_choices,
)
from bot.channels.web.chat import attachment_response
from bot.core.errors import UserError
from bot.core.evidence import assignments, exports
from bot.core.roster import roster

PEOPLE_LIMIT = 200
UPLOAD_SUFFIXES = (".csv", ".xlsx")
NOT_A_SPREADSHEET = "Tệp «{name}» không phải bảng tính: chỉ nhận tệp .xlsx hoặc .csv (UTF-8)."


class TooLarge(Exception):
    """The upload passed the size limit."""


def _safe_name(filename: str) -> str:
    """The uploaded file's own name, reduced to something safe to create in a temp folder."""
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .") or "tep"
    return name[-120:]


async def read_upload(request: web.Request, limit: int, folder: Path) -> tuple[dict[str, str], Path | None]:
    """Stream a multipart form: small text fields into a dict, the file into ``folder``."""
    fields: dict[str, str] = {}
    saved: Path | None = None
    reader = await request.multipart()
    total = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.filename is None:
            fields[part.name or ""] = (await part.read(decode=True)).decode("utf-8", "replace")[:1000]
            continue
        if saved is not None or not part.filename:
            await part.release()
            continue
        saved = folder / _safe_name(part.filename)
        with saved.open("wb") as out:
            while chunk := await part.read_chunk(64 * 1024):
                total += len(chunk)
                if total > limit:
                    raise TooLarge
                out.write(chunk)
    return fields, saved


async def upload_form(
    request: web.Request, viewer: Viewer, folder: Path
) -> tuple[dict[str, str], Path | None] | web.StreamResponse:
    """The fields and the saved file of an upload page's form, or the page that refuses it: a
    body over ``[web] max_upload_bytes``, one that is not a multipart form, or a stale form."""
    limit = state_of(request).settings.max_upload_bytes
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        return too_large(request, viewer)
    try:
        fields, saved = await read_upload(request, limit, folder)
    except TooLarge:
        return too_large(request, viewer)
    except (*BAD_BODY, KeyError):  # not a multipart body at all, or a broken one
        return error_page(request, viewer, 400, "Yêu cầu không hợp lệ", "Biểu mẫu tải tệp không hợp lệ.")
    if not csrf_ok(viewer, fields.get("csrf")):
        return error_page(request, viewer, 403, "Yêu cầu bị từ chối", CSRF_REFUSED)
    return fields, saved


def _roster_counts(app) -> dict[str, int]:
    counts, linked = roster.member_counts(app)
    return {"units": len(roster.unit_paths(app)), "linked": linked, **counts}


@route(ADMIN)
def roster_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/roster: the import form and what the roster holds."""
    app = state_of(request).app
    return render(
        request,
        viewer,
        "roster.html",
        counts=_roster_counts(app),
        report=None,
        error=None,
        filename=None,
        skip_invalid=False,
    )


@route(ADMIN, csrf="handler")
async def roster_import(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/roster (multipart): import the file; per-row errors; all-or-nothing by default."""
    app = state_of(request).app
    with tempfile.TemporaryDirectory(prefix="quantriet-upload-") as tmp:
        form = await upload_form(request, viewer, Path(tmp))
        if isinstance(form, web.StreamResponse):
            return form
        fields, saved = form
        skip_invalid = fields.get("skip_invalid") == "1"

        def again(status: int, **context) -> web.Response:
            values = {
                "report": None,
                "error": None,
                "filename": saved.name if saved else None,
                "skip_invalid": skip_invalid,
                **context,
            }
            return render(request, viewer, "roster.html", status=status, counts=_roster_counts(app), **values)

        if saved is None or saved.stat().st_size == 0:
            return again(400, error="Hãy chọn tệp danh sách (.xlsx hoặc .csv) để nhập.")
        if saved.suffix.lower() not in UPLOAD_SUFFIXES:
            return again(400, error=NOT_A_SPREADSHEET.format(name=saved.name))
        try:
            report = await asyncio.to_thread(roster.import_roster, app, viewer.person, saved, skip_invalid)
        except UserError as exc:
            return again(400, error=exc.message)
        return again(200 if report.imported else 400, report=report)


@route(ADMIN)
def people_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/people?q=…|unit=U: find people (or browse a unit), open one, change their role."""
    app = state_of(request).app
    query = request.query.get("q", "").strip()[:100]
    unit = to_int(request.query.get("unit"))
    if query:
        people = roster.find_people(app, query, limit=PEOPLE_LIMIT)
    elif unit is not None:
        people = roster.list_people(app, unit)[:PEOPLE_LIMIT]
    else:
        people = [p for p in roster.list_people(app, status="active") if p.role != "cadre"][:PEOPLE_LIMIT]
    return render(
        request,
        viewer,
        "people.html",
        people=people,
        query=query,
        unit=unit,
        units=unit_choices(app),
        roles=roster.ROLES,
        message=request.query.get("ok"),
        error=None,
    )


@route(ADMIN)
def set_role(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/people/{id}/role: grant or remove the officer/admin role."""
    app = state_of(request).app
    form = form_of(request)
    person_id = to_int(request.match_info["id"]) or 0
    try:
        person = roster.set_role(app, viewer.person, person_id, form.get("role", ""))
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa đổi được vai trò", exc.message)
    return redirect("/admin/people?" + urlencode({"q": form.get("q", ""), "ok": person.full_name}))


def _exports_form(
    request: web.Request,
    viewer: Viewer,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> web.Response:
    """The export's choices (refilled with ``form`` after an ``error``, so only the mistake is redone)."""
    app = state_of(request).app
    return render(
        request,
        viewer,
        "exports.html",
        status=status,
        assignments=assignments.list_assignments(app),
        units=unit_choices(app),
        error=error,
        form=form or {},
    )


@route(ADMIN)
def exports_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/exports: choose the scope and format of the evidence export."""
    return _exports_form(request, viewer)


def _date(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{label} không đúng dạng ngày.") from None


@route(ADMIN)
def export_download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/exports: build the XLSX/CSV export and send it as a download."""
    app = state_of(request).app
    form = form_of(request)
    try:
        attachment = exports.export_attachment(
            app,
            viewer.person,
            form.get("format", "xlsx"),
            to_int(form.get("assignment")),
            to_int(form.get("unit")),
            _date(form.get("since"), "Từ ngày"),
            _date(form.get("until"), "Đến ngày"),
        )
    except UserError as exc:
        return _exports_form(request, viewer, 400, exc.message, form)
    return attachment_response(attachment.filename, attachment.mime, attachment.content)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/roster", roster_page),
        web.post("/admin/roster", roster_import),
        web.get("/admin/people", people_page),
        web.post("/admin/people/{id}/role", set_role),
        web.get("/admin/exports", exports_page),
        web.post("/admin/exports", export_download),
    ]
