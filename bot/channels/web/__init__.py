"""The web channel: a messenger-like chat and the admin pages, served by ``quantriet serve``.

:func:`install` plugs it into the shared server (see bot/serve.py); :func:`setup` adds the same
routes to any aiohttp application (the tests use it with their own). Everything a page loads
(scripts, styles, icons) is served from ``static/``: nothing comes from the internet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web import (
    admin,
    admin_assignments,
    admin_broadcasts,
    admin_conferences,
    admin_data,
    admin_documents,
    admin_invites,
    admin_people,
    admin_units,
    auth,
    chat,
)
from bot.channels.web.base import HERE, STATE, WebState, make_templates
from bot.channels.web.chatlog import WebTransport
from bot.channels.web.security import admin_password
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, WebSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.app import App
    from bot.core.chat.conversation import Conversation
    from bot.serve import Service


def setup(
    web_app: web.Application, app: App, conversation: Conversation, wake_sender: Callable[[], None] | None = None
) -> WebState:
    """Add the chat, the admin pages and the static files to ``web_app``."""
    settings = WebSettings.load(app.config)
    state = WebState(
        app=app,
        settings=settings,
        templates=make_templates(),
        conversation=conversation,
        wake_sender=wake_sender,
    )
    web_app[STATE] = state
    for module in (
        chat,
        auth,
        admin,
        admin_assignments,
        admin_broadcasts,
        admin_conferences,
        admin_data,
        admin_documents,
        admin_invites,
        admin_people,
        admin_units,
    ):
        web_app.router.add_routes(module.routes())
    web_app.router.add_static("/static", HERE / "static", append_version=False)
    return state


def install(service: Service) -> None:
    """Serve the web chat and admin pages, and deliver broadcasts to web accounts."""
    setup(service.web, service.app, service.conversation, service.sender.wake)
    service.add_channel(WebTransport(service.app))
    service.note("Trò chuyện trên web: {base}/  ·  Trang quản trị: {base}/admin")
    if admin_password() is None:
        service.note(f"Đăng nhập quản trị bằng mật khẩu: tắt (chưa đặt {ADMIN_PASSWORD_ENV}).")
    else:
        who = auth.admin_identity(service.app)
        service.note(f"Đăng nhập quản trị: {{base}}/admin/login, mật khẩu trong {ADMIN_PASSWORD_ENV}, vào với {who}.")
