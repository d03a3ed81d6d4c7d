"""Zalo OA: webhook signatures, token rotation, re-authorisation and per-recipient refusals."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import store
from bot.app import App
from bot.channels import zalo_oa
from bot.channels.zalo_oa import (
    KV_ACCESS,
    KV_REFRESH,
    QuotaRefused,
    ReauthorisationRequired,
    ZaloOAApi,
    ZaloOAChannel,
    ZaloOASettings,
    check_event,
)
from bot.core import kv
from bot.core.chat.messages import Button, Reply
from bot.core.outbox.transport import Blocked, RetryLater
from tests.fake_zalo import OA_APP_ID, OA_SECRET_KEY, FakeZaloOA


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as fake:
        yield fake


def settings_for(fake: FakeZaloOA) -> ZaloOASettings:
    return ZaloOASettings(api_base=fake.api_base, oauth_url=fake.oauth_url, request_timeout=5.0)


def api_for(app: App, fake: FakeZaloOA) -> ZaloOAApi:
    return ZaloOAApi(app, settings_for(fake), OA_APP_ID, OA_SECRET_KEY)


# -- signatures ---------------------------------------------------------------------------


def test_signed_fresh_event_is_accepted() -> None:
    event = FakeZaloOA.event("user_send_text", "u1", message={"text": "xin chào", "msg_id": "m1"})
    raw, headers = FakeZaloOA.signed(event)
    status, body = check_event(raw, headers["X-ZEvent-Signature"], OA_APP_ID, OA_SECRET_KEY, time.time() * 1000, 300)
    assert (status, body) == (200, event)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("wrong key", 401),
        ("edited body", 401),
        ("no header", 401),
        ("stale", 403),
        ("other app", 403),
        ("not json", 400),
    ],
)
def test_forged_or_stale_events_are_refused(case: str, expected: int) -> None:
    now = time.time() * 1000
    event = FakeZaloOA.event(
        "user_send_text",
        "u1",
        timestamp_ms=now - 6 * 60 * 1000 if case == "stale" else now,
        message={"text": "x", "msg_id": "m"},
    )
    if case == "other app":
        event["app_id"] = "111"
    raw, headers = FakeZaloOA.signed(event, "not-the-key" if case == "wrong key" else OA_SECRET_KEY)
    header = headers["X-ZEvent-Signature"]
    if case == "edited body":
        raw = raw.replace(b'"x"', b'"y"')
    if case == "no header":
        header = ""
    if case == "not json":
        raw = b"\xff not json"
    status, body = check_event(raw, header, OA_APP_ID, OA_SECRET_KEY, now, 300)
    assert (status, body) == (expected, None)


# -- tokens -------------------------------------------------------------------------------


async def test_refresh_persists_the_new_single_use_refresh_token(app: App, fake_oa: FakeZaloOA) -> None:
    zalo_oa.seed_tokens(app, None, "refresh-0")
    api = api_for(app, fake_oa)
    try:
        await api.send_message("u1", {"text": "một"})  # no access token yet: renew first
        first = (kv.get(app, KV_ACCESS), kv.get(app, KV_REFRESH))
        assert first[0] in fake_oa.access_tokens and first[1] in fake_oa.refresh_tokens
        assert "refresh-0" not in fake_oa.refresh_tokens  # spent

        fake_oa.expire_access_tokens()  # Zalo answers -216 now
        await api.send_message("u1", {"text": "hai"})
        second = (kv.get(app, KV_ACCESS), kv.get(app, KV_REFRESH))
        assert second != first and second[1] in fake_oa.refresh_tokens
        oauth = fake_oa.called("oauth")
        assert [c.params["refresh_token"] for c in oauth] == ["refresh-0", first[1]]
        assert fake_oa.texts("u1") == ["một", "hai"]
    finally:
        await api.close()


async def test_concurrent_sends_spend_the_refresh_token_once(app: App, fake_oa: FakeZaloOA) -> None:
    zalo_oa.seed_tokens(app, "access-0", "refresh-0")
    fake_oa.expire_access_tokens()
    api = api_for(app, fake_oa)
    try:
        await asyncio.gather(*(api.send_message(f"u{i}", {"text": "x"}) for i in range(5)))
    finally:
        await api.close()
    assert len(fake_oa.called("oauth")) == 1
    assert sum(len(v) for v in fake_oa.sent.values()) == 5


async def test_lost_refresh_token_is_reported_once_and_never_retried(
    app: App, fake_oa: FakeZaloOA, caplog: pytest.LogCaptureFixture
) -> None:
    zalo_oa.seed_tokens(app, "access-0", "refresh-0")
    fake_oa.expire_access_tokens()
    fake_oa.revoke_refresh_tokens()
    api = api_for(app, fake_oa)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.channels.zalo_oa"):
            for _ in range(3):
                with pytest.raises(ReauthorisationRequired) as refused:
                    await api.send_message("u1", {"text": "x"})
    finally:
        await api.close()
    assert "Zalo OA cần cấp quyền lại" in str(refused.value)
    assert len(fake_oa.called("oauth")) == 1  # no loop on a dead refresh token
    assert zalo_oa.reauth_required(app)
    assert [r.levelno for r in caplog.records].count(logging.ERROR) == 1


def test_environment_tokens_seed_only_an_empty_store_or_a_reauthorisation(app: App) -> None:
    zalo_oa.seed_tokens(app, "access-env", "refresh-env")
    assert kv.get(app, KV_REFRESH) == "refresh-env"
    with store.transaction(app.db) as conn:
        kv.put(conn, KV_REFRESH, "refresh-rotated")
    zalo_oa.seed_tokens(app, "access-env", "refresh-env")  # a restart with the same env
    assert kv.get(app, KV_REFRESH) == "refresh-rotated"

    with store.transaction(app.db) as conn:
        kv.put(conn, zalo_oa.KV_REAUTH, '{{"refresh_sha256": "{}"}}'.format(zalo_oa._sha("refresh-rotated")))
    zalo_oa.seed_tokens(app, None, "refresh-rotated")  # the same refused token: still refused
    assert zalo_oa.reauth_required(app)
    zalo_oa.seed_tokens(app, None, "refresh-new")  # the admin re-authorised
    assert not zalo_oa.reauth_required(app)
    assert kv.get(app, KV_REFRESH) == "refresh-new" and kv.get(app, KV_ACCESS) is None


# -- sending ------------------------------------------------------------------------------


async def test_refusals_become_typed_per_recipient_errors(app: App, fake_oa: FakeZaloOA) -> None:
    zalo_oa.seed_tokens(app, "access-0", "refresh-0")
    channel = ZaloOAChannel(app, None, settings_for(fake_oa), OA_APP_ID, OA_SECRET_KEY)  # type: ignore[arg-type]
    fake_oa.user_errors = {
        "quiet": (-230, "User has not interacted with the OA in the past 7 days"),
        "quota": (-211, "Out of quota"),
        "blocker": (-217, "User has blocked invitation from OA"),
        "night": (-234, "This message cannot be sent at night"),
    }
    try:
        with pytest.raises(QuotaRefused, match="7 ngày"):
            await channel.send("quiet", Reply("Thông báo"))
        with pytest.raises(QuotaRefused, match="hạn mức"):
            await channel.send("quota", Reply("Thông báo"))
        with pytest.raises(Blocked):
            await channel.send("blocker", Reply("Thông báo"))
        with pytest.raises(RetryLater) as later:
            await channel.send("night", Reply("Thông báo"))
        assert 0 < later.value.seconds <= 24 * 3600
        assert await channel.send("someone", Reply("Thông báo")) == fake_oa.sent["someone"][0]["message_id"]
    finally:
        await channel.api.close()


async def test_up_to_five_choices_are_quick_reply_buttons(app: App, fake_oa: FakeZaloOA) -> None:
    zalo_oa.seed_tokens(app, "access-0", "refresh-0")
    channel = ZaloOAChannel(app, None, settings_for(fake_oa), OA_APP_ID, OA_SECRET_KEY)  # type: ignore[arg-type]
    two = Reply("Xác nhận?", [[Button("Tôi đã đọc và quán triệt", "ack:1")], [Button("Để sau", "later")]])
    six = Reply("Chọn đơn vị", [[Button(f"Đơn vị {i}", f"u:{i}")] for i in range(6)])
    try:
        await channel.send("u1", two)
        await channel.send("u1", six)
    finally:
        await channel.api.close()
    first, second = (m["message"] for m in fake_oa.sent["u1"])
    assert first["text"] == "Xác nhận?"
    buttons = first["attachment"]["payload"]["buttons"]
    assert [(b["type"], b["payload"]) for b in buttons] == [
        ("oa.query.hide", "#qr:ack:1"),
        ("oa.query.hide", "#qr:later"),
    ]
    assert "attachment" not in second and "6. Đơn vị 5" in second["text"]
    pressed = ZaloOAChannel.to_request("u1", "#qr:ack:1")
    assert (pressed.payload, pressed.text) == ("ack:1", "")


def test_night_ban_waits_until_morning_in_vietnam() -> None:
    late = datetime(2024, 4, 1, 16, 0, tzinfo=UTC)  # 23:00 in Asia/Ho_Chi_Minh
    error = zalo_oa.delivery_error(zalo_oa.ZaloOAError(-234, "night"), 5, late)
    assert isinstance(error, RetryLater) and 7 * 3600 <= error.seconds <= 7.2 * 3600
