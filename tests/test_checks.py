"""The comprehension check: questions from duties, determinism, resuming, scoring, the ledger."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot import catalogue
from bot.app import App
from bot.core.errors import UserError
from bot.core.evidence import assignments, check_questions, checks, documents, ledger
from tests.conftest import REPO
from tests.ledger_support import add_document, assign_all, load_province, person_id, pin_now


@pytest.fixture
def setup(app, tmp_path):
    load_province(app, tmp_path)
    pin_now(app, datetime(2024, 4, 2, 1, 15, tzinfo=UTC))
    doc = add_document(app)
    aid = assign_all(app, doc, require_check=True)
    return app, aid, person_id(app, "0905000004")


def stored(app, attempt_id) -> list[dict]:
    return json.loads(app.db.execute("SELECT questions FROM check_attempts WHERE id = ?", (attempt_id,)).fetchone()[0])


def test_questions_come_from_duties_and_are_deterministic(app):
    doc = documents.get_document(app, add_document(app))
    first = checks.generate(app, doc, "7:1:1", 3)
    assert first == checks.generate(app, doc, "7:1:1", 3)
    assert len(first) == 3
    texts = " ".join(q["text"] for q in first)
    assert "hạn hoàn thành" in texts and "cơ quan, tổ chức nào" in texts
    for q in first:
        assert 2 <= len(q["options"]) <= 4 and len(set(q["options"])) == len(q["options"])
        right = q["options"][q["answer"]]
        if "hạn hoàn thành" in q["text"] and "phổ biến" in q["text"]:
            assert right == "15/04/2024"
        if "Chủ trì, phối hợp theo dõi" in q["text"]:
            assert right == "Ban Tuyên giáo Tỉnh ủy"
    seeds = {json.dumps(checks.generate(app, doc, f"7:1:{n}", 3)) for n in range(1, 8)}
    assert len(seeds) > 1  # other attempts get other questions or orders


def test_falls_back_to_document_facts(app):
    bare = documents.get_document(app, add_document(app, number="57-NQ/TW", duties=[], issued="2024-12-22"))
    questions = checks.generate(app, bare, "1:1:1", 3)
    assert [q["options"][q["answer"]] for q in questions] in (
        ["22/12/2024", "Bộ Chính trị"],
        ["Bộ Chính trị", "22/12/2024"],
    )
    assert checks.can_check(app, bare.id)
    empty = add_document(app, number="1-TB/TU", duties=[], issued=None, issuer=None)
    assert not checks.can_check(app, empty)
    with pytest.raises(UserError, match="chưa đủ thông tin"):
        assign_all(app, empty, require_check=True)


def test_a_year_is_not_asked_as_a_day(app):
    duties = [
        (
            "Ban cán sự đảng Chính phủ",
            "Lãnh đạo thực hiện tốt Chiến lược khoa học và công nghệ đến năm 2030",
            "2030-12-31",
            "đến năm 2030",
            "đến năm 2030",
        ),
        ("Văn phòng Trung ương Đảng", "Định kỳ 6 tháng báo cáo kết quả với Bộ Chính trị", None, "định kỳ 6 tháng"),
    ]
    doc = documents.get_document(app, add_document(app, duties=duties))
    questions = checks.generate(app, doc, "1:1:1", 3)
    periods = [q for q in questions if "khi nào" in q["text"]]
    assert periods and all("ngày nào" not in q["text"] or "ban hành" in q["text"] for q in questions)
    assert {q["options"][q["answer"]] for q in periods} <= {"đến năm 2030", "định kỳ 6 tháng"}
    assert all("2030" not in q["text"] and "Định kỳ 6 tháng" not in q["text"] for q in periods)


def test_questions_from_the_real_catalogue(app):
    catalogue.ingest(app, [REPO / "knowledge" / "documents"])
    (doc_id,) = app.db.execute("SELECT id FROM documents").fetchone()
    rights = {
        q["options"][q["answer"]]
        for n in range(1, 6)
        for q in checks.generate(app, documents.get_document(app, doc_id), f"1:1:{n}", 3)
        if "hạn hoàn thành" in q["text"]
    }
    assert rights and rights <= {"15/04/2024", "30/04/2024"}


def test_pass_records_the_acknowledgement_with_the_score(setup):
    app, aid, binh = setup
    question = checks.start_check(app, binh, aid)
    assert (question.index, question.total, question.heading) == (0, 3, "Câu 1/3")
    answers = stored(app, question.attempt_id)
    wrong_first = (answers[0]["answer"] + 1) % len(answers[0]["options"])
    step = checks.answer_check(app, binh, question.attempt_id, 0, wrong_first, "telegram")
    assert not step.correct and step.right_option == answers[0]["options"][answers[0]["answer"]] and step.source
    assert step.next.index == 1 and not step.finished and step.ack is None
    step = checks.answer_check(app, binh, question.attempt_id, 1, answers[1]["answer"], "telegram")
    step = checks.answer_check(app, binh, question.attempt_id, 2, answers[2]["answer"], "telegram")
    assert (step.finished, step.passed, step.score) == (True, True, "2/3")
    assert step.ack.created and step.ack.row["check_score"] == "2/3" and step.ack.row["channel"] == "telegram"
    assert ledger.verify(app).ok
    with pytest.raises(UserError, match="đã xác nhận"):
        checks.start_check(app, binh, aid)


def test_failing_starts_a_new_attempt_and_nothing_is_recorded(setup):
    app, aid, binh = setup
    question = checks.start_check(app, binh, aid)
    for i, q in enumerate(stored(app, question.attempt_id)):
        step = checks.answer_check(app, binh, question.attempt_id, i, (q["answer"] + 1) % len(q["options"]), "zalo")
    assert (step.finished, step.passed, step.score, step.ack) == (True, False, "0/3", None)
    assert app.db["acks"].count == 0
    with pytest.raises(UserError, match="đọc lại văn bản, rồi làm lại bài kiểm tra từ 08:45"):
        checks.start_check(app, binh, aid)  # a failure: read again before the next attempt
    pin_now(app, datetime(2024, 4, 2, 1, 46, tzinfo=UTC))
    retry = checks.start_check(app, binh, aid)
    assert retry.attempt_id != question.attempt_id
    attempts = app.db.execute("SELECT attempt, score, passed FROM check_attempts ORDER BY id").fetchall()
    assert attempts == [(1, 0, 0), (2, None, None)]
    first, second = stored(app, question.attempt_id), stored(app, retry.attempt_id)
    fresh = {q["text"] for q in second} - {q["text"] for q in first}
    total = sum(
        len(group)
        for group in check_questions.candidates(app, assignments.require_assignment(app, aid).document).values()
    )
    assert len(fresh) == min(len(second), total - len(first))  # new questions while the document has them
    for i, q in enumerate(second):
        step = checks.answer_check(app, binh, retry.attempt_id, i, q["answer"], "web")
    assert step.passed and step.ack.row["check_score"] == "3/3, lần 2"  # the evidence says which attempt


def test_restart_resumes_the_same_question_and_stale_presses_change_nothing(setup):
    app, aid, binh = setup
    question = checks.start_check(app, binh, aid)
    answer = stored(app, question.attempt_id)[0]["answer"]
    checks.answer_check(app, binh, question.attempt_id, 0, answer, "telegram")
    restarted = App(app.config)  # a new process: only the database survives
    resumed = checks.start_check(restarted, binh, aid)
    assert (resumed.attempt_id, resumed.index) == (question.attempt_id, 1)
    assert resumed.text == stored(app, question.attempt_id)[1]["text"]
    stale = checks.answer_check(restarted, binh, question.attempt_id, 0, answer, "telegram")
    assert stale.stale and stale.next.index == 1
    assert json.loads(app.db.execute("SELECT answers FROM check_attempts").fetchone()[0]) == [answer]
    with pytest.raises(UserError, match="Hãy chọn"):
        checks.answer_check(app, binh, question.attempt_id, 1, 9, "telegram")
    with pytest.raises(UserError, match="Không tìm thấy"):
        checks.answer_check(app, person_id(app, "0905000005"), question.attempt_id, 1, 0, "telegram")


def test_attempt_limit(setup):
    app, aid, binh = setup
    app.config.raw["checks"] = {"max_attempts": 1, "questions": 2}
    question = checks.start_check(app, binh, aid)
    assert question.total == 2
    for i, q in enumerate(stored(app, question.attempt_id)):
        checks.answer_check(app, binh, question.attempt_id, i, (q["answer"] + 1) % len(q["options"]), "web")
    with pytest.raises(UserError, match="hết 1 lượt"):
        checks.start_check(app, binh, aid)


def test_conference_attendance_counts_without_a_check(setup):
    app, aid, binh = setup
    result = ledger.acknowledge(app, binh, aid, ledger.CONFERENCE, recorded_by=1, source_hash="ab" * 32)
    assert result.created
    assert assignments.pending_for(app, binh) == []
    assert assignments.get_assignment(app, aid).due_date == date(2024, 4, 15)
