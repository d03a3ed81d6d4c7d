"""End to end: the real ``quantriet serve`` service with Telegram, Zalo Bot and Zalo OA, against
fake platform APIs on 127.0.0.1, over a real SQLite file and the real search index of the test
texts (``fixture_copy`` from conftest: indexed once per session, copied per test).

Everything a user does goes through the channel-neutral core; these tests check that the two Zalo
adapters only translate: registration by a typed invite code, a cited answer split for Zalo's
limit, a broadcast composed by an officer with numbered replies that reaches Telegram, Zalo Bot
and Zalo OA users, acknowledgement by "1" and by a quick-reply button, receipts, exports as
download links, refusals per recipient, and forged webhooks.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot import serve
from bot.app import App
from bot.channels import telegram, zalo, zalo_oa
from bot.core.chat import texts
from bot.core.chat.messages import Reply
from bot.core.outbox import broadcasts
from bot.core.roster import roster
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import BOT_TOKEN, OA_APP_ID, OA_SECRET_KEY, FakeZaloBot, FakeZaloOA
from tests.ledger_support import load_province

CHANNELS = (telegram, zalo)


@pytest.fixture
def kapp(fixture_copy: App, tmp_path: Path) -> App:
    """The test texts (indexed once per session by conftest) and a small province."""
    load_province(fixture_copy, tmp_path)
    return fixture_copy


@dataclass
class World:
    app: App
    service: serve.Service
    origin: str
    zalo: FakeZaloBot
    oa: FakeZaloOA
    telegram: FakeTelegram
    codes: dict[str, str]

    # -- Zalo Bot -------------------------------------------------------------------------

    async def say(self, chat: str, text: str, expect: str) -> str:
        """Type ``text`` on Zalo Bot; the first later message containing ``expect``."""
        seen = len(self.zalo.texts(chat))
        self.zalo.text(chat, text)
        return await self.zalo.wait_text(chat, expect, after=seen)

    async def choose(self, chat: str, offered: str, label: str, expect: str) -> str:
        """Answer the numbered choice ``label`` of the message ``offered`` by typing its number."""
        return await self.say(chat, number_of(offered, label), expect)

    # -- Zalo OA --------------------------------------------------------------------------

    async def post_oa(self, event: dict, signed_with: str = OA_SECRET_KEY) -> int:
        raw, headers = FakeZaloOA.signed(event, signed_with)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{self.origin}/zalo-oa/webhook", data=raw, headers=headers) as response:
                return response.status

    async def oa_says(self, user: str, text: str, count: int) -> list[str]:
        assert await self.post_oa(self.oa.text_event(user, text)) == 200
        return await self.oa.wait_texts(user, count)

    def code(self, name: str) -> str:
        return self.codes[name]


def number_of(text: str, label: str) -> str:
    """The number of the choice whose line contains ``label`` in a numbered-text message."""
    for line in text.splitlines():
        match = re.match(r"(\d+)\. (.*)$", line)
        if match and label in match.group(2):
            return match.group(1)
    raise AssertionError(f"no choice {label!r} in {text!r}")


@pytest.fixture
async def world(kapp: App, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    admin = roster.find_people(kapp, "Phan Văn Quản")[0]
    codes = {invite.person.full_name: invite.code for invite in roster.invites(kapp, actor=admin)}
    async with FakeZaloBot() as zalo, FakeZaloOA() as oa, FakeTelegram() as telegram:
        for name, value in {
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
            "ZALO_BOT_TOKEN": BOT_TOKEN,
            "ZALO_BASE_URL": zalo.base_url,
            "ZALO_OA_APP_ID": OA_APP_ID,
            "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
            "ZALO_OA_API_BASE": oa.api_base,
            "ZALO_OA_OAUTH_URL": oa.oauth_url,
            "ZALO_OA_REFRESH_TOKEN": "refresh-0",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("ZALO_WEBHOOK_URL", raising=False)
        kapp.config.raw["zalo"] = {"typing_seconds": 0.2}
        service = serve.build(kapp, CHANNELS)
        async with serve.running(service, "127.0.0.1", 0) as port:
            origin = f"http://127.0.0.1:{port}"
            kapp.config.raw["downloads"] = {"public_url": origin}
            yield World(kapp, service, origin, zalo, oa, telegram, codes)


def acks(app: App) -> list[tuple[str, str]]:
    return app.db.execute(
        "SELECT p.full_name, a.channel FROM acks a JOIN people p ON p.id = a.person_id ORDER BY a.id"
    ).fetchall()


async def test_broadcast_composed_on_zalo_reaches_telegram_zalo_and_oa_and_is_acknowledged(world: World) -> None:
    app = world.app
    # Registration: the invite code typed as a message (Zalo Bot, Zalo OA), a deep link on Telegram.
    linked = await world.say("zb-an", world.code("Nguyễn Văn An"), "Đã liên kết")
    assert "Nguyễn Văn An" in linked
    await world.say("zb-tuyen", "start " + world.code("Lê Thị Tuyên"), "Lê Thị Tuyên")
    world.telegram.text(5001, "/start " + world.code("Trần Thị Bình"))
    await world.telegram.wait_message(5001, "Đã liên kết")
    (oa_linked,) = await world.oa_says("oa-cuong", world.code("Võ Văn Cường"), 1)
    assert "Đã liên kết" in oa_linked and "Võ Văn Cường" in oa_linked

    # The officer composes on Zalo by typing the numbers of the offered choices.
    chat = "zb-tuyen"
    offered = await world.say(chat, "phatthanh", texts.COMPOSE_START)
    offered = await world.say(chat, "1", texts.ASK_NOTE)  # the first document
    offered = await world.choose(chat, offered, texts.SKIP, texts.ASK_AUDIENCE)
    offered = await world.choose(chat, offered, texts.EVERYONE, texts.ASK_REQUIRE_ACK)
    offered = await world.choose(chat, offered, texts.YES, texts.ASK_DUE)
    offered = await world.choose(chat, offered, "Sau 7 ngày", texts.ASK_CHECK)
    offered = await world.choose(chat, offered, texts.NO, texts.SEND)
    started = await world.choose(chat, offered, texts.SEND, "Đã bắt đầu gửi")
    assert "#1" in started

    # Zalo Bot: the ack button arrives as a numbered choice; "1" confirms.
    received = await world.zalo.wait_text("zb-an", texts.ACK_BUTTON)
    assert f"1. {texts.ACK_BUTTON}" in received
    await world.say("zb-an", "1", "Đã ghi nhận")
    # Telegram: the same message with a real inline button.
    await world.telegram.wait_message(5001, "")
    await world.telegram.wait_for(
        lambda: next(
            (
                m
                for m in world.telegram.messages(5001)
                if FakeTelegram.buttons(m) and texts.ACK_BUTTON in [b[0] for b in FakeTelegram.buttons(m)]
            ),
            None,
        )
    )
    # Zalo OA: a quick-reply button whose payload comes back as a hidden text message.
    await world.oa.wait_for(lambda: len(world.oa.sent["oa-cuong"]) >= 2)
    buttons = world.oa.sent["oa-cuong"][1]["message"]["attachment"]["payload"]["buttons"]
    ack = next(b for b in buttons if b["title"] == texts.ACK_BUTTON)
    replies = await world.oa_says("oa-cuong", ack["payload"], 3)
    assert "Đã ghi nhận" in replies[2]
    assert sorted(acks(app)) == [("Nguyễn Văn An", "zalo"), ("Võ Văn Cường", "zalo_oa")]

    # "Seen" is kept as supporting evidence, not as an acknowledgement.
    delivered = world.oa.sent["oa-cuong"][1]["message_id"]
    seen = FakeZaloOA.event("user_seen_message", "oa-cuong", message={"msg_ids": [delivered]})
    assert await world.post_oa(seen) == 200
    await world.oa.wait_for(lambda: app.db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0])
    receipt = app.db.execute("SELECT channel, kind, message_ref, person_id IS NOT NULL FROM receipts").fetchone()
    assert receipt == ("zalo_oa", "seen", delivered, 1)
    assert app.db.execute("SELECT message_ref FROM deliveries WHERE channel = 'zalo_oa'").fetchone() == (delivered,)

    # The officer (on Zalo, which cannot edit messages) gets one final progress summary.
    summary = await world.zalo.wait_text(chat, texts.PROGRESS_DONE.strip())
    assert "đã gửi 4/" in summary
    statuses = dict(app.db.execute("SELECT channel, status FROM deliveries WHERE channel IS NOT NULL").fetchall())
    assert statuses == {"telegram": "sent", "zalo": "sent", "zalo_oa": "sent"}


async def test_cited_answer_is_split_for_zalo_and_typing_is_shown(world: World) -> None:
    world.service.sender.transports["zalo"].settings.message_limit = 160  # type: ignore[attr-defined]
    question = "Khi nào phải hoàn thành việc quán triệt Kết luận 901?"
    world.zalo.text("zb-guest", question)
    await world.zalo.wait_for(lambda: world.app.db.execute("SELECT COUNT(*) FROM questions").fetchone()[0])
    (answer,) = world.app.db.execute("SELECT answer FROM questions").fetchone()
    assert "15/5/2030" in answer
    expected = answer.split()
    parts = await world.zalo.wait_for(
        lambda: (lambda sent: sent if " ".join(sent).split()[: len(expected)] == expected else None)(
            world.zalo.texts("zb-guest")
        )
    )
    assert len(parts) >= 3
    assert all(len(p) <= 160 for p in parts)  # and, by the word check above, no word was cut
    assert world.zalo.called("sendChatAction")
    assert world.zalo.called("sendChatAction")[0].params == {"chat_id": "zb-guest", "action": "typing"}


async def test_admin_export_reaches_zalo_as_a_short_lived_link(world: World) -> None:
    await world.say("zb-admin", world.code("Phan Văn Quản"), "Đã liên kết")
    link_text = await world.say("zb-admin", "xuatbaocao", "/tai/")
    assert "Báo cáo quán triệt" in link_text
    url = re.search(r"(http://\S+/tai/\S+)", link_text).group(1)  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert (await response.read())[:2] == b"PK"  # an XLSX (zip) file
        assert ".xlsx" in response.headers["Content-Disposition"]


async def test_quota_refusal_is_recorded_per_recipient_while_the_broadcast_goes_on(world: World) -> None:
    app = world.app
    await world.say("zb-an", world.code("Nguyễn Văn An"), "Đã liên kết")
    await world.oa_says("oa-cuong", world.code("Võ Văn Cường"), 1)
    await world.oa_says("oa-dung", world.code("Huỳnh Thị Dung"), 1)
    world.oa.user_errors["oa-cuong"] = (-230, "User has not interacted with the OA in the past 7 days")
    people = [p.id for p in roster.list_people(app)]
    broadcast_id = broadcasts.enqueue(app, "notice", Reply("Thông báo họp quán triệt lúc 8 giờ."), people)
    world.service.sender.wake()
    await world.zalo.wait_text("zb-an", "Thông báo họp")
    await world.oa.wait_for(lambda: any("Thông báo họp" in t for t in world.oa.texts("oa-dung")))
    await world.oa.wait_for(lambda: broadcasts.stats(app, broadcast_id).pending == 0)
    rows = dict(
        app.db.execute(
            "SELECT a.external_id, d.status || ' | ' || coalesce(d.error, '') FROM deliveries d "
            "JOIN accounts a ON a.id = d.account_id WHERE d.broadcast_id = ?",
            (broadcast_id,),
        ).fetchall()
    )
    assert rows["zb-an"].startswith("sent") and rows["oa-dung"].startswith("sent")
    assert rows["oa-cuong"].startswith("failed | Người nhận chưa tương tác với Zalo OA trong 7 ngày")
    assert len(world.oa.called("message/cs")) == 4  # two links, two sends: the refusal was not retried


async def test_lost_oa_refresh_token_is_shown_to_the_officer_per_recipient(world: World) -> None:
    app = world.app
    await world.oa_says("oa-cuong", world.code("Võ Văn Cường"), 1)
    world.oa.expire_access_tokens()
    world.oa.revoke_refresh_tokens()
    broadcast_id = broadcasts.enqueue(
        app, "notice", Reply("Thông báo"), [roster.find_people(app, "Võ Văn Cường")[0].id]
    )
    world.service.sender.wake()
    await world.oa.wait_for(lambda: broadcasts.stats(app, broadcast_id).pending == 0)
    (status, error) = app.db.execute(
        "SELECT status, error FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
    ).fetchone()
    assert status == "failed" and "Zalo OA cần cấp quyền lại" in error
    # The user writes again: the answer cannot be sent either, and no renewal is attempted.
    assert await world.post_oa(world.oa.text_event("oa-cuong", "hanchot")) == 200
    await world.oa.wait_for(
        lambda: (
            app.db.execute("SELECT COUNT(*) FROM inbox WHERE channel = 'zalo_oa' AND handled_at IS NULL").fetchone()
            == (0,)
        )
    )
    assert len(world.oa.called("oauth")) == 2  # the first renewal, then the refused one: no loop
    assert zalo_oa.reauth_required(app)


@pytest.mark.parametrize("forgery", ["wrong key", "stale", "no signature"])
async def test_forged_oa_webhooks_are_refused_and_not_processed(world: World, forgery: str) -> None:
    stamp = time.time() * 1000 - (10 * 60 * 1000 if forgery == "stale" else 0)
    event = FakeZaloOA.event(
        "user_send_text",
        "oa-evil",
        timestamp_ms=stamp,
        message={"text": world.code("Nguyễn Văn An"), "msg_id": "m-evil"},
    )
    raw, headers = FakeZaloOA.signed(event, "guessed-key" if forgery == "wrong key" else OA_SECRET_KEY)
    if forgery == "no signature":
        del headers["X-ZEvent-Signature"]
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{world.origin}/zalo-oa/webhook", data=raw, headers=headers) as response:
            assert response.status in (401, 403)
    assert world.app.db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 0
    assert roster.person_for(world.app, "zalo_oa", "oa-evil") is None


async def test_unsupported_oa_message_gets_a_polite_reply(world: World) -> None:
    event = FakeZaloOA.event("user_send_image", "oa-photo", message={"msg_id": "img-1", "attachments": []})
    assert await world.post_oa(event) == 200
    assert await world.oa.wait_texts("oa-photo", 1) == [texts.UNSUPPORTED]
