"""The ``[web]`` section of config.toml, with its environment overrides, and the server's public address.

Outside the ``web`` package so that reading them (``quantriet serve``, ``quantriet roster invites``)
does not load aiohttp and the admin pages.

The web chat and the admin pages listen on 127.0.0.1 by default: they are meant to sit behind the
province's own reverse proxy (which adds TLS), never to face the internet directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError
from bot.core.outbox.downloads import DownloadSettings

if TYPE_CHECKING:
    from bot.app import App

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
    trusted_proxies: list[str] = field(default_factory=list)
    poll_seconds: int = 3
    secure_cookies: bool = False

    @classmethod
    def load(cls, config: Config) -> WebSettings:
        return config.section(
            "web",
            cls,
            env={"host": "QUANTRIET_WEB_HOST", "port": "QUANTRIET_WEB_PORT"},
        )

    @cached_property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` parsed (an address or a network such as "10.0.0.0/8")."""
        try:
            return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in self.trusted_proxies)
        except ValueError as exc:
            raise ConfigError(f"[web] trusted_proxies: {exc}") from None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def public_base(app: App) -> str:
    """Where users reach this server, for every link the bot prints: ``QUANTRIET_PUBLIC_URL`` /
    ``[downloads] public_url``; else the address ``serve`` actually bound (``serve --port``
    included); else (another process, such as ``roster invites``) the ``[web]`` address."""
    base = DownloadSettings.load(app.config).public_url.strip() or app.bound_url
    if not base:
        web_settings = WebSettings.load(app.config)
        base = f"http://{web_settings.host}:{web_settings.port}"
    return base.rstrip("/")
