"""Short-lived download links (how a file reaches a Zalo user) and the GET /tai/<token> route."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from bot import store
from bot.app import App
from bot.channels import download_route
from bot.core.chat.messages import Attachment
from bot.core.outbox import downloads
from tests.fake_zalo import serving

XLSX = Attachment(
    "Báo cáo quán triệt.xlsx",
    b"PK\x03\x04 fake xlsx bytes",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def test_links_share_one_stored_file_and_expire(app: App) -> None:
    first = downloads.issue(app, XLSX, "zalo:u1")
    second = downloads.issue(app, XLSX, "zalo:u2")
    assert first.token != second.token
    assert [p.name for p in downloads.folder(app).iterdir()] == [downloads.fetch(app, first.token).path.name]
    # only a hash of the token is stored: a copy of the database opens no link
    assert app.db.execute("SELECT COUNT(*) FROM downloads WHERE token_hash = ?", (first.token,)).fetchone()[0] == 0

    later = app.now() + timedelta(hours=25)
    app.now = lambda: later  # type: ignore[method-assign]
    with pytest.raises(downloads.LinkExpired):
        downloads.fetch(app, first.token)
    assert downloads.purge_expired(app) == 2
    assert list(downloads.folder(app).iterdir()) == []
    with pytest.raises(downloads.LinkUnknown):
        downloads.fetch(app, first.token)


@pytest.mark.parametrize("token", ["", "../../quantriet.db", "x" * 43, "short"])
def test_unknown_or_malformed_tokens_are_refused(app: App, token: str) -> None:
    with pytest.raises(downloads.LinkUnknown):
        downloads.fetch(app, token)


async def test_the_route_serves_the_file_once_per_link_lifetime(app: App) -> None:
    web_app = web.Application()
    download_route.add_routes(web_app, app)
    download_route.add_routes(web_app, app)  # idempotent: every channel may call it
    async with serving(web_app) as origin:
        app.config.raw["downloads"] = {"public_url": origin + "/"}
        line = download_route.link_text(app, XLSX, "zalo:u1")
        url = next(word for word in line.split() if word.startswith("http"))
        assert url.startswith(origin + "/tai/") and "Báo cáo quán triệt.xlsx" in line
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200
                assert await response.read() == XLSX.content
                assert "filename*=UTF-8''B%C3%A1o" in response.headers["Content-Disposition"]
                assert response.headers["Cache-Control"] == "no-store"
            async with http.get(f"{origin}/tai/{'A' * 43}") as response:
                assert response.status == 404
                assert "không đúng" in await response.text()
            app.now = lambda: store.utcnow() + timedelta(days=2)  # type: ignore[method-assign]
            async with http.get(url) as response:
                assert response.status == 410
                assert "hết hạn" in await response.text()
