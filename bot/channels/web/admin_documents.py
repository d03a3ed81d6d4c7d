"""Uploading a document (or a new version of one) from the admin pages, with a progress bar while
it is read and indexed (:mod:`bot.core.evidence.uploads` does the work in a worker thread).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from aiohttp import web

from bot.channels.web.admin_data import upload_form
from bot.channels.web.base import (
    OFFICER,
    Viewer,
    error_page,
    not_found,
    redirect,
    render,
    route,
    state_of,
)
from bot.core.errors import UserError
from bot.core.evidence import uploads


@route(OFFICER, csrf="handler")
async def upload(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/documents (multipart): save the file, start reading it, show the progress page."""
    state = state_of(request)
    with tempfile.TemporaryDirectory(prefix="quantriet-doc-") as tmp:
        form = await upload_form(request, viewer, Path(tmp))
        if isinstance(form, web.StreamResponse):
            return form
        _fields, saved = form
        if saved is None or saved.stat().st_size == 0:
            return error_page(request, viewer, 400, "Chưa có tệp", "Hãy chọn tệp văn bản để tải lên.")
        try:
            job, path = uploads.accept(state.app, viewer.person, saved.name)
        except UserError as exc:
            return error_page(request, viewer, 400, "Chưa nạp được văn bản", exc.message)
        shutil.move(saved, path)  # over an earlier upload of the same name: its new version
    asyncio.get_running_loop().run_in_executor(None, uploads.run, state.app, job, path)
    return redirect(f"/admin/uploads/{job.id}")


@route(OFFICER)
def progress_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/uploads/{job}: the progress bar (polls the JSON below)."""
    job = uploads.get(request.match_info["job"])
    if job is None:
        return not_found(request, viewer, "Không có lượt tải lên này (máy chủ có thể đã khởi động lại).")
    return render(request, viewer, "upload.html", job=job)


@route(OFFICER, api=True)
def progress(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/api/uploads/{job}: stage, percent and, when finished, the summary."""
    job = uploads.get(request.match_info["job"])
    if job is None:
        return web.json_response({"error": "Không có lượt tải lên này."}, status=404)
    return web.json_response({"fields": {"label": job.to_json()["label"], "message": job.message}, **job.to_json()})


def routes() -> list[web.RouteDef]:
    return [
        web.post("/admin/documents", upload),
        web.get("/admin/uploads/{job}", progress_page),
        web.get("/admin/api/uploads/{job}", progress),
    ]
