"""Logging in and out: sessions, throttling, and the administrator's password login.

(Cadres log in with their invite code on the chat page, see chat.py.) A browser is a chat account
like a phone is: it gets a long-lived random device id (cookie ``qt_device``), and the invite code
links the "web" account with that id to the roster person through the core's ``link_by_invite``.
Logging out ends the session but keeps the device id, so the same person can log in again from the
same browser with the same code (the core refuses a used code from any *other* account, because it
may have been forwarded).

The password login (``QUANTRIET_ADMIN_PASSWORD``) acts as a roster person, so the core's role
checks and audit rows work unchanged: the person whose phone is ``QUANTRIET_ADMIN_PHONE`` when that
person is in the roster, otherwise the operator account, a local person "Quản trị hệ thống" (role
admin, no unit) created on first login and reused after. A phone that is not (or not yet) in the
roster never locks the administrator out: that is how a new installation starts, before any roster
is imported; the start banner says which account the password opens.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web import security
from bot.channels.web.base import (
    ANYONE,
    CHANNEL,
    Viewer,
    form_of,
    off_loop,
    redirect,
    render,
    route,
    set_cookie,
    state_of,
)
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV
from bot.core.errors import UserError
from bot.core.roster import attempts, audit, roster

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SYSTEM_ADMIN_NAME = "Quản trị hệ thống"
SYSTEM_ADMIN_ACCOUNT = "admin-password"
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest cookie lifetime browsers accept
WRONG_PASSWORD = "Mật khẩu không đúng."
PASSWORD_DISABLED = (
    "Đăng nhập quản trị bằng mật khẩu đang tắt vì chưa đặt mật khẩu. Người vận hành máy chủ hãy đặt "
    f"biến môi trường {ADMIN_PASSWORD_ENV} rồi khởi động lại «quantriet serve»."
)


def client_key(request: web.Request) -> str:
    """Who is trying (for limits and logs): the client's address, read through the reverse
    proxies listed in ``[web] trusted_proxies`` (see :func:`security.client_address`)."""
    return security.client_address(
        request.remote, request.headers.getall("X-Forwarded-For", []), state_of(request).settings.proxy_networks
    )


def locked_message(seconds: float) -> str:
    return attempts.TOO_MANY.format(wait=attempts.wait_text(seconds))


async def failed(request: web.Request, *keys: str) -> None:
    """Count a failed attempt under ``keys`` and slow the answer down, so guessing costs time."""
    state = state_of(request)
    state.app.attempts.failed(*keys)
    await asyncio.sleep(state.settings.login_delay_seconds)


def admin_keys(request: web.Request) -> list[str]:
    """What a password attempt counts under: a browser that logged in as the admin before counts
    on its own (so strangers' failures never keep the real admin out of their usual browser);
    any other browser counts under its address and under the admin account."""
    device = request.cookies.get(security.DEVICE_COOKIE)
    if device and state_of(request).app.attempts.known("admin-device:" + device):
        return ["admin-device:" + device]
    return ["admin-address:" + client_key(request), "admin-account"]


def start_session(
    request: web.Request, kind: str, external_id: str, lifetime: timedelta, location: str
) -> web.Response:
    app = state_of(request).app
    security.end_session(app, request.cookies.get(security.SESSION_COOKIE))  # no session fixation
    token, _ = security.create_session(app, kind, external_id, lifetime)
    response = redirect(location)
    set_cookie(request, response, security.SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()))
    return response


@route(ANYONE)
def logout(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /logout: end this browser's session (the device id stays, see the module doc)."""
    security.end_session(state_of(request).app, viewer.token)
    admin = viewer.session is not None and viewer.session.kind == "admin"
    response = redirect("/admin/login" if admin else "/")
    response.del_cookie(security.SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------------------------- admin login


@route(ANYONE)
def admin_login_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/login; an officer or admin already logged in goes straight to the dashboard."""
    if viewer.is_officer:
        return redirect("/admin")
    enabled = security.admin_password() is not None
    return render(request, viewer, "admin_login.html", enabled=enabled, error=None if enabled else PASSWORD_DISABLED)


@route(ANYONE)
async def admin_login(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/login: check the password (constant time, throttled) and open an admin session."""
    state = state_of(request)
    expected = security.admin_password()
    if expected is None:
        return render(request, viewer, "admin_login.html", status=403, enabled=False, error=PASSWORD_DISABLED)
    keys = admin_keys(request)
    locked = state.app.attempts.wait(*keys)
    if locked:
        return render(request, viewer, "admin_login.html", status=429, enabled=True, error=locked_message(locked))
    form = form_of(request)
    if not security.same_secret(form.get("password"), expected):
        log.warning("web: wrong admin password from %s", client_key(request))
        await failed(request, *keys)
        return render(request, viewer, "admin_login.html", status=401, enabled=True, error=WRONG_PASSWORD)
    state.app.attempts.succeeded(*keys)
    device = request.cookies.get(security.DEVICE_COOKIE) or security.new_token()
    state.app.attempts.remember("admin-device:" + device)
    response = await off_loop(_open_admin_session, request)
    set_cookie(request, response, security.DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE)
    return response


def _open_admin_session(request: web.Request) -> web.Response:
    """In a page thread: the admin account (created when missing), the audit row, the session."""
    state = state_of(request)
    external_id = admin_account(state.app)
    audit.record(state.app, roster.person_for(state.app, CHANNEL, external_id), "web.login", True, method="password")
    lifetime = timedelta(hours=state.settings.admin_session_hours)
    return start_session(request, "admin", external_id, lifetime, "/admin")


def admin_account(app: App) -> str:
    """The web account the password login acts as (see the module doc); created when missing."""
    phone = os.environ.get(ADMIN_PHONE_ENV, "").strip()
    if phone:
        external_id = f"admin-{roster.normalise_phone(phone)}"
        try:
            roster.link_by_phone(app, CHANNEL, external_id, phone, "Mật khẩu quản trị")
            return external_id
        except UserError:
            log.warning(
                "web: %s=%s is not in the roster; the password opens the operator account", ADMIN_PHONE_ENV, phone
            )
    if roster.person_for(app, CHANNEL, SYSTEM_ADMIN_ACCOUNT) is None:
        roster.add_operator(app, CHANNEL, SYSTEM_ADMIN_ACCOUNT, SYSTEM_ADMIN_NAME, "Mật khẩu quản trị")
    return SYSTEM_ADMIN_ACCOUNT


def admin_identity(app: App) -> str:
    """Whom the password login will act as, in words for the start banner."""
    phone = os.environ.get(ADMIN_PHONE_ENV, "").strip()
    if phone:
        person = roster.person_by_phone(app, phone)
        if person is not None:
            return f"{person.full_name} ({person.phone})"
        return f"tài khoản vận hành «{SYSTEM_ADMIN_NAME}» (số {phone} trong {ADMIN_PHONE_ENV} chưa có trong danh sách)"
    return f"tài khoản vận hành «{SYSTEM_ADMIN_NAME}»"


def routes() -> list[web.RouteDef]:
    return [
        web.post("/logout", logout),
        web.get("/admin/login", admin_login_page),
        web.post("/admin/login", admin_login),
    ]
