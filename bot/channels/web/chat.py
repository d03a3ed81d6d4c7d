"""The web chat: the invite-code login, the messenger page and its two JSON calls.

The page posts each message (or the data of a pressed button) to ``/api/send``; this module hands it
to the channel-neutral core exactly as the Telegram adapter does, as a ``Request`` from channel
"web" whose external id is the browser's linked account, and logs the replies in the chat log. The
page then shows the new rows; ``/api/messages`` returns rows added or edited since the last poll
(broadcasts and reminders arrive that way).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from bot.channels.bodies import json_body
from bot.channels.drafts import WRITING_MARK, settle
from bot.channels.web import auth, chatlog, security
from bot.channels.web.base import (
    ANYONE,
    BAD_REQUEST,
    CHANNEL,
    PERSON,
    Viewer,
    error_json,
    error_page,
    form_of,
    off_loop,
    render,
    return_path,
    route,
    set_cookie,
    state_of,
)
from bot.core.chat import texts
from bot.core.chat.messages import Reply, Request
from bot.core.errors import UserError
from bot.core.roster import attempts, roster

if TYPE_CHECKING:
    from bot.app import App

MAX_TEXT = 2000  # characters of one typed message
MAX_PAYLOAD = 256
MAX_REV = 2**62  # a larger ?rev= cannot be an SQLite integer (every real one is far below)


async def converse(
    request: web.Request,
    external_id: str,
    person: roster.Person,
    *,
    text: str = "",
    payload: str | None = None,
    message_ref: str | None = None,
    shown: str | None = None,
) -> bool:
    """Log what the user sent (``shown``: the words to show for it, None to show nothing), pass it
    to the core, and log the replies (the core turns any error into a message, never raises).
    The logging runs in the core's worker turn, off the event loop. False when the person already
    has messages waiting (nothing was logged or handled)."""
    app = state_of(request).app
    req = Request(
        channel=CHANNEL,
        external_user_id=external_id,
        display_name=person.full_name,
        text=text,
        payload=payload,
        message_ref=message_ref,
    )

    def before() -> None:
        if shown:
            chatlog.add_user_message(app, external_id, shown)

    draft_ref: list[str] = []  # the chat message showing a growing answer, once there is one

    def draft(text: str) -> None:  # in the worker turn, like before/after
        shown_ref = chatlog.add_reply(
            app, external_id, Reply(text + WRITING_MARK, edit_ref=next(iter(draft_ref), None))
        )
        draft_ref[:] = [str(shown_ref)]

    def after(replies: list[Reply]) -> None:
        for reply in settle(replies, next(iter(draft_ref), None)):
            chatlog.add_reply(app, external_id, reply)

    conversation = state_of(request).conversation
    if conversation.busy(req):
        return False
    await conversation.handle(req, before=before, after=after, draft=draft)
    return True


# ------------------------------------------------------------------------------------------ pages


@route(ANYONE)
def chat_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /: the messenger once logged in, else the invite-code form."""
    if viewer.person is None:
        query = request.query
        return render(request, viewer, "login.html", error=None, code=query.get("code", ""), next=query.get("next", ""))
    return render(request, viewer, "chat.html")


@route(ANYONE)
async def chat_login(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /login: link this browser to the roster person holding the invite code."""
    state = state_of(request)
    form = form_of(request)
    code = form.get("code", "").strip()[:64]
    after = return_path(form.get("next"))
    keys = ["invite-address:" + auth.client_key(request)]
    device = request.cookies.get(security.DEVICE_COOKIE) or security.new_token()
    try:
        person, first_visit = await off_loop(_link, state.app, keys, device, code)
    except attempts.TooManyAttempts as exc:
        return render(request, viewer, "login.html", status=429, error=exc.message, code=code, next=after)
    except UserError as exc:
        await asyncio.sleep(state.settings.login_delay_seconds)  # guessing costs time
        return render(request, viewer, "login.html", status=400, error=exc.message, code=code, next=after)
    if first_visit:
        await converse(request, device, person, text="/start")
    lifetime = timedelta(days=state.settings.chat_session_days)
    response = await off_loop(auth.start_session, request, "chat", device, lifetime, after)
    set_cookie(request, response, security.DEVICE_COOKIE, device, max_age=auth.DEVICE_MAX_AGE)
    return response


def _link(app: App, keys: list[str], device: str, code: str) -> tuple[roster.Person, bool]:
    """In a page thread (a broadcast brings many first logins at once): the person holding the
    invite code, linked to this browser under the attempts limit, and whether its chat is new."""
    person = app.attempts.guard(keys, lambda: roster.link_by_invite(app, CHANNEL, device, code, "Trình duyệt web"))
    return person, chatlog.is_empty(app, device)


# ------------------------------------------------------------------------------------------- api


@route(PERSON, api=True)
def messages(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /api/messages?rev=N: messages added or edited since the page last saw rev N."""
    try:
        rev = min(max(0, int(request.query.get("rev", "0"))), MAX_REV)
    except ValueError:
        rev = 0
    assert viewer.session is not None
    return web.json_response(
        {"messages": chatlog.messages_after(state_of(request).app, viewer.session.external_id, rev)}
    )


@route(PERSON, api=True, csrf="header")
async def send(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /api/send {"text"} or {"payload", "label", "ref"}: one user action through the core."""
    try:
        body = json_body(await request.read())
    except web.HTTPRequestEntityTooLarge:
        return error_json(413, "Tin nhắn quá dài.")
    except ValueError:
        return error_json(400, BAD_REQUEST)
    if not isinstance(body, dict):
        return error_json(400, BAD_REQUEST)
    text = str(body.get("text") or "").strip()
    payload = body.get("payload")
    if len(text) > MAX_TEXT:
        return error_json(400, f"Tin nhắn dài quá {MAX_TEXT} ký tự, đồng chí hãy rút gọn.")
    if payload is not None and (not isinstance(payload, str) or len(payload) > MAX_PAYLOAD):
        return error_json(400, "Lựa chọn không hợp lệ.")
    if not text and not payload:
        return error_json(400, texts.EMPTY)
    ref = body.get("ref")
    assert viewer.session is not None and viewer.person is not None
    handled = await converse(
        request,
        viewer.session.external_id,
        viewer.person,
        text=text,
        payload=payload or None,
        message_ref=str(ref) if isinstance(ref, (int, str)) and str(ref).isdigit() else None,
        shown=text or str(body.get("label") or "")[:200] or None,
    )
    if not handled:
        return error_json(429, texts.BUSY)
    return web.json_response({"ok": True})


@route(PERSON)
def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /files/{id}: the attachment of one of this account's messages."""
    assert viewer.session is not None
    try:
        message_id = int(request.match_info["id"])
    except ValueError:
        message_id = 0
    found = chatlog.attachment(state_of(request).app, viewer.session.external_id, message_id)
    if found is None:
        return error_page(request, viewer, 404, "Không tìm thấy tệp", "Tệp này không có hoặc không thuộc về đồng chí.")
    return attachment_response(found.name, found.mime, found.data)


def attachment_response(filename: str, mime: str, data: bytes) -> web.Response:
    """A download: RFC 5987 filename so Vietnamese names survive, plus an ASCII fallback."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    content_type, _, params = mime.partition(";")
    charset = params.partition("charset=")[2].strip() or None
    return web.Response(
        body=data,
        content_type=content_type.strip(),
        charset=charset,
        headers={"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"},
    )


def routes() -> list[web.RouteDef]:
    return [
        web.get("/", chat_page),
        web.post("/login", chat_login),
        web.get("/api/messages", messages),
        web.post("/api/send", send),
        web.get("/files/{id}", download),
    ]
