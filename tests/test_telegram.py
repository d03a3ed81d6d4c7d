"""End to end: the real python-telegram-bot Application, run by `quantriet serve`'s service,
against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import threading
from collections.abc import AsyncIterator
from datetime import date

import aiohttp
import pytest
from openpyxl import load_workbook

from bot import serve
from bot.app import App
from bot.channels import telegram
from bot.core.chat import study
from bot.core.evidence import assignments
from bot.core.outbox import broadcasts
from bot.core.roster import roster
from tests.chat_support import ADMIN, CADRE, CADRE2, OFFICER, add_cadres, build_world, link
from tests.fake_telegram import SEND_METHODS, FakeTelegram
from tests.ledger_support import person_id

FAST_OUTBOX = {
    "rate_per_second": 400.0,
    "per_chat_seconds": 1.0,
    "backoff_seconds": 0.05,
    "poll_seconds": 0.1,
    "progress_seconds": 0.2,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def world(app, tmp_path, fake, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    app.config.raw["broadcast"] = dict(FAST_OUTBOX)
    build_world(app, tmp_path)
    return app


@contextlib.asynccontextmanager
async def running(app: App) -> AsyncIterator[tuple[serve.Service, int]]:
    service = serve.build(app, (telegram,))
    async with serve.running(service, "127.0.0.1", 0) as port:
        yield service, port


def user(app: App, phone: str, user_id: int) -> int:
    """The Telegram user ``user_id``, linked to the roster person with ``phone``."""
    link(app, phone, external_id=str(user_id))
    return user_id


async def test_registration_by_deep_link_and_by_own_contact_only(world, fake):
    app = world
    code = next(i.code for i in roster.invites(app, actor=None) if i.person.phone == CADRE)
    async with running(app):
        fake.text(1001, f"/start {code}")
        assert "Nguyễn Văn An" in (await fake.wait_message(1001, "Đã liên kết"))["text"]

        fake.text(2001, "/start")
        welcome = await fake.wait_message(2001, "Chào đồng chí")
        assert welcome["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        fake.contact(2002, "0905000004", contact_user_id=9999)  # someone else's number
        await fake.wait_message(2002, "của chính mình")
        fake.contact(2001, "+84 905 000 004")  # their own
        linked = await fake.wait_message(2001, "Đã liên kết", after=1)
        assert "Trần Thị Bình" in linked["text"] and linked["reply_markup"] == {"remove_keyboard": True}
    assert roster.person_for(app, "telegram", "1001").phone == CADRE
    assert roster.person_for(app, "telegram", "2001").phone == CADRE2
    assert roster.person_for(app, "telegram", "2002") is None


async def test_acknowledgement_with_the_comprehension_check(world, fake):
    app = world
    doc_id = app.db.execute("SELECT id FROM documents").fetchone()[0]
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15), require_check=True)
    cadre = user(app, CADRE, 3001)
    async with running(app) as (service, _):
        broadcasts.enqueue(app, "assignment", study.assignment_message(app, assignment), [person_id(app, CADRE)])
        service.sender.wake()
        message = await fake.wait_message(cadre, "Văn bản cần quán triệt")
        assert fake.buttons(message) == [("Tôi đã đọc và quán triệt", f"ack:{assignment}")]
        fake.press(cadre, f"ack:{assignment}", message["message_id"])
        for _ in range(6):
            seen = len(fake.messages(cadre))
            question = await fake.wait_message(cadre, "Câu ", after=seen - 1)
            attempt, index = (int(x) for x in fake.buttons(question)[0][1].split(":")[2:4])
            stored = app.db.execute("SELECT questions FROM check_attempts WHERE id = ?", (attempt,)).fetchone()[0]
            right = json.loads(stored)[index]["answer"]
            fake.press(cadre, fake.buttons(question)[right][1], question["message_id"])
            done = await fake.wait_for(
                lambda seen=seen: [
                    m
                    for m in fake.messages(cadre)[seen:]
                    if "Đã ghi nhận" in m.get("text", "") or m.get("text", "").startswith("Câu ")
                ]
            )
            if "Đã ghi nhận" in done[-1]["text"]:
                break
        assert "Kết quả kiểm tra: 3/3" in done[-1]["text"]
    assert len(fake.called("answerCallbackQuery")) >= 4
    assert app.db.execute("SELECT channel, check_score FROM acks").fetchone() == ("telegram", "3/3")


async def test_export_is_a_document_and_refusals_are_audited(world, fake):
    app = world
    doc_id = app.db.execute("SELECT id FROM documents").fetchone()[0]
    assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    admin, cadre = user(app, ADMIN, 4001), user(app, CADRE, 4002)
    async with running(app):
        fake.text(cadre, "/xuatbaocao")
        await fake.wait_message(cadre, "không có quyền")
        fake.text(cadre, "phatthanh")  # the same without "/"
        await fake.wait_message(cadre, "không có quyền", after=1)
        fake.text(admin, "/xuatbaocao")
        sent = await fake.wait_for(lambda: fake.called("sendDocument"))
    filename, content = sent[0].params["document"]
    assert filename.endswith(".xlsx") and str(sent[0].params["chat_id"]) == str(admin)
    workbook = load_workbook(io.BytesIO(content))
    assert "Nguyễn Văn An" in [c.value for row in workbook.worksheets[1].iter_rows() for c in row]
    refused = app.db.execute("SELECT action, channel FROM audit WHERE allowed = 0 ORDER BY id").fetchall()
    assert refused == [("export", "telegram"), ("broadcast", "telegram")]


async def test_broadcast_to_500_with_429s_blocks_drops_and_a_crash(world, fake):
    app = world
    officer = user(app, OFFICER, 1)
    recipients = [int(chat) for chat in add_cadres(app, 500, first_chat=10_000).values()]
    blocked = recipients[7:10]
    for chat in blocked:
        fake.block(chat)
    fake.latency = 0.002
    async with running(app) as (service, _):
        fake.text(officer, "/phatthanh")
        await fake.wait_message(officer, "Soạn thông báo")
        fake.text(officer, "Hội nghị quán triệt Kết luận 69 lúc 8h00 ngày 10/4 tại hội trường Tỉnh ủy.")
        attach = await fake.wait_message(officer, "Gửi kèm văn bản")
        fake.press(officer, fake.buttons(attach)[-1][1])  # no document
        audience = await fake.wait_message(officer, "Gửi tới ai")
        fake.press(officer, fake.buttons(audience)[0][1])  # everyone
        preview = await fake.wait_message(officer, "Người nhận:")
        # faults for the broadcast only: the officer's own reply may go out before or after the
        # first deliveries (the sender can find the queued work while the answer is finishing)
        fake.rate_limit(3, SEND_METHODS, retry_after=1, chats=recipients)
        fake.drop(2, {"sendMessage"}, chats=recipients)
        fake.press(officer, fake.buttons(preview)[0][1])  # Gửi
        await fake.wait_message(officer, "Đã bắt đầu gửi")
        await fake.wait_for(lambda: sum(1 for c in recipients if fake.messages(c)) >= 200, timeout=120)
        service.sender._task.cancel()  # the crash: no graceful stop, one message may be in flight
        await asyncio.gather(service.sender._task, return_exceptions=True)
        service.sender._task = None
    assert app.db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'").fetchone()[0] <= 1
    broadcast_id = app.db.execute("SELECT MAX(id) FROM broadcasts").fetchone()[0]

    restarted = App(app.config)  # a new process on the same database
    async with running(restarted):
        await fake.wait_for(
            lambda: (
                restarted.db.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0]
                == "done"
            ),
            timeout=30,
        )
        final = await fake.wait_for(
            lambda: [m for m in fake.messages(officer) if m.get("text", "").startswith("Hoàn tất")]
        )
    counts = [len(fake.messages(c)) for c in recipients if c not in blocked]
    assert min(counts) == 1 and sum(counts) - len(counts) <= 1  # nobody skipped, at most one twice
    assert all(not fake.messages(c) for c in blocked)
    # 497 recipients + the officer himself, of 500 + the 8 people of the province (7 unlinked)
    assert "đã gửi 498/508, lỗi 0, chặn bot 3, chưa liên kết 7" in final[0]["text"]
    assert len(fake.called("editMessageText")) >= 1  # the progress message was updated in place
    statuses = dict(
        restarted.db.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status", (broadcast_id,)
        )
    )
    assert statuses == {"sent": 498, "blocked": 3, "unreachable": 7}
    assert restarted.db.execute("SELECT COUNT(*) FROM accounts WHERE blocked_at IS NOT NULL").fetchone()[0] == 3


async def test_webhook_requires_the_secret(world, fake, monkeypatch):
    app = world
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token_ABC")
    async with running(app) as (_, port):
        await fake.wait_for(lambda: fake.webhook.get("url"))
        assert fake.webhook == {"url": "https://bot.example.vn/telegram/webhook", "secret_token": "s3cret-token_ABC"}
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=fake.text_update(6001, "/help"), headers=headers) as response:
                    assert response.status == 401
            good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_ABC"}
            async with http.post(url, data=b"not json", headers=good) as response:
                assert response.status == 400
            async with http.post(url, json=fake.text_update(6001, "/help"), headers=good) as response:
                assert response.status == 200
            await fake.wait_message(6001, "/start")
        assert not fake.called("getUpdates")
    assert len(fake.messages(6001)) == 1  # only the authentic update was answered


async def test_health_route(world):
    async with running(world) as (_, port):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                body = await response.json()
    assert body == {"ok": True, "channels": ["telegram"], "outbox_pending": 0}


async def test_the_server_runs_while_telegram_is_unreachable_or_refuses_the_token(world, fake, monkeypatch, caplog):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:wrong-token")  # the fake answers 401
    async with running(world) as (_service, port):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
        await fake.wait_for(lambda: any("stays off" in r.message for r in caplog.records), timeout=5)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")  # nothing listens there
    async with running(world) as (_, port):
        await fake.wait_for(lambda: any("retrying" in r.message for r in caplog.records), timeout=10)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200


async def test_typing_shows_while_a_question_waits_and_others_are_answered_meanwhile(world, fake):
    app = world
    release = threading.Event()
    async with running(app) as (service, _):
        real = service.conversation._handle

        def slow(request, on_queued, draft=None):  # one question stuck in a worker until released
            if request.external_user_id == "5001":
                release.wait(60)
            return real(request, on_queued, draft)

        service.conversation._handle = slow  # type: ignore[method-assign]
        try:
            fake.text(5001, "Hạn chót là khi nào?")
            await fake.wait_for(lambda: fake.called("sendChatAction"))
            assert str(fake.called("sendChatAction")[0].params["chat_id"]) == "5001"
            fake.text(5002, "/help")
            await fake.wait_message(5002, "")  # someone else is answered while it waits
            assert not fake.messages(5001)
        finally:
            release.set()
        await fake.wait_message(5001, "")
