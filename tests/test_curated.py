"""Curated answers: an officer answers a question the bot could not; the asker gets it through the
outbox and the bot gives it, signed "Ban Tuyên giáo trả lời", when the question comes again."""

from __future__ import annotations

import pytest

from bot.core.answers import curated
from bot.core.answers.answers import Answer, record_question
from bot.core.chat import library
from bot.core.chat.conversation import Conversation
from bot.core.errors import PermissionDenied, UserError
from tests.chat_support import CADRE, CADRE2, OFFICER, Chat, build_world, link
from tests.ledger_support import person, person_id

QUESTION = "Kinh phí tổ chức hội nghị quán triệt lấy từ nguồn nào?"


@pytest.fixture
def world(app, tmp_path):
    build_world(app, tmp_path)
    declined = Answer(QUESTION, "Xin lỗi, văn bản không nói đến điều này.", confident=False, status="refusal")
    question_id = record_question(app, declined, "telegram", person_id(app, CADRE))
    return app, question_id


async def test_the_answer_reaches_the_asker_and_the_bot_reuses_it_signed(world):
    app, question_id = world
    text = "Kinh phí do ngân sách cấp ủy mỗi cấp bảo đảm theo dự toán năm."
    broadcast_id = library.reply_to_question(app, person(app, OFFICER), question_id, text)
    sent = app.db.execute("SELECT text FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0]
    assert sent.startswith("Ban Tuyên giáo trả lời câu hỏi của đồng chí «Kinh phí") and text in sent
    assert app.db.execute("SELECT person_id FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)).fetchall() == [
        (person_id(app, CADRE),)
    ]

    chat = Chat(Conversation(app), link(app, CADRE2))
    reply = await chat.text("kinh phi to chuc hoi nghi quan triet lay tu nguon nao vay")  # no marks, a particle
    assert reply == f"Ban Tuyên giáo trả lời:\n{text}"
    logged = app.db.execute("SELECT confident FROM questions ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert logged == 1
    assert curated.find(app, "Kinh phí in tài liệu lấy ở đâu?") is None  # another question: not reused


def test_only_officers_answer_and_short_answers_are_refused(world):
    app, question_id = world
    with pytest.raises(PermissionDenied):
        library.reply_to_question(app, person(app, CADRE), question_id, "Một câu trả lời đủ dài.")
    with pytest.raises(UserError, match="từ 10 đến 2000 ký tự"):
        library.reply_to_question(app, person(app, OFFICER), question_id, "Có.")
