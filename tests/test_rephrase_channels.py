"""The language model's answer streams where a channel can edit messages: Telegram shows a draft
that is edited into the final answer with its sources, the web chat the same in its log; on
Zalo (it cannot edit) passes no draft and gets one message. A model error still answers with the quote."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import serve
from bot.app import App
from bot.channels import telegram
from bot.channels.drafts import WRITING_MARK
from bot.channels.web import setup
from bot.core.chat.conversation import Conversation
from bot.core.roster import roster
from tests.fake_openai import FakeOpenAI, Script, faithful
from tests.fake_telegram import FakeTelegram
from tests.ledger_support import load_province
from tests.test_web_requests import chat_login, page_csrf

QUESTION = "han xay dung ke hoach thuc hien ket luan 901"


@pytest.fixture
def model(fixture_copy: App):
    with FakeOpenAI() as fake:
        fake.script = Script(reply=faithful, delay=0.05)
        fixture_copy.config.raw["llm"] = {
            "enabled": True,
            "base_url": fake.base_url,
            "model": "m",
            "timeout_seconds": 10,
        }
        yield fake


@pytest.fixture
async def fake(monkeypatch):
    """The fake Bot API; the tests serve the Telegram channel against it."""
    fake = FakeTelegram()
    await fake.start()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    yield fake
    await fake.stop()


async def ask_on_telegram(app: App, fake: FakeTelegram, chat: int, expected: str) -> dict:
    async with serve.running(serve.build(app, (telegram,)), "127.0.0.1", 0):
        fake.text(chat, QUESTION)
        return await fake.wait_message(chat, expected)


async def test_telegram_shows_a_draft_then_edits_it_into_the_answer(fixture_copy, model, fake):
    answer = await ask_on_telegram(fixture_copy, fake, 7101, "Nguồn:")
    assert answer["text"].startswith("Theo đoạn trích,") and "[1]" in answer["text"]
    assert not answer["text"].endswith(WRITING_MARK)
    assert len(fake.messages(7101)) == 1  # the draft became the answer: one message, edited
    assert [c for c in fake.calls if c.method == "editMessageText"]
    note = fixture_copy.db.execute("SELECT model_note FROM questions").fetchone()[0]
    assert note == "đã dùng mô hình"


async def test_telegram_answers_with_the_quote_when_the_model_fails(fixture_copy, model, fake):
    model.script = Script(status=500)
    answer = await ask_on_telegram(fixture_copy, fake, 7102, "31/5/2030")
    assert answer["text"].startswith("Theo ") and "«" in answer["text"]
    assert fixture_copy.db.execute("SELECT model_note FROM questions").fetchone()[0] == "mô hình lỗi: HTTP 500"


async def test_web_chat_log_holds_one_message_that_settles_into_the_answer(fixture_copy, model, tmp_path):
    load_province(fixture_copy, tmp_path)
    web_app = web.Application()
    setup(web_app, fixture_copy, Conversation(fixture_copy))
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        code = next(i.code for i in roster.invites(fixture_copy) if i.person.phone == "0905000004")
        await chat_login(client, code)
        token = await page_csrf(client, "/")
        before = len((await (await client.get("/api/messages")).json())["messages"])
        response = await client.post("/api/send", json={"text": QUESTION}, headers={"X-CSRF-Token": token})
        assert response.status == 200
        messages = (await (await client.get("/api/messages")).json())["messages"][before:]
    assert messages[0]["text"] == QUESTION
    [answer] = messages[1:]
    assert answer["text"].startswith("Theo đoạn trích,") and "Nguồn:" in answer["text"]
    assert fixture_copy.db.execute("SELECT rev FROM web_messages ORDER BY id DESC").fetchone()[0] > 1
    prompt = model.script.requests[0]["body"]["messages"][1]["content"]  # what the model was told
    assert "Loại câu hỏi: hỏi về thời hạn" in prompt and "Văn bản được hỏi: Kết luận 901" in prompt
    assert "Đơn vị của người hỏi: " in prompt
