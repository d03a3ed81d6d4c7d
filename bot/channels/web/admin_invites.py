"""Invite codes on the admin pages: who in a unit is connected, re-issue or revoke one person's
code, and the printable A4 sheet of a unit with a QR code per person.

The QR code on the sheet opens the web chat with the code filled in (``/?code=…``); the same code
works typed on Zalo or Telegram (and the Telegram deep link when the bot's username is set). The
core functions check the admin role again and audit every action (``bot.core.roster``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.channels import download_route  # a module (it imports this package while loading)
from bot.channels.web.admin_conferences import qr_svg
from bot.channels.web.base import (
    ADMIN,
    Viewer,
    error_page,
    form_of,
    redirect,
    render,
    route,
    state_of,
    to_int,
    unit_choices,
)
from bot.core.errors import UserError
from bot.core.roster import invite_codes, roster


def _back(unit: int | None, **message: str) -> web.Response:
    query = {"unit": str(unit)} if unit is not None else {}
    return redirect("/admin/invites?" + urlencode({**query, **message}))


@route(ADMIN)
def invites_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/invites?unit=U: the people of a unit with their code and linked chats."""
    app = state_of(request).app
    unit = to_int(request.query.get("unit"))
    return render(
        request,
        viewer,
        "invites.html",
        unit=unit,
        units=unit_choices(app),
        people=invite_codes.states(app, unit) if unit is not None else [],
        message=request.query.get("ok"),
    )


def _act(request: web.Request, viewer: Viewer, reissue: bool) -> web.StreamResponse:
    """Re-issue or revoke one person's code, then back to the unit's list with what was done."""
    app = state_of(request).app
    unit = to_int((form_of(request)).get("unit"))
    person_id = to_int(request.match_info["id"]) or 0
    try:
        if reissue:
            invite = invite_codes.reissue(app, viewer.person, person_id)
            done = f"Mã mời mới của {invite.person.full_name}: {invite.code}"
        else:
            done = f"Đã thu hồi mã mời của {invite_codes.revoke(app, viewer.person, person_id).full_name}."
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa thực hiện được", exc.message)
    return _back(unit, ok=done)


@route(ADMIN)
def reissue(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/invites/{id}/reissue: a fresh code (the old one stops working)."""
    return _act(request, viewer, reissue=True)


@route(ADMIN)
def revoke(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/invites/{id}/revoke: the person's code stops working."""
    return _act(request, viewer, reissue=False)


@route(ADMIN)
def print_sheet(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/invites/print?unit=U: the A4 sheet (issues the missing codes of the unit)."""
    app = state_of(request).app
    unit = to_int(request.query.get("unit"))
    try:
        found = roster.invites(app, unit, actor=viewer.person)
    except UserError as exc:
        return error_page(request, viewer, 400, "Chưa in được phiếu mời", exc.message)
    base = download_route.public_base(app)
    paths = roster.unit_paths(app)
    cards = [
        {
            "invite": invite,
            "unit": paths.get(invite.person.unit_id or 0, ""),
            "svg": qr_svg(f"{base}/?code={invite.code}"),
        }
        for invite in found
        if invite.person.unit_id is not None
    ]
    return render(
        request, viewer, "invites_print.html", cards=cards, unit_name=paths.get(unit or 0, "Toàn tỉnh"), base=base
    )


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin/invites", invites_page),
        web.get("/admin/invites/print", print_sheet),
        web.post("/admin/invites/{id}/reissue", reissue),
        web.post("/admin/invites/{id}/revoke", revoke),
    ]
