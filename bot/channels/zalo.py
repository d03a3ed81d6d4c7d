"""``quantriet serve`` hook for Zalo: the Bot Platform and the Official Account, each when configured.

The two Zalo products are separate adapters (:mod:`bot.channels.zalo_bot`, channel ``zalo``;
:mod:`bot.channels.zalo_oa`, channel ``zalo_oa``) over the same core; this module only decides
which of them run, from the secrets present in the environment, and mounts their webhooks and the
download links they use for files on the shared server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels import download_route, zalo_bot, zalo_oa
from bot.config import secret

if TYPE_CHECKING:
    from bot.serve import Service


def install(service: Service) -> None:
    """Add Zalo Bot (when ZALO_BOT_TOKEN is set) and Zalo OA (when its app id and key are set)."""
    app = service.app
    token = secret(zalo_bot.TOKEN_ENV)
    if token:
        settings = zalo_bot.ZaloBotSettings.load(app.config)
        bot = zalo_bot.ZaloBotChannel(app, service.conversation, settings, token, secret(zalo_bot.WEBHOOK_SECRET_ENV))
        if settings.webhook_url:
            service.web.router.add_post(settings.webhook_path, bot.webhook)
            service.note(f"Zalo Bot: nhận tin qua webhook {settings.webhook_url}")
        else:
            service.note("Zalo Bot: nhận tin bằng long polling.")
        service.add_channel(bot, bot.lifecycle)
    else:
        service.note(f"Zalo Bot: tắt (chưa đặt {zalo_bot.TOKEN_ENV}).")

    app_id, secret_key = secret(zalo_oa.APP_ID_ENV), secret(zalo_oa.SECRET_KEY_ENV)
    if app_id and secret_key:
        settings_oa = zalo_oa.ZaloOASettings.load(app.config)
        zalo_oa.seed_tokens(app, secret(zalo_oa.ACCESS_TOKEN_ENV), secret(zalo_oa.REFRESH_TOKEN_ENV))
        oa = zalo_oa.ZaloOAChannel(app, service.conversation, settings_oa, app_id, secret_key)
        service.web.router.add_post(settings_oa.webhook_path, oa.webhook)
        service.note(f"Zalo OA: nhận sự kiện qua webhook {settings_oa.webhook_path}")
        if zalo_oa.reauth_required(app):
            service.note(f"Zalo OA: {zalo_oa.REAUTH}")
        service.add_channel(oa, oa.lifecycle)
    else:
        service.note(f"Zalo OA: tắt (chưa đặt {zalo_oa.APP_ID_ENV} và {zalo_oa.SECRET_KEY_ENV}).")

    if token or (app_id and secret_key):
        download_route.add_routes(service.web, app)
