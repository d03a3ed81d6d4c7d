"""The optional language model: a faithful draft is shown with its sources; an invented date, a
citation of a passage that does not exist, a slow reply and a server error all end in the
extractive answer, and the question log says why."""

from __future__ import annotations

import dataclasses

import pytest

from bot.app import App
from bot.core.answers import rephrase
from bot.core.answers.answers import Answer, Source, record_question
from bot.core.answers.rephrase import Brief
from bot.core.answers.verify import verify
from tests.fake_openai import FakeOpenAI, Script

PASSAGES = [
    "Các cấp ủy, tổ chức đảng hoàn thành việc phổ biến, quán triệt Kết luận số 69-KL/TW trước ngày "
    "15/4/2024; xây dựng chương trình, kế hoạch thực hiện trước ngày 30/4/2024.",
    "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp theo dõi, định kỳ 6 tháng báo cáo Ban Thường vụ Tỉnh ủy.",
    "Phấn đấu đến năm 2030, tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt 40%.",
]
FAITHFUL = (
    "Đồng chí cần hoàn thành quán triệt Kết luận số 69-KL/TW trước ngày 15/4/2024 [1]. "
    "Chương trình, kế hoạch thực hiện phải xong trước ngày 30/4/2024 [1]. "
    "Ban Tuyên giáo Tỉnh uỷ theo dõi và báo cáo định kỳ 6 tháng [2]."
)


def test_a_faithful_draft_verifies():
    verdict = verify(FAITHFUL, PASSAGES)
    assert verdict.ok, verdict.problems
    assert verdict.cited == (1, 2)


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        ("Hạn quán triệt là trước ngày 12/5/2024 [1].", "ngày tháng không có trong nguồn"),
        ("Hạn quán triệt là trước ngày 15/4/2024 [7].", "trích dẫn [7] không có"),
        ("Hạn quán triệt là trước ngày 15/4/2024.", "không trích dẫn đoạn nào"),
        ("Tỷ lệ doanh nghiệp đổi mới sáng tạo đạt 45% [3].", "con số không có trong nguồn: 45"),
        ("Việc này do Bộ Khoa học và Công nghệ chủ trì [2].", "tên cơ quan không có trong nguồn: Bộ Khoa"),
        ("Cần thực hiện Nghị quyết số 57-NQ/TW [1].", "số hiệu văn bản không có trong nguồn: 57-NQ/TW"),
        ("UBND tỉnh báo cáo định kỳ 6 tháng [2].", "tên cơ quan không có trong nguồn: UBND"),
    ],
)
def test_what_the_cited_passages_do_not_say_is_caught(draft, problem):
    verdict = verify(draft, PASSAGES)
    assert not verdict.ok
    assert any(problem in p for p in verdict.problems), verdict.problems


def test_a_fact_must_be_in_a_cited_passage_not_just_in_any_passage():
    assert not verify("Tỷ lệ doanh nghiệp đổi mới sáng tạo đạt 40% [1].", PASSAGES).ok
    assert verify("Tỷ lệ doanh nghiệp đổi mới sáng tạo đạt 40% [3].", PASSAGES).ok


# --- the model through the fake OpenAI-compatible server ------------------------------------


def extractive() -> Answer:
    sources = [
        Source("Kế hoạch", "69-KL/TW", f"Mục {n}", text, 0.8, chunk_id=1000 + n) for n, text in enumerate(PASSAGES)
    ]
    return Answer("Hạn quán triệt Kết luận 69 là khi nào?", "Theo ...: «...»", True, sources=sources)


@pytest.fixture
def model(app: App):
    with FakeOpenAI() as fake:
        app.config.raw["llm"] = {"enabled": True, "base_url": fake.base_url, "model": "qwen", "timeout_seconds": 2.0}
        yield fake


def test_faithful_answer_is_shown_with_sources_and_streams_only_verified_sentences(app, model, monkeypatch):
    monkeypatch.setenv("QUANTRIET_LLM_API_KEY", "k-123")
    model.script = Script(reply=FAITHFUL)
    shown: list[str] = []
    answer = rephrase.rephrase(
        app,
        extractive(),
        Brief(intent="deadline", unit="Xã Bình Dương", duties=("Quán triệt Kết luận 69 (trước ngày 15/4/2024)",)),
        shown.append,
    )
    assert answer.rephrased and answer.confident
    assert answer.answer.startswith(FAITHFUL)
    assert "Nguồn:\n[1] 69-KL/TW – Mục 0\n[2] 69-KL/TW – Mục 1" in answer.answer
    assert shown and all(FAITHFUL.startswith(s) for s in shown) and shown[-1] == FAITHFUL
    [request] = model.script.requests
    assert request["auth"] == "Bearer k-123" and request["body"]["stream"] is True
    prompt = request["body"]["messages"][1]["content"]
    assert "[3] (69-KL/TW – Mục 2)" in prompt and "Đơn vị của người hỏi: Xã Bình Dương" in prompt
    assert "Loại câu hỏi: hỏi về thời hạn" in prompt and "Quán triệt Kết luận 69 (trước ngày 15/4/2024)" in prompt


@pytest.mark.parametrize(
    ("script", "why"),
    [
        (Script(reply="Hạn quán triệt là trước ngày 12/5/2024 [1]."), "ngày tháng không có trong nguồn"),
        (Script(reply="Hạn quán triệt là trước ngày 15/4/2024 [7]."), "trích dẫn [7] không có"),
        (Script(reply=FAITHFUL, delay=0.5), "mô hình lỗi: no complete reply within 2 s"),
        (Script(status=500), "mô hình lỗi: HTTP 500"),
        (Script(reply=rephrase.NOT_ENOUGH), "mô hình không trả lời được"),
    ],
)
def test_every_failure_ends_in_the_extractive_answer_and_the_log_says_why(app, model, script, why):
    model.script = script
    shown: list[str] = []
    base = extractive()
    answer = rephrase.rephrase(app, base, show=shown.append)
    assert answer.answer == base.answer and not answer.rephrased
    assert why in answer.model_note
    assert all("12/5/2024" not in s and "[7]" not in s for s in shown)  # nothing unverified was shown
    row_id = record_question(app, answer, "cli")
    stored = app.db.execute("SELECT model_note FROM questions WHERE id = ?", (row_id,)).fetchone()[0]
    assert why in stored


def test_the_model_is_never_asked_when_retrieval_declined(app, model):
    declined = dataclasses.replace(extractive(), confident=False, status="refusal")
    assert rephrase.rephrase(app, declined) == declined
    assert model.script.requests == []


def test_off_by_default(app):
    base = extractive()
    assert rephrase.rephrase(app, base) is base
