"""GET /tai/<token>: the HTTP side of :mod:`bot.core.outbox.downloads`, shared by every channel.

Channels that cannot send a file (Zalo Bot Platform, Zalo OA) put :func:`link_text` under the
reply instead. The route is registered once on the shared aiohttp application; a background task
forgets expired links every hour. The base of the link is ``[downloads] public_url`` (the address
people reach the server at, behind the province's reverse proxy); without it the ``[web]``
host and port are used, which only works on the server's own network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.app import App
from bot.channels.web.chat import attachment_response
from bot.channels.web_settings import public_base
from bot.core import clock
from bot.core.chat.messages import Attachment
from bot.core.outbox import downloads

log = logging.getLogger(__name__)

PATH = "/tai/{token}"
PURGE_SECONDS = 3600.0
LINK_LINE = "Tải tệp «{name}»: {url}\n(Liên kết dùng được đến {until}.)"

_APP = web.AppKey("quantriet_downloads_app", App)


def link_text(app: App, attachment: Attachment, purpose: str) -> str:
    """A new short-lived link to ``attachment`` as a line to put under a message."""
    issued = downloads.issue(app, attachment, purpose)
    url = f"{public_base(app)}{PATH.format(token=issued.token)}"
    return LINK_LINE.format(name=attachment.filename, url=url, until=clock.format_spoken(issued.expires_at))


async def serve_download(request: web.Request) -> web.StreamResponse:
    app = request.app[_APP]
    try:
        found = downloads.fetch(app, request.match_info["token"])
    except (downloads.LinkUnknown, downloads.LinkExpired) as exc:
        status = 410 if isinstance(exc, downloads.LinkExpired) else 404
        return web.Response(status=status, text=exc.message, content_type="text/plain", charset="utf-8")
    data = await asyncio.to_thread(found.path.read_bytes)
    response = attachment_response(found.filename, found.mime, data)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def add_routes(web_app: web.Application, app: App) -> None:
    """Register GET /tai/{token} and the hourly purge of expired links on ``web_app``.

    Idempotent: every channel that offers links calls it, the route is added once.
    """
    if _APP in web_app:
        return
    web_app[_APP] = app
    web_app.router.add_get(PATH, serve_download)
    web_app.cleanup_ctx.append(_purge_loop)


async def _purge_loop(web_app: web.Application) -> AsyncIterator[None]:
    app = web_app[_APP]

    async def loop() -> None:
        while True:
            try:
                removed = downloads.purge_expired(app)
                if removed:
                    log.info("downloads: %d expired link(s) removed", removed)
            except Exception:  # housekeeping must never take the server down
                log.exception("downloads: purge failed")
            await asyncio.sleep(PURGE_SECONDS)

    task = asyncio.create_task(loop(), name="downloads-purge")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
