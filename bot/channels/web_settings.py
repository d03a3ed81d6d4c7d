"""The ``[web]`` section of config.toml, with its environment overrides, and the server's public address.

Outside the ``web`` package so that reading them (``quantriet serve``, ``quantriet roster invites``)
does not load aiohttp and the admin pages.

The web chat and the admin pages listen on 127.0.0.1 by default: they are meant to sit behind the
province's own reverse proxy (which adds TLS), never to face the internet directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.core.outbox.downloads import DownloadSettings

ADMIN_PASSWORD_ENV = "QUANTRIET_ADMIN_PASSWORD"
ADMIN_PHONE_ENV = "QUANTRIET_ADMIN_PHONE"


@dataclass
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    bot_name: str = "Trợ lý quán triệt"
    max_upload_mb: float = 5.0
    chat_session_days: int = 30
    admin_session_hours: int = 8
    login_delay_seconds: float = 1.0
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    poll_seconds: int = 3
    secure_cookies: bool = False

    @classmethod
    def load(cls, config: Config) -> WebSettings:
        return config.section(
            "web",
            cls,
            env={"host": "QUANTRIET_WEB_HOST", "port": "QUANTRIET_WEB_PORT"},
        )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def public_base(config: Config) -> str:
    """Where users reach this server: ``[downloads] public_url``, else the ``[web]`` address."""
    base = DownloadSettings.load(config).public_url.strip()
    if not base:
        web_settings = WebSettings.load(config)
        base = f"http://{web_settings.host}:{web_settings.port}"
    return base.rstrip("/")
