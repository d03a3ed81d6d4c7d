"""What every web route shares: who is asking, whether they may, and how pages are rendered.

Each handler is wrapped by :func:`route`, which resolves the browser's session to a roster person,
checks the CSRF token of every POST (in constant time) *before* the handler runs, and enforces the
route's access level. Role checks happen here for every route and again inside the core functions
(which also write the audit rows), so a forgotten check in a page cannot open a privileged action.

The database work of a request runs in a small pool of page threads, never on the event loop (a
dashboard over a whole province reads for seconds; on the loop it would stall every webhook,
chat and ``/health`` meanwhile): the session look-up and the access check always, and the whole
handler when it is a plain function (``def``, given the form already read: :func:`form_of`).
Handlers that stream a body or wait on the conversation stay ``async``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import jinja2
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

from bot.channels.web import charts, security
from bot.channels.web_settings import WebSettings
from bot.core import clock, numbers
from bot.core.evidence import documents, exports
from bot.core.roster import audit, roster
from bot.core.roster.roster import Person

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.chat.conversation import Conversation

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
CHANNEL = "web"

# Access levels, weakest first.
ANYONE, PERSON, OFFICER, ADMIN = "anyone", "person", "officer", "admin"
_ROLES = {OFFICER: audit.OFFICERS, ADMIN: audit.ADMINS}


@dataclass
class WebState:
    """The web channel's share of the process: the app, its settings and the page templates."""

    app: App
    settings: WebSettings
    templates: jinja2.Environment
    conversation: Conversation
    wake_sender: Callable[[], None] | None = None  # new deliveries queued: let the sender look now


STATE = web.AppKey("quantriet_web", WebState)
# What reading a malformed body raises (a broken multipart or urlencoded form, a bad charset or
# header): the request gets a 400, never a 500.
BAD_BODY = (ValueError, LookupError, AssertionError, HttpProcessingError)
BAD_REQUEST = "Yêu cầu không hợp lệ."


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["datetime"] = lambda v: clock.format_datetime(v) if v else ""
    env.filters["date"] = lambda v: clock.format_date(v) if v else ""
    env.filters["level"] = charts.level
    env.filters["number"] = numbers.format_number
    env.filters["percent"] = numbers.format_percent
    env.filters["channel"] = lambda c: exports.CHANNEL_LABELS.get(c, c)
    env.globals["role_label"] = lambda role: roster.ROLE_LABELS.get(role, role)
    env.globals["action_label"] = audit.action_label
    env.globals["audit_detail"] = audit.detail_text
    return env


@dataclass
class Viewer:
    """The browser behind a request: its session (if logged in), the person, and its CSRF token."""

    session: security.WebSession | None
    token: str | None
    person: Person | None
    csrf: str
    new_anon_csrf: bool = False

    @property
    def is_officer(self) -> bool:
        return self.person is not None and audit.allowed(self.person, audit.OFFICERS)

    @property
    def is_admin(self) -> bool:
        return self.person is not None and audit.allowed(self.person, audit.ADMINS)


def state_of(request: web.Request) -> WebState:
    return request.app[STATE]


def viewer_for(request: web.Request) -> Viewer:
    """Resolve the cookies: a session whose account is no longer linked counts as logged out."""
    app = state_of(request).app
    token = request.cookies.get(security.SESSION_COOKIE)
    session = security.load_session(app, token)
    person = roster.person_for(app, CHANNEL, session.external_id) if session else None
    if session is None or person is None:
        anon = request.cookies.get(security.ANON_CSRF_COOKIE)
        return Viewer(None, None, None, anon or security.new_token(), new_anon_csrf=not anon)
    return Viewer(session, token, person, session.csrf)


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None = None
) -> None:
    """Every cookie of the app: HttpOnly, SameSite=Strict, whole site (Secure when configured)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=state_of(request).settings.secure_cookies or None,
    )


def render(request: web.Request, viewer: Viewer, template: str, *, status: int = 200, **context: Any) -> web.Response:
    state = state_of(request)
    html = state.templates.get_template(template).render(
        viewer=viewer, settings=state.settings, path=request.path, **context
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, viewer: Viewer, status: int, title: str, message: str) -> web.Response:
    return render(request, viewer, "error.html", status=status, title=title, message=message)


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST the browser GETs the next page (no resubmission on reload)."""
    return web.Response(status=303, headers={"Location": location})


def not_found(request: web.Request, viewer: Viewer, message: str) -> web.Response:
    return error_page(request, viewer, 404, "Không tìm thấy", message)


def to_int(text: str | None) -> int | None:
    """A number from a query string or a form field; None when blank or not a number."""
    try:
        return int(text) if text else None
    except ValueError:
        return None


def to_date(text: str | None) -> date | None:
    """An ISO date from a query string (an ``<input type="date">``); None when blank or not a date."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def unit_choices(app: App) -> list[tuple[int, str]]:
    """(id, full path) of every unit, sorted by path: the options of a unit picker."""
    return sorted(roster.unit_paths(app).items(), key=lambda item: item[1])


def render_form(
    request: web.Request,
    viewer: Viewer,
    template: str,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: str | None = None,
    selected: list[int] | None = None,
    **context: Any,
) -> web.Response:
    """A page whose form sends a document to units (assignment, broadcast, conference), refilled with
    ``form`` and the ``selected`` units after an ``error``: it offers the current documents, the unit
    picker's units and today (the earliest date it accepts)."""
    app = state_of(request).app
    return render(
        request,
        viewer,
        template,
        status=status,
        form=form or {},
        error=error,
        documents=documents.current_documents(app),
        units=unit_choices(app),
        selected=[str(u) for u in selected or []],
        today=clock.local_today(app.now()).isoformat(),
        **context,
    )


def error_json(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


CHECKIN_PATH = "/diemdanh/"  # + a conference's check-in code: what the venue's QR code opens


def return_path(target: str | None) -> str:
    """Where the web chat goes after logging in: back to the check-in page that sent the person to
    log in (``?next=``), else the chat. Only that path is followed, so the login page can never be
    made to send anyone to another site."""
    if target and target.startswith(CHECKIN_PATH) and target[len(CHECKIN_PATH) :].replace("_", "").isalnum():
        return target
    return "/"


CSRF_REFUSED = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại."
TOO_LARGE = "Tệp hoặc dữ liệu gửi lên quá lớn (tối đa {mb:g} MB)."


def too_large(request: web.Request, viewer: Viewer, api: bool = False) -> web.Response:
    message = TOO_LARGE.format(mb=state_of(request).settings.max_upload_mb)
    if api:
        return error_json(413, message)
    return error_page(request, viewer, 413, "Dữ liệu quá lớn", message)


def bad_request(request: web.Request, viewer: Viewer, api: bool = False) -> web.Response:
    if api:
        return error_json(400, BAD_REQUEST)
    return error_page(request, viewer, 400, "Yêu cầu không hợp lệ", "Biểu mẫu gửi lên không đọc được.")


def csrf_ok(viewer: Viewer, given: str | None) -> bool:
    return security.same_secret(given, viewer.csrf)


Handler = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]
PageHandler = Callable[[web.Request, Viewer], web.StreamResponse]  # runs in a page thread
# the request's urlencoded form, read by route() before the handler
FORM = web.RequestKey("quantriet_form", MultiDictProxy[str | bytes | web.FileField])
T = TypeVar("T")


@functools.cache
def _pages() -> ThreadPoolExecutor:
    """The page threads (each with its own SQLite connection, see App.db), apart from the answer
    workers: a page does not queue behind a crowd's questions, nor they behind a long report."""
    return ThreadPoolExecutor(max_workers=max(4, 2 * (os.cpu_count() or 2)), thread_name_prefix="page")


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a page thread; the loop serves other requests meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_pages(), functools.partial(work, *args))


def route(
    access: str = ANYONE, *, api: bool = False, csrf: str = "form"
) -> Callable[[Handler | PageHandler], Callable]:
    """Wrap a handler with the session lookup, the CSRF check and the access check.

    ``csrf`` says where a POST carries its token: "form" (a field of an urlencoded form, checked
    here), "header" (``X-CSRF-Token``, for the chat's JSON calls) or "handler" (a streamed
    multipart upload: the handler checks it with :func:`csrf_ok` before using anything).
    """

    def wrap(handler: Handler | PageHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        in_thread = not inspect.iscoroutinefunction(handler)

        async def run(request: web.Request) -> web.StreamResponse:
            viewer = await off_loop(viewer_for, request)
            if request.method == "POST" and csrf != "handler":
                given: str | bytes | web.FileField | None
                try:
                    if csrf == "header":
                        given = request.headers.get(security.CSRF_HEADER)
                    else:
                        request[FORM] = await request.post()
                        given = request[FORM].get(security.CSRF_FIELD)
                except web.HTTPRequestEntityTooLarge:
                    return _finish(request, viewer, too_large(request, viewer, api))
                except BAD_BODY as exc:
                    log.warning("web: unreadable %s body: %s", request.path, exc)
                    return _finish(request, viewer, bad_request(request, viewer, api))
                if not csrf_ok(viewer, given if isinstance(given, str) else None):
                    log.warning("web: CSRF token refused for %s %s", request.method, request.path)
                    refused = (
                        error_json(403, CSRF_REFUSED)
                        if api
                        else error_page(request, viewer, 403, "Yêu cầu bị từ chối", CSRF_REFUSED)
                    )
                    return _finish(request, viewer, refused)
            if in_thread:
                response = await off_loop(_admitted, cast(PageHandler, handler), request, viewer, access, api)
                return _finish(request, viewer, response)
            denied = await off_loop(_check_access, request, viewer, access, api)
            if denied is not None:
                return _finish(request, viewer, denied)
            return _finish(request, viewer, await cast(Handler, handler)(request, viewer))

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return run

    return wrap


def _admitted(handler: PageHandler, request: web.Request, viewer: Viewer, access: str, api: bool) -> web.StreamResponse:
    """The access check, then the handler, in one page thread."""
    return _check_access(request, viewer, access, api) or handler(request, viewer)


def _check_access(request: web.Request, viewer: Viewer, access: str, api: bool) -> web.StreamResponse | None:
    if access == ANYONE:
        return None
    if viewer.person is None:
        if api:
            return error_json(401, "Đồng chí cần đăng nhập lại.")
        target = "/admin/login" if access in _ROLES else "/"
        return redirect(target)
    if access in _ROLES and not audit.allowed(viewer.person, _ROLES[access]):
        app = state_of(request).app
        audit.record(app, viewer.person, "web.page", False, path=request.path)
        who = "quản trị viên" if access == ADMIN else "cán bộ tuyên giáo và quản trị viên"
        message = f"Trang này chỉ dành cho {who}. Tài khoản của đồng chí không có quyền truy cập."
        if api:
            return error_json(403, message)
        return error_page(request, viewer, 403, "Không có quyền truy cập", message)
    return None


def _finish(request: web.Request, viewer: Viewer, response: web.StreamResponse) -> web.StreamResponse:
    if viewer.new_anon_csrf and viewer.session is None:
        set_cookie(request, response, security.ANON_CSRF_COOKIE, viewer.csrf)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response


def form_of(request: web.Request) -> dict[str, str]:
    """The urlencoded form of a POST (read by :func:`route` for the CSRF check) as plain strings."""
    data = request.get(FORM)
    return {k: v for k, v in data.items() if isinstance(v, str)} if data is not None else {}


def posted_units(request: web.Request) -> list[int]:
    """The units ticked in a unit picker (``_unit_picker.html``): every ``units`` field that is a number."""
    data = request.get(FORM)
    values = data.getall("units", []) if data is not None else []
    return [u for u in (to_int(v) for v in values if isinstance(v, str)) if u is not None]
