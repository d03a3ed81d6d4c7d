"""Zalo Bot Platform: the API envelope, quiet idle polling, typed errors and the webhook guard.

The conversation is not needed here (only image/sticker/withheld events are answered, which the
adapter answers itself); the end-to-end flows through the core are in test_zalo_e2e.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.app import App
from bot.channels import inbound, zalo_bot
from bot.channels.zalo_bot import ZaloBotApi, ZaloBotChannel, ZaloBotSettings, ZaloRateLimited, ZaloTokenInvalid
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.outbox.transport import Blocked, RetryLater, Unreachable
from tests.fake_zalo import BOT_TOKEN, FakeZaloBot, serving

SECRET = "webhook-secret-123"


@pytest.fixture
async def fake_bot() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(max_poll_seconds=0.2) as fake:
        yield fake


def channel_for(app: App, fake: FakeZaloBot, **overrides: object) -> ZaloBotChannel:
    settings = ZaloBotSettings(
        base_url=fake.base_url,
        poll_timeout=1,
        request_timeout=5.0,
        rate_limit_seconds=0.05,
        max_backoff_seconds=0.2,
        typing_seconds=0.2,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return ZaloBotChannel(app, None, settings, BOT_TOKEN, SECRET)  # type: ignore[arg-type]


def inbox_count(app: App) -> int:
    return app.db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]


async def test_ok_false_with_http_200_raises_typed_errors(fake_bot: FakeZaloBot) -> None:
    api = ZaloBotApi(fake_bot.base_url, BOT_TOKEN, 5.0)
    try:
        assert (await api.call("getMe"))["display_name"] == "Trợ lý quán triệt"
        fake_bot.fail("sendMessage", 429)
        with pytest.raises(ZaloRateLimited):
            await api.call("sendMessage", chat_id="u1", text="x")
        assert await api.get_update(timeout=1) is None  # idle: 408 is not an error
        bad = ZaloBotApi(fake_bot.base_url, "1:wrong", 5.0)
        with pytest.raises(ZaloTokenInvalid) as refused:
            await bad.call("getMe")
        assert "wrong" not in str(refused.value)  # the token never leaks into errors
        await bad.close()
    finally:
        await api.close()


async def test_idle_polling_is_quiet_and_updates_are_received(
    app: App, fake_bot: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake_bot.webhook = {"url": "https://old.example/zalo"}  # polling must delete it first
    channel = channel_for(app, fake_bot)
    with caplog.at_level(logging.INFO):
        await channel.start()
        try:
            await fake_bot.wait_for(lambda: fake_bot.idle_answers >= 3)
            fake_bot.event("u1", "message.sticker.received", sticker="abc")
            assert await fake_bot.wait_texts("u1", 1) == [texts.UNSUPPORTED]
        finally:
            await channel.stop()
    assert fake_bot.webhook["url"] == ""
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert app.db.execute("SELECT event, handled_at IS NOT NULL FROM inbox").fetchall() == [
        ("message.sticker.received", 1)
    ]


async def test_polling_backs_off_on_429_and_stops_loudly_on_401(
    app: App, fake_bot: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    channel = channel_for(app, fake_bot)
    fake_bot.fail("getUpdates", 429, count=2)
    await channel.start()
    try:
        await fake_bot.wait_for(lambda: fake_bot.idle_answers >= 1)  # polling resumed after 429s
        assert channel.stopped_reason is None
        with caplog.at_level(logging.ERROR):
            fake_bot.fail("getUpdates", 401, "Unauthorized")
            await fake_bot.wait_for(lambda: channel._poller is not None and channel._poller.done())
        assert channel.stopped_reason == "token invalid"
        assert any("ZALO_BOT_TOKEN" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
        with pytest.raises(Unreachable, match="ZALO_BOT_TOKEN"):
            await channel.send("u1", Reply("Thông báo"))
    finally:
        await channel.stop()


async def test_send_errors_map_to_the_outbox_kinds(app: App, fake_bot: FakeZaloBot) -> None:
    channel = channel_for(app, fake_bot)
    try:
        fake_bot.fail("sendMessage", 429)
        with pytest.raises(RetryLater):
            await channel.send("u1", Reply("x"))
        fake_bot.fail("sendMessage", 403, "Forbidden")
        with pytest.raises(Blocked):
            await channel.send("u1", Reply("x"))
        fake_bot.fail("sendMessage", 404, "chat not found")
        with pytest.raises(Unreachable):
            await channel.send("u1", Reply("x"))
        ref = await channel.send("u1", Reply("Câu hỏi?", [[Button("Có", "y")], [Button("Không", "n")]]))
    finally:
        await channel.stop()
    assert fake_bot.texts("u1") == ["Câu hỏi?\n\n1. Có\n2. Không\n(Trả lời bằng số tương ứng để chọn.)"]
    assert ref and len(ref) == 20


@pytest.mark.parametrize("header", [None, "", "wrong-secret-123", "webhook-secret-12"])
async def test_webhook_without_the_secret_is_refused_and_not_processed(
    app: App, fake_bot: FakeZaloBot, header: str | None
) -> None:
    channel = channel_for(app, fake_bot, webhook_url="https://bot.example.vn/zalo/webhook")
    web_app = web.Application()
    web_app.router.add_post("/zalo/webhook", channel.webhook)
    update = fake_bot.update("u1", "message.image.received", photo_url="https://x/y.jpg")
    headers = {} if header is None else {zalo_bot.SECRET_HEADER: header}
    async with serving(web_app) as origin, aiohttp.ClientSession() as http:
        async with http.post(f"{origin}/zalo/webhook", json=update, headers=headers) as response:
            assert response.status == 401
    assert inbox_count(app) == 0
    assert fake_bot.called("sendMessage") == []


async def test_webhook_accepts_bare_and_wrapped_bodies_once_each(app: App, fake_bot: FakeZaloBot) -> None:
    channel = channel_for(app, fake_bot, webhook_url="https://bot.example.vn/zalo/webhook")
    web_app = web.Application()
    web_app.router.add_post("/zalo/webhook", channel.webhook)
    bare = fake_bot.update("u1", "message.image.received")
    wrapped = {"ok": True, "result": fake_bot.update("u2", "message.unsupported.received")}
    try:
        async with serving(web_app) as origin, aiohttp.ClientSession() as http:
            for body in (bare, wrapped, bare):  # Zalo may deliver the same update twice
                async with http.post(
                    f"{origin}/zalo/webhook", json=body, headers={zalo_bot.SECRET_HEADER: SECRET}
                ) as response:
                    assert response.status == 200
            await fake_bot.wait_texts("u2", 1)
            await channel.inbound.drain(5)
    finally:
        await channel.stop()
    assert fake_bot.texts("u1") == [texts.UNSUPPORTED]
    assert fake_bot.texts("u2") == [zalo_bot.WITHHELD]
    assert inbox_count(app) == 2


def test_webhook_mode_needs_a_proper_secret(app: App) -> None:
    settings = ZaloBotSettings(webhook_url="https://bot.example.vn/zalo/webhook")
    with pytest.raises(ValueError, match="ZALO_WEBHOOK_SECRET"):
        ZaloBotChannel(app, None, settings, BOT_TOKEN, "short")  # type: ignore[arg-type]


async def test_updates_stored_before_a_crash_are_answered_on_start(app: App, fake_bot: FakeZaloBot) -> None:
    update = fake_bot.update("u9", "message.voice.received")
    inbound.record(app, "zalo", update["event_name"], update, "u9", update["message"]["message_id"])
    channel = channel_for(app, fake_bot)
    await channel.start()
    try:
        assert await fake_bot.wait_texts("u9", 1) == [texts.UNSUPPORTED]
        await channel.inbound.drain(5)
    finally:
        await channel.stop()
    assert app.db.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone() == (0,)


async def test_webhook_mode_registers_the_webhook_and_does_not_poll(app: App, fake_bot: FakeZaloBot) -> None:
    channel = channel_for(app, fake_bot, webhook_url="https://bot.example.vn/zalo/webhook")
    await channel.start()
    await channel.stop()
    assert fake_bot.webhook == {"url": "https://bot.example.vn/zalo/webhook", "secret_token": SECRET}
    assert fake_bot.called("getUpdates") == [] and fake_bot.called("deleteWebhook") == []
