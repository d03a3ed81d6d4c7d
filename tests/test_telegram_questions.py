"""A cadre's question over Telegram, answered from the ingested knowledge with its source, and
the quoted section opened in full."""

from __future__ import annotations

import pytest

from bot import serve
from bot.app import App
from bot.channels import telegram
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def bot(fixture_copy: App, monkeypatch):
    """A private copy of the indexed test texts, served with Telegram on the fake API."""
    fake = FakeTelegram()
    await fake.start()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    service = serve.build(fixture_copy, (telegram,))
    async with serve.running(service, "127.0.0.1", 0):
        yield fixture_copy, fake
    await fake.stop()


async def test_question_with_a_cited_answer_and_the_full_section(bot):
    app, fake = bot
    fake.text(7001, "han xay dung ke hoach thuc hien ket luan 901")  # typed without diacritics
    answer = await fake.wait_message(7001, "31/5/2030")
    assert answer["text"].startswith("Theo ") and "«" in answer["text"]
    label, payload = fake.buttons(answer)[0]
    assert label == "Xem toàn văn mục" and payload.startswith("sec:")
    fake.press(7001, payload, answer["message_id"])
    section = await fake.wait_message(7001, "", after=1)
    assert len(section["text"]) > 200
    logged = app.db.execute("SELECT channel, confident FROM questions").fetchall()
    assert logged == [("telegram", 1)]


async def test_out_of_scope_question_is_declined_politely(bot):
    _, fake = bot
    fake.text(7002, "Giá vàng hôm nay bao nhiêu?")
    reply = await fake.wait_message(7002, "cán bộ tuyên giáo")
    assert not fake.buttons(reply)
