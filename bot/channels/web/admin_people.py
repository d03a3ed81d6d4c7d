"""Self-registrations waiting for approval, answers to the questions the bot could not answer,
and the ledger check, on the admin pages.

Approving or rejecting is :func:`bot.core.chat.registration.decide`, the same function as the
chat's "Duyệt" button (the core checks the officer role, audits, and queues the notice to the
person). A question is answered through :func:`bot.core.chat.library.reply_to_question` (curated
Q&A for the bot, notice to the asker). The ledger check is :func:`bot.core.evidence.ledger.verify`, as ``quantriet ledger verify``.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from bot.channels.web.base import (
    ADMIN,
    OFFICER,
    Viewer,
    error_page,
    form_of,
    redirect,
    render,
    route,
    state_of,
    to_int,
)
from bot.core.chat import library, registration
from bot.core.errors import UserError
from bot.core.evidence import ledger
from bot.core.roster import audit, roster


@route(OFFICER)
async def approvals(request: web.Request, viewer: Viewer) -> web.StreamResponse:
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


async def _decide(request: web.Request, viewer: Viewer, approve: bool) -> web.StreamResponse:
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
async def approve(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/approvals/{id}/approve."""
    return await _decide(request, viewer, True)


@route(OFFICER)
async def reject(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/approvals/{id}/reject."""
    return await _decide(request, viewer, False)


@route(OFFICER)
async def answer_question(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/questions/{id}/answer: the office answers a question the bot could not."""
    state = state_of(request)
    form = await form_of(request)
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
async def ledger_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/ledger: the hash chain checked now, with its head hash to write down."""
    app = state_of(request).app
    audit.record(app, viewer.person, "ledger.verify", True)
    result = await asyncio.to_thread(ledger.verify, app)
    return render(request, viewer, "ledger.html", result=result)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/approvals", approvals),
        web.post("/admin/approvals/{id}/approve", approve),
        web.post("/admin/approvals/{id}/reject", reject),
        web.get("/admin/ledger", ledger_page),
        web.post("/admin/questions/{id}/answer", answer_question),
    ]
