"""ask(): the JSON shape, quoting, deadlines counted from a pinned today, refusals, bad questions,
the question log and the full section behind a quote.

Read-only questions use the session's ``knowledge_app`` directly (one model load, one index);
tests that write use ``knowledge_copy``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.core.answers import answers, sentences, subjects
from bot.core.answers.answers import ask, record_question, section_text
from bot.core.answers.understanding import understand
from embeddings.query import parse
from embeddings.search import Hit
from tests.conftest import SAMPLE_ARTICLE

DEADLINE_Q = "Thời hạn hoàn thành phổ biến, quán triệt Kết luận 69 trong tỉnh là khi nào?"
OUT_OF_SCOPE = "Thời tiết Hội An ngày mai thế nào?"


def test_json_shape_is_the_designed_one(knowledge_app):
    data = json.loads(json.dumps(ask(knowledge_app, DEADLINE_Q, date(2026, 11, 25)).to_json()))
    assert {"question", "answer", "confident", "sources", "deadlines"} <= set(data)
    assert data["question"] == DEADLINE_Q and data["confident"] is True
    assert isinstance(data["answer"], str) and data["answer"]
    assert 1 <= len(data["sources"]) <= 3
    for source in data["sources"]:
        assert {"document", "number", "section", "text", "score"} <= set(source)
        assert isinstance(source["score"], float) and isinstance(source["chunk_id"], int)
    for deadline in data["deadlines"]:
        assert {"date", "text", "actor"} <= set(deadline)
        date.fromisoformat(deadline["date"])


def test_sources_are_distinct_sections(knowledge_app):
    result = ask(knowledge_app, "Ban cán sự đảng Chính phủ có nhiệm vụ gì?", date(2026, 11, 25))
    places = [(s.document, s.section) for s in result.sources]
    assert len(places) == len(set(places)) == 3


def test_answer_quotes_the_text_verbatim_and_names_the_document(knowledge_app):
    result = ask(knowledge_app, "Đảng đoàn Quốc hội có nhiệm vụ gì theo Nghị quyết 57?")
    assert result.answer.startswith("Theo ") and "57-NQ/TW" in result.answer
    quote = result.answer.split("«", 1)[1].split("»", 1)[0]
    texts = [r[0] for r in knowledge_app.db.execute("SELECT text FROM chunks")]
    pieces = [p.strip() for p in quote.split("…") if p.strip()]  # "…" only marks a cut or a gap
    assert pieces and all(any(p in t for t in texts) for p in pieces)
    assert result.sources[0].text.strip("…") in result.answer


def test_deadline_days_passed_and_remaining(knowledge_app):
    late = ask(knowledge_app, DEADLINE_Q, today=date(2026, 11, 25))
    assert "15/4/2024" in late.answer
    assert f"đã quá hạn {(date(2026, 11, 25) - date(2024, 4, 15)).days} ngày" in late.answer
    due = next(d for d in late.deadlines if d.date == "2024-04-15")
    assert "15/4/2024" in due.text and due.days_left < 0

    early = ask(knowledge_app, DEADLINE_Q, today=date(2024, 4, 3))
    assert "còn 12 ngày" in early.answer
    assert len(early.answer) <= 600


def test_today_comes_from_the_clock_in_vietnam_time(knowledge_copy, monkeypatch):
    # 18:00 UTC on 2 April is 01:00 on 3 April in Asia/Ho_Chi_Minh
    monkeypatch.setattr(knowledge_copy, "now", lambda: datetime(2024, 4, 2, 18, 0, tzinfo=UTC))
    result = ask(knowledge_copy, "ngay cuoi cung quan triet ket luan 69")
    assert result.today == "2024-04-03" and "còn 12 ngày" in result.answer


def test_english_deadline_question(knowledge_app):
    result = ask(knowledge_app, "When must units finish their implementation plans?", date(2026, 11, 25))
    assert result.confident and "30/4/2024" in result.answer


def test_out_of_scope_is_declined_politely(knowledge_app):
    for question in (
        OUT_OF_SCOPE,
        "Giá xăng RON95 hôm nay là bao nhiêu?",
        "gia vang hom nay bao nhieu",
        "Làm thế nào để đăng ký kết hôn?",
        "What is the weather like in Hoi An today?",
    ):
        result = ask(knowledge_app, question)
        assert not result.confident and result.status == "refusal"
        assert "cán bộ tuyên giáo" in result.answer and result.answer.startswith("Xin lỗi")
        assert result.sources == [] and result.deadlines == []


def test_answer_type_rules(knowledge_app):
    """A "bao nhiêu" question whose best passage states no amount is declined; an in-scope one
    (and one typed without marks) is answered with the figure."""
    for question in (
        "Quảng Nam có bao nhiêu huyện?",
        "Quang Nam co bao nhieu huyen?",
        "Giá vé tham quan phố cổ Hội An là bao nhiêu?",
    ):
        assert ask(knowledge_app, question).status == "refusal", question
    for question in (
        "Giao dịch không dùng tiền mặt đến năm 2030 đạt bao nhiêu?",
        "Giao dich khong dung tien mat den nam 2030 dat bao nhieu?",
    ):
        result = ask(knowledge_app, question)
        assert result.confident and "80%" in result.answer, question


def test_a_sentence_says_what_a_thing_is_or_is_made_into():
    assert sentences.defines("Thư viện số là hạ tầng tri thức.", "thu vien so")
    assert sentences.defines("Đưa dữ liệu thành tư liệu sản xuất chính.", "du lieu")
    assert sentences.defines("Coi thư viện số là nhiệm vụ thường xuyên.", "thu vien so")
    assert not sentences.defines("Thể chế, dữ liệu và công nghệ là trọng tâm.", "du lieu")


def test_quantity_ignores_dates_and_reads_number_words():
    from knowledge.dates import find_dates

    def quantity(text: str) -> bool:
        return sentences.has_quantity(text, tuple(find_dates(text)))

    assert quantity("đưa ba khu công nghệ cao quốc gia vào hoạt động")
    assert quantity("tỷ lệ đạt trên 80% vào năm 2030")
    assert not quantity("Đến năm 2030, hoàn thành trước ngày 15/4/2024 việc quán triệt.")
    assert not quantity("1. Thành lập Ban Chỉ đạo Trung ương.")  # an item's number
    assert quantity("Ban Tuyên giáo định kỳ 6 tháng báo cáo kết quả.")  # a period is an amount
    # a text's number says which text
    assert not quantity("gắn với Nghị quyết số 29-NQ/TW về công nghiệp hoá đến năm 2030")
    assert not quantity("thực hiện Kết luận 901 trong toàn Đảng bộ")
    assert not quantity("Nghị quyết của Hội nghị Trung ương lần thứ sáu khoá XIII")  # an ordinal


def test_a_year_in_the_heading_answers_a_when_question():
    """ "Đến năm nào …" is answered by a target listed under the heading "Đến năm 2030" even
    though the sentence itself carries no date; a sentence under an undated heading is not."""

    def hit(section: str) -> Hit:
        text = "Phủ sóng mạng di động thế hệ mới toàn quốc."
        return Hit(1, 1, "Nghị quyết", "1-NQ", "", "nghị quyết", section, "", text, 0, 1.0, 0.9, 1.0, frozenset())

    sentence = sentences.Sentence(0, 0, "Phủ sóng mạng di động thế hệ mới toàn quốc.", 1.0, ())
    query = parse("Phủ sóng mạng di động toàn quốc đến năm nào?")
    assert sentences.answers_type(query, [sentence], [hit("II- MỤC TIÊU > 1. Đến năm 2030")])
    assert not sentences.answers_type(query, [sentence], [hit("III- NHIỆM VỤ > 2. Hạ tầng")])
    # a law sets deadlines as periods: "trong thời hạn 06 tháng" answers "thời hạn … là khi nào"
    period = sentences.Sentence(0, 0, "Quyết định được ban hành trong thời hạn 06 tháng.", 1.0, ())
    when = parse("Thời hạn ban hành quyết định là khi nào?")
    assert sentences.answers_type(when, [period], [hit("Điều 46. Nghỉ hưu")])


@pytest.mark.parametrize(
    "question, status",
    [
        ("", "invalid"),
        ("   \n\t ", "invalid"),
        ("😀🙏🎉", "invalid"),
        ("?!... ---", "invalid"),
    ],
)
def test_bad_questions_get_a_message(knowledge_app, question, status):
    result = ask(knowledge_app, question)
    assert result.status == status and not result.confident
    assert result.answer in (answers.EMPTY_QUESTION, answers.NO_WORDS)
    json.dumps(result.to_json())


def test_ten_thousand_characters(knowledge_app):
    junk = ask(knowledge_app, "x" * 10_000)
    assert not junk.confident and junk.answer
    long = ask(knowledge_app, ("Thời hạn quán triệt Kết luận 69 là khi nào? " * 250)[:10_000], date(2026, 11, 25))
    assert long.confident and "15/4/2024" in long.answer
    assert long.answer.startswith("(Câu hỏi dài hơn") and len(long.answer) <= 600
    assert long.question.startswith("Thời hạn")


def test_every_dev_answer_fits_a_phone_screen(knowledge_app):
    from bot.core.answers.evaluation import load_cases
    from tests.conftest import DEV_EVAL

    for case in load_cases(DEV_EVAL):
        assert len(ask(knowledge_app, case.question, date(2026, 11, 25)).answer) <= 600, case.id


def test_empty_catalogue(app):
    result = ask(app, "Thời hạn quán triệt Kết luận 69?")
    assert result.status == "no_documents" and "quantriet ingest" in result.answer


def test_record_question(knowledge_copy):
    result = ask(knowledge_copy, DEADLINE_Q, date(2026, 11, 25))
    row_id = record_question(knowledge_copy, result, "telegram", None)
    row = knowledge_copy.db["questions"].get(row_id)
    assert row["channel"] == "telegram" and row["question"] == DEADLINE_Q
    assert row["answer"] == result.answer and row["confident"] == 1 and row["score"] > 0
    refused = record_question(knowledge_copy, ask(knowledge_copy, OUT_OF_SCOPE), "web", 7)
    row = knowledge_copy.db["questions"].get(refused)
    assert row["confident"] == 0 and row["person_id"] == 7 and row["score"] is None


def test_section_text_opens_the_quoted_section(knowledge_app):
    result = ask(knowledge_app, "Ban cán sự đảng Chính phủ được Kết luận 69 giao nhiệm vụ gì?")
    source = result.sources[0]
    section = section_text(knowledge_app, source.chunk_id)
    assert section is not None and section.section == source.section
    assert source.text.strip("…") in section.text and len(section.text) >= len(source.text)
    assert section_text(knowledge_app, 10**9) is None


def test_small_talk_gets_a_reply_and_the_help_never_a_quote(fixture_app):
    for question in ("bạn là ai vậy", "cam on nhe", "chào ad", "ok ad", "bot làm được gì"):
        result = ask(fixture_app, question)
        assert result.status == "small_talk" and not result.confident and not result.sources, question
        assert answers.HELP in result.answer and "Nơi nhận" not in result.answer


def test_a_text_not_in_the_catalogue_is_named_back(fixture_app):
    for question, name in (
        ("nq52 ve cach mang cong nghiep lan thu tu co noi dung chinh gi", "Nghị quyết 52"),
        ("ket luan 901 cua tinh quang ngai noi ve van de gi", "Kết luận 901"),
        ("Quyết định 749 đặt mục tiêu gì đến 2025", "Quyết định 749"),
    ):
        result = ask(fixture_app, question)
        assert not result.confident and not result.sources, question
        assert name in result.answer and "Các văn bản hiện có" in result.answer and "901-KL/TW" in result.answer


def test_metadata_from_header_and_signature_block(fixture_app):
    for question, fact in (
        ("KL901 ai ky vay ad", "Nguyễn Văn Thư"),
        ("kế hoạch 27 do ai ký", "Lê Thị Hoà Bình"),
        ("kl901 ngay nao", "12/2/2030"),
        ("Kết luận 901 là văn bản của Ban Bí thư hay Bộ Chính trị?", "Bộ Chính trị"),
        ("kế hoạch của tỉnh ủy thực hiện KL901 ban hành ngày nào", "5/3/2030"),
    ):
        result = ask(fixture_app, question)
        assert result.confident and fact in result.answer, (question, result.answer)
        assert result.sources and result.sources[0].number
    nothing = ask(fixture_app, "chương trình hành động thực hiện kế hoạch 27 ban hành ngày nào")
    assert not nothing.confident and "thực hiện Kế hoạch 27" in nothing.answer


def test_a_body_is_named_with_its_capital():
    ministry = subjects.actor_words("Bo Van hoa va The thao")
    assert subjects.names("Bộ Văn hoá và Thể thao chủ trì", ministry)
    assert not subjects.names("đội ngũ cán bộ văn hoá và thể thao", ministry)  # "cán bộ", not a ministry
    assert subjects.names("Đảng đoàn HĐND tỉnh chỉ đạo", subjects.actor_words("dang doan hoi dong nhan dan tinh"))
    # the first of two bodies joined by "với", one of them abbreviated ("bcs": ban cán sự)
    assert subjects.actor_words("dang doan quoc hoi voi bcs dang chinh phu") == ("dang", "doan", "quoc", "hoi")


def test_a_duty_is_quoted_only_from_a_passage_naming_whose_duty_was_asked(fixture_app):
    named = ask(fixture_app, "Đảng đoàn Quốc hội có nhiệm vụ gì theo KL901?")
    assert named.confident and "pháp luật về thư viện" in named.answer, named.answer
    # every word is in the texts, but no passage speaks of such a committee
    assert not ask(fixture_app, "UY BAN KIEM TRA TINH UY CO NHIEM VU GI TRONG KL901").confident


def test_an_amount_question_gets_the_unit_it_asks_even_when_it_names_the_text(fixture_app):
    share = ask(fixture_app, "KL901 dành bao nhiêu % chi thường xuyên cho văn hoá để phát triển thư viện số?")
    assert share.confident and "2%" in share.answer, share.answer
    # the text states a share of the budget, never a sum of money
    for question in ("KL901 dành bao nhiêu tỷ đồng cho thư viện số?", "kl901 chi bao nhieu tien cho thu vien so"):
        assert not ask(fixture_app, question).confident, question


def test_which_year_is_a_date_question_not_an_amount(fixture_app):
    result = ask(fixture_app, "KL901: kết nối thư viện số đến 100% xã, phường xong trong năm mấy?")
    assert result.confident and "2031" in result.answer, result.answer


def _sentence(position: int, text: str, score: float) -> sentences.Sentence:
    return sentences.Sentence(0, position, text, score, ())


def test_a_sentence_defining_what_was_asked_comes_before_one_naming_it():
    pointing = _sentence(0, "Đó là mục tiêu tổng quát của kế hoạch.", 1.2)
    defining = _sentence(1, "Theo đó, mục tiêu tổng quát là số hoá toàn bộ tài liệu.", 1.0)
    assert sentences.defining_first([pointing, defining], "muc tieu tong quat")[0] is not pointing


def test_a_sentence_listing_after_the_verb_asked_comes_first():
    plain = _sentence(0, "Xây dựng kế hoạch thực hiện Kết luận tại cơ quan, đơn vị, địa phương.", 1.2)
    listing = _sentence(1, "Đẩy mạnh ứng dụng; xây dựng thư viện số, kho tài liệu số, mạng đọc sách.", 1.0)
    assert sentences.listing_first([plain, listing], "xay dung")[0] is not plain


def test_the_best_sentence_too_long_is_cut_not_replaced_by_a_shorter_one():
    long = _sentence(0, "Khuyến khích phát triển thư viện số, " + "kho tài liệu dùng chung, " * 30 + "chợ sách.", 2.0)
    short = _sentence(1, "Tăng cường kết nối các thư viện.", 1.9)
    quote = sentences.quote([long, short], 200, parse("thư viện số"), {"thu": 1.0, "vien": 1.0, "so": 1.0})
    assert "thư viện số" in quote and "Tăng cường" not in quote and len(quote) <= 200


def test_a_cut_quote_grows_on_ties_towards_what_follows():
    """ "Đến năm 2045, trở thành …": what a date-led clause says follows it, so a window growing
    from the best clause takes the next one before the one before."""
    text = "Phát triển mạnh mẽ, bền vững, toàn diện, đến năm 2045, trở thành trung tâm thư viện số, đọc sách."
    quote = sentences.quote([_sentence(0, text, 1.0)], 60, parse("năm nào"), {"nam": 1.0})
    assert "đến năm 2045, trở thành" in quote, quote


def test_a_sentence_saying_there_are_some_of_what_was_asked_brings_the_next(fixture_app):
    some = _sentence(0, "Tuy nhiên, việc thực hiện còn một số hạn chế, yếu kém.", 1.0)
    which = _sentence(1, "Hạ tầng ở cơ sở chưa đồng bộ; kinh phí còn thấp.", 0.2)
    chosen = sentences.choose([some, which], answers.settings(fixture_app), "han che yeu kem")
    assert chosen == [some, which]
    assert sentences.choose([some, which], answers.settings(fixture_app)) == [some]


def test_what_implementing_a_text_achieved_is_reported_only_by_a_later_text(fixture_app):
    for question in (
        "Tỉnh Hoà Sơn đã hoàn thành quán triệt KL901 chưa, kết quả đạt được thế nào?",
        "ket qua thuc hien ket luan 901 den nay dat duoc nhung gi",
    ):
        assert not ask(fixture_app, question).confident, question
    reading = understand("Kết luận 901 đánh giá sau 5 năm thực hiện Kết luận 12 đạt được kết quả gì?")
    assert reading.results

    def hit(number: str) -> Hit:
        return Hit(1, 1, "", number, "", "", "", "", "", 0, 1.0, 1.0, 1.0, frozenset())

    later = "Sau 5 năm thực hiện Kết luận số 12-KL/TW, thư viện số đã có chuyển biến."
    assert subjects.reports_results(later, hit("901-KL/TW"), reading)
    assert not subjects.reports_results(later, hit("12-KL/TW"), reading)  # a text on itself
    assert not subjects.reports_results("Thư viện số đã có chuyển biến.", hit("901-KL/TW"), reading)


def test_who_holds_a_role_is_answered_only_where_the_role_is_named(fixture_app):
    role = subjects._name_words("Trưởng Ban Chỉ đạo thư viện số")
    assert subjects._holds_role("Thành lập Ban Chỉ đạo thư viện số do đồng chí Bí thư làm Trưởng Ban.", role)
    assert not subjects._holds_role("Ban Chỉ đạo thư viện số họp hằng quý; trưởng các ban dự họp.", role)
    for question in ("Bí thư Tỉnh uỷ Hoà Sơn hiện nay là ai", "ai la pho truong ban chi dao thu vien so theo kl901"):
        assert not ask(fixture_app, question).confident, question


def test_a_question_about_a_province_no_text_mentions_is_declined(fixture_app):
    result = ask(fixture_app, "So với Đà Nẵng thì kế hoạch 27 khác gì?")
    assert not result.confident and "Đà Nẵng" in result.answer and not result.sources


def test_the_askers_own_province_is_never_another_province(fixture_copy):
    """After the 2025 mergers a province's units may bear a name no text uses ("Thành ủy Đà Nẵng"):
    its cadres asking about their own province are not sent away."""
    from pathlib import Path

    from bot.core.roster import roster

    roster.import_roster(fixture_copy, None, Path(__file__).parents[1] / "examples" / "danh-sach-can-bo-mau.csv")
    result = ask(fixture_copy, "Đà Nẵng phải quán triệt KL901 trước ngày nào?")
    assert "không nói về Đà Nẵng" not in result.answer, result.answer


def test_a_province_a_text_names_only_in_passing_is_answered_only_where_it_is_named(app, tmp_path):
    """The conclusion names Đà Nẵng once, among the cities of a regional centre; no text is *of*
    Đà Nẵng. "Đà Nẵng's plan" is not answered with the Hoà Sơn plan's deadline; the centre is."""
    from tests.conftest import FIXTURE_KNOWLEDGE

    original = (FIXTURE_KNOWLEDGE / "ket-luan-901-thu-vien-so.txt").read_text(encoding="utf-8")
    passing = "Xây dựng các trung tâm thư viện số vùng tại Hà Nội, Đà Nẵng và Cần Thơ."
    conclusion = tmp_path / "ket-luan-901.txt"
    conclusion.write_text(original.replace("dùng chung cho cả nước.", f"dùng chung cho cả nước. {passing}"), "utf-8")
    answered = (("Trung tâm thư viện số vùng có đặt ở Đà Nẵng không", "Đà Nẵng và Cần Thơ"),)
    declined = ("Kế hoạch của Thành ủy Đà Nẵng thực hiện KL901 phải quán triệt xong trước ngày nào?",)
    _alone(app, conclusion, date(2030, 4, 1), answered, ())
    _alone(app, FIXTURE_KNOWLEDGE / "ke-hoach-27-tinh-uy-hoa-son.txt", date(2030, 4, 1), (), declined)
    assert "Đà Nẵng" in ask(app, declined[0]).answer


def test_a_province_is_asked_of_the_texts_the_question_names(app, tmp_path):
    """Quảng Bình is the plan's province, not the conclusion's: asked of KL901 alone, it is named
    only in passing, and only a passage of KL901 naming it would answer."""
    from bot.catalogue import ingest, refresh
    from bot.core.answers import particulars
    from tests.conftest import FIXTURE_KNOWLEDGE

    plan = tmp_path / "ke-hoach-27.txt"
    original = (FIXTURE_KNOWLEDGE / "ke-hoach-27-tinh-uy-hoa-son.txt").read_text(encoding="utf-8")
    plan.write_text(original.replace("Hoà Sơn", "Quảng Bình"), "utf-8")
    ingest(app, [plan, FIXTURE_KNOWLEDGE / "ket-luan-901-thu-vien-so.txt"])
    refresh(app)
    ids = dict(app.db.conn.execute("SELECT number, id FROM documents").fetchall())
    question = "Kết luận 901 nói gì về thư viện số của tỉnh Quảng Bình?"
    assert particulars.places_asked(app, question) == (frozenset(), frozenset())
    conclusion, own = {ids["901-KL/TW"]}, {ids["27-KH/TU"]}
    assert particulars.places_asked(app, question, conclusion) == (frozenset(), frozenset({"quang binh"}))
    assert particulars.places_asked(app, question, own) == (frozenset(), frozenset())


def test_a_kind_of_text_the_catalogue_lacks_is_said_to_be_missing(fixture_app):
    """No law is catalogued: what a law says is not read from the conclusion it carries out;
    "theo quy định" speaks of no text."""
    for question in (
        "Luật Thư viện quy định thư viện số ở cơ sở thế nào?",
        "Luật Thư viện được Quốc hội thông qua để thể chế hoá KL901 quy định gì về văn hoá đọc?",
    ):
        result = ask(fixture_app, question)
        assert not result.confident and "chưa có luật nào" in result.answer, (question, result.answer)
    said = ask(fixture_app, "theo quy định thì các huyện uỷ phải quán triệt KL901 trước ngày nào?")
    assert said.confident and "15/5/2030" in said.answer, said.answer


def test_what_a_cited_text_we_lack_says_is_not_read_from_the_text_citing_it(app, tmp_path):
    """KL901 cites Nghị quyết 29 by name; what NQ29 itself set out is not in KL901. A particular
    KL901 states beside the name may still be asked of it."""
    from tests.conftest import FIXTURE_KNOWLEDGE

    original = (FIXTURE_KNOWLEDGE / "ket-luan-901-thu-vien-so.txt").read_text(encoding="utf-8")
    cites = "Gắn với Nghị quyết số 29-NQ/TW của Hội nghị Trung ương lần thứ sáu về giải pháp văn hoá đọc."
    conclusion = tmp_path / "ket-luan-901.txt"
    conclusion.write_text(original.replace("dùng chung cho cả nước.", f"dùng chung cho cả nước. {cites}"), "utf-8")
    _alone(app, conclusion, date(2030, 4, 1), (("KL901 gắn với nghị quyết số mấy về văn hoá đọc?", "29-NQ/TW"),), ())
    result = ask(app, "Nghị quyết 29 mà KL901 có nhắc đến đã đề ra những giải pháp gì về văn hoá đọc?")
    assert not result.confident and "Nghị quyết 29" in result.answer, result.answer
    assert understand("Nghị quyết 29 mà KL901 có nhắc đến đã đề ra những giải pháp gì?").cited_by
    assert not understand("NQ 29, được KL901 viện dẫn, là nghị quyết của hội nghị nào?").cited_by
    assert understand("NQ 29 mà KL901 có nhắc tới đặt mục tiêu gì đến năm 2030?").cited_by


def test_a_particular_of_a_text_we_do_not_have_is_not_read_from_one_we_have(fixture_app):
    result = ask(fixture_app, "Nghị quyết 29 mà KL901 nhắc tới được ban hành ngày nào?")
    assert not result.confident and "Nghị quyết 29" in result.answer, result.answer


def test_naming_a_text_is_not_enough_to_be_answered_from_it(fixture_app):
    # the name brings the text, not the answer: nothing of what is asked about it is there
    assert not ask(fixture_app, "KL901 nói gì về giá vé máy bay khuyến mãi dịp Tết?").confident


def test_a_term_is_explained_only_where_a_text_defines_it(fixture_app):
    # KL901 uses "kho tài liệu số dùng chung" but never says what it is
    assert not ask(fixture_app, "kho tài liệu số dùng chung là gì vậy ad").confident
    used = sentences.Sentence(0, 0, "Phát triển thư viện số và văn hoá đọc trong cán bộ.", 1.0, ())
    defined = sentences.Sentence(0, 1, "Văn hoá đọc là thói quen đọc sách của mỗi người.", 1.0, ())
    assert sentences.defines(defined.text, "van hoa doc") and not sentences.defines(used.text, "van hoa doc")


def test_an_amount_is_answered_in_what_it_counts_and_for_the_year_asked(fixture_app):
    year = ask(fixture_app, "KL901: đến 100% xã, phường kết nối thư viện số trong năm 2031 đúng không, bao nhiêu % xã?")
    assert year.confident, year.answer
    # the plan's target is for 2032; KL901 sets none for 2035, and counts no members
    assert not ask(fixture_app, "Năm 2035 tỉnh Hoà Sơn phải có bao nhiêu % cán bộ dùng thư viện số?").confident
    assert not ask(fixture_app, "Ban Chỉ đạo thư viện số theo KL901 gồm bao nhiêu thành viên?").confident


def test_what_bao_nhieu_counts():
    chair = "Thành lập Ban Chỉ đạo thư viện số do đồng chí Bí thư làm Trưởng Ban; có 3 phó ban."
    assert not sentences._counts(chair, "", "ban chỉ đạo gồm bao nhiêu thành viên")  # "thành lập" is no member
    assert sentences._counts("Ban Chỉ đạo có 15 thành viên.", "", "ban chỉ đạo gồm bao nhiêu thành viên")
    assert not sentences._counts("Tự động hoá 80% quy trình.", "", "có vốn bao nhiêu tỷ")  # "động" is no "đồng"
    assert sentences._counts("Dành 2% GDP.", "", "bao nhiêu GDP theo KL901")
    # "tỷ lệ", "tỉ trọng" are shares, not billions
    assert not sentences._counts("Tỉ lệ xã có thư viện số đạt 80%.", "", "mức lương là bao nhiêu triệu một tháng")
    assert sentences._counts("Hỗ trợ 2 tỷ đồng mỗi năm.", "", "hỗ trợ bao nhiêu tỷ")


def test_which_body_and_procedures_need_a_quote_that_speaks_of_them(fixture_app):
    # "sở nào": the texts name no department; policy texts set no forms
    assert not ask(fixture_app, "Kế hoạch 27 giao sở nào chủ trì theo dõi việc thực hiện?").confident
    assert not ask(fixture_app, "Báo cáo kết quả quán triệt KL901 gửi về đâu, theo mẫu nào?").confident
    named = ask(fixture_app, "Theo KL901, ban nào chủ trì hướng dẫn, theo dõi, kiểm tra?")
    assert named.confident and "Ban Tuyên giáo" in named.answer, named.answer


def test_a_report_about_a_plan_is_not_the_plan(sample_app):
    """The sample article reports on the province's plan: its date is the article's, not the plan's."""
    plan = ask(sample_app, "KẾ HOẠCH CỦA TỈNH ỦY THỰC HIỆN KL69 ĐƯỢC BAN HÀNH NGÀY NÀO Ạ?")
    assert not plan.confident and "25/3/2024" not in plan.answer, plan.answer
    article = ask(sample_app, "bài báo về kế hoạch thực hiện KL69 đăng ngày nào")
    assert article.confident and "25/3/2024" in article.answer, article.answer
    # nor is the conclusion itself the article about it
    conclusion = ask(sample_app, "KL69 ban hành ngày nào")
    assert not conclusion.confident and "25/3/2024" not in conclusion.answer, conclusion.answer


def test_furniture_is_never_quoted(fixture_app):
    for question in ("lưu văn phòng trung ương đảng", "các ban đảng, ban cán sự đảng, đảng đoàn"):
        result = ask(fixture_app, question)
        assert "Nơi nhận" not in result.answer and "Lưu Văn phòng" not in result.answer, result.answer


def test_whom_a_text_is_sent_to_is_its_distribution_list(fixture_app):
    """ "Nơi nhận" is a particular of the text, answered as such (never as quoted content); the
    archive copy ("Lưu Văn phòng …") is where it is filed, not whom it is sent to."""
    for question in ("Nơi nhận kết luận 901 gồm những ai", "KL901 GUI DEN NHUNG NOI NAO"):
        result = ask(fixture_app, question)
        assert result.confident and "được gửi đến: các tỉnh uỷ, thành uỷ" in result.answer, result.answer
        assert "Lưu Văn phòng" not in result.answer.split("\n")[0]
    report = ask(fixture_app, "báo cáo kết quả thực hiện kết luận 901 gửi cho ai")
    assert "được gửi đến" not in report.answer, report.answer


def test_yes_no_mention_question_says_yes_with_the_sentence(fixture_app):
    result = ask(fixture_app, "Kết luận 901 có nhắc đến quyền tác giả không?")
    assert result.confident and result.answer.startswith("Có.") and "quyền tác giả" in result.answer
    plain = ask(fixture_app, "hạn quán triệt kết luận 901 là 31/3/2030 đúng không")
    assert not plain.answer.startswith("Có.")


def _alone(app, path, today: date, answered: tuple[tuple[str, str], ...], declined: tuple[str, ...]) -> None:
    """With ``path`` the whole catalogue: each question of ``answered`` gets its fact, each of
    ``declined`` gets no quote."""
    from bot.catalogue import ingest, refresh

    ingest(app, [path])
    refresh(app)
    _asked(app, answered, declined, today)


def _asked(app, answered: tuple[tuple[str, str], ...], declined: tuple[str, ...], today: date | None = None) -> None:
    """Each question of ``answered`` gets its fact in the answer, each of ``declined`` no quote."""
    for question, fact in answered:
        result = ask(app, question, today)
        assert result.confident and fact in result.answer, (question, result.answer)
    for question in declined:
        result = ask(app, question, today)
        assert not result.confident, (question, result.answer)


def test_sample_article_alone_answers_deadline_questions_about_it(app):
    """A fresh clone: only the sample article, which names Kết luận 69 in its header but does not
    carry its number. Deadline questions naming KL69 are answered from it; the article does not
    say who signed the conclusion: no made-up signer."""
    answered = (
        ("han xay dung ke hoach thuc hien ket luan 69", "30/4/2024"),
        ("han chot tuyen truyen KL69 la ngay may vay ad", "15/4/2024"),
        ("han chot quan triet kl69 la ngay nao vay ad", "15/4/2024"),  # "han_chot" typed is a cue too
    )
    _alone(app, SAMPLE_ARTICLE, date(2026, 11, 25), answered, ("KL69 ai ký",))


def test_a_newspaper_s_section_is_read_from_its_source_line(app):
    """The article's header says where the paper ran it ("chuyên mục Khoa học - Công nghệ")."""
    answered = (
        ("bài báo về kế hoạch thực hiện KL69 đăng ở chuyên mục nào", "chuyên mục Khoa học - Công nghệ"),
        ("bai ve ke hoach TU thuc hien KL69 dang o chuyen muc nao tren bao", "Khoa học - Công nghệ"),
        # and when it ran the piece, to the minute ("25/03/2024 08:42")
        ("Bài báo về KH của Tỉnh ủy thực hiện KL69 đăng lúc mấy giờ vậy?", "08:42 ngày 25/3/2024"),
        ("bai bao ve ke hoach thuc hien kl69 dang khi nao", "08:42 ngày 25/3/2024"),
        # and who wrote it (the byline after the paper's name: "Báo Quảng Nam (H.Quang)")
        ("bài trên báo QN về kế hoạch thực hiện KL69 do ai viết", "do H.Quang viết"),
    )
    _alone(app, SAMPLE_ARTICLE, date(2026, 11, 25), answered, ())


def test_a_plan_alone_answers_its_own_deadlines_not_the_conclusion_it_implements(app):
    """Only the plan implementing Kết luận 901 is catalogued (the shape of a fresh clone with the
    sample article): its deadlines are answered, while what the conclusion itself says is not
    made up from the plan's words. The same settings hold as on the full catalogue."""
    from tests.conftest import FIXTURE_KNOWLEDGE

    answered = (
        ("han quan triet KL901 la ngay nao", "15/5/2030"),
        ("Thời hạn xây dựng kế hoạch thực hiện Kết luận 901 ở cơ sở là khi nào?", "31/5/2030"),
    )
    declined = (
        "Kết luận 901 giao Đảng đoàn Quốc hội chỉ đạo việc gì?",
        "sau 5 nam KL901 danh gia da so hoa duoc bao nhieu trang tai lieu",
    )
    _alone(app, FIXTURE_KNOWLEDGE / "ke-hoach-27-tinh-uy-hoa-son.txt", date(2030, 4, 1), answered, declined)


def test_the_yes_no_frame_typed_without_marks_does_not_count_against_coverage(fixture_app):
    """Unmarked "co … khong" may be "cơ"; it must not make a covered question look uncovered,
    while an unmarked question on another topic is still declined."""
    result = ask(fixture_app, "ke hoach co noi gi ve doc sach khong")
    assert result.confident and result.answer.startswith("Có."), result.answer
    assert not ask(fixture_app, "ve may bay di ha noi co dat khong").confident


def test_a_text_named_by_its_kind_as_the_subject_scopes_the_question(fixture_app):
    """In "còn kế hoạch của tỉnh thì …" the plan is what is asked about, though the conclusion says
    much the same; "xây dựng kế hoạch" is an action, and leaves the catalogue whole."""
    plan = ask(fixture_app, "còn kế hoạch của tỉnh thì có nhắc đến kết nối thư viện số cho xã phường không")
    assert plan.confident and "2032" in plan.answer and plan.sources[0].number == "27-KH/TU", plan.answer
    action = ask(fixture_app, "các tỉnh ủy xây dựng kế hoạch thực hiện trước ngày nào")
    assert action.confident and "30/4/2030" in action.answer, action.answer


def test_a_republished_copy_is_not_quoted_for_its_introduction(app, tmp_path):
    """A news site's copy opens with "… đã ký ban hành Kết luận … Trân trọng giới thiệu toàn văn":
    the title again, so it matches every question on the topic, but it only says who signed."""
    from tests.conftest import FIXTURE_KNOWLEDGE

    original = (FIXTURE_KNOWLEDGE / "ket-luan-901-thu-vien-so.txt").read_text(encoding="utf-8")
    header, body = original.split("\n\n", 1)
    intro = (
        "Thay mặt Bộ Chính trị, đồng chí Nguyễn Văn Thư đã ký ban hành Kết luận số 901-KL/TW (ngày"
        " 12/02/2030) của Bộ Chính trị về đẩy mạnh phát triển thư viện số và văn hoá đọc trong cán bộ,"
        " đảng viên.\nTrân trọng giới thiệu toàn văn Kết luận số 901-KL/TW:\n\n"
    )
    copy = tmp_path / "ket-luan-901-ban-dang-lai.txt"
    copy.write_text(f"{header}\n\n{intro}{body}", encoding="utf-8")
    _alone(app, copy, date(2030, 4, 1), (("Who signed Conclusion 901?", "Nguyễn Văn Thư"),), ())
    topic = ask(app, "KL901 nói thế nào về phát triển thư viện số và văn hoá đọc trong cán bộ đảng viên")
    assert topic.confident and "đã ký ban hành" not in topic.answer and "Trân trọng" not in topic.answer, topic.answer


def test_metadata_of_a_named_text_comes_from_it_every_field_asked(fixture_app):
    """The conclusion itself answers, not the plan whose header names it; two particulars asked
    get two lines, in the order asked, and a quoted line is quoted once."""
    both = ask(fixture_app, "Kết luận 901-KL/TW được ban hành ngày nào, cơ quan nào ban hành?")
    lines = both.answer.splitlines()
    assert both.confident and "12/2/2030" in lines[0] and "Bộ Chính trị" in lines[1], both.answer
    assert "5/3/2030" not in both.answer and len(lines) == len(set(lines))
    signer = ask(fixture_app, "kl901 la van ban cua BCT hay Ban Bi thu, ky thay mat ai")
    assert "Bộ Chính trị" in signer.answer and "Nguyễn Văn Thư" in signer.answer, signer.answer


def test_a_particular_the_implementing_text_does_not_state_is_declined(fixture_app):
    """The plan implementing KL901 states no session: no quote of its passages instead."""
    result = ask(fixture_app, "kế hoạch của tỉnh uỷ thực hiện KL901 được ban hành tại hội nghị nào")
    assert not result.confident and result.answer == answers.REFUSAL, result.answer


def test_a_text_described_by_another_issuer_is_not_answered_with_a_catalogued_one(fixture_app):
    """No text is named: the issuer the question describes must be the document's; the number
    of a text the question does not pick out is no answer."""
    for question in (
        "UBND tỉnh đã ban hành kế hoạch phát triển thư viện số nào chưa, số mấy",
        "kế hoạch về văn hoá đọc do HĐND tỉnh ban hành ngày nào",
    ):
        result = ask(fixture_app, question)
        assert not result.confident and "27-KH/TU" not in result.answer, (question, result.answer)
    agreed = ask(fixture_app, "Tỉnh uỷ Hoà Sơn đã ban hành kế hoạch về văn hoá đọc ngày nào")
    assert agreed.confident and "5/3/2030" in agreed.answer, agreed.answer


def test_a_named_text_answers_from_itself_before_the_texts_about_it(fixture_app):
    """What the conclusion asks of the provincial committees is quoted from the conclusion; what
    the plan implementing it asks still from the plan."""
    own = ask(fixture_app, "CÁC TỈNH UỶ, THÀNH UỶ PHẢI LÀM GÌ ĐỂ THỰC HIỆN KẾT LUẬN 901?")
    assert own.confident and own.sources[0].number == "901-KL/TW", own.answer
    plan = ask(fixture_app, "kế hoạch của Tỉnh uỷ thực hiện KL901 giao Đảng đoàn HĐND tỉnh việc gì")
    assert plan.confident and plan.sources[0].number == "27-KH/TU", plan.answer


def test_which_ones_of_a_counted_group_is_not_answered_by_the_count(fixture_app):
    """The plan counts "2 buổi sinh hoạt chuyên đề" but never says which: asking which ones gets
    no quote that only restates the count; asking how many does."""
    answered = (
        ("mỗi chi bộ tổ chức mấy buổi sinh hoạt chuyên đề về văn hoá đọc", "2 buổi"),
        ("mỗi chi bộ tổ chức mấy buổi về văn hoá đọc mỗi năm", "2 buổi"),  # "buổi", not "buổi về"
    )
    declined = (
        "mỗi chi bộ tổ chức 2 buổi sinh hoạt chuyên đề về văn hoá đọc là những buổi nào",
        "KH27 nói mỗi chi bộ tổ chức 2 buổi sinh hoạt chuyên đề, đó là những buổi nào",
    )
    _asked(fixture_app, answered, declined)


def test_what_was_achieved_by_a_year_is_reported_only_by_a_text_issued_after_it(fixture_app):
    """Both texts are of 2030: they set 2031's targets and cannot say what 2031 achieved."""
    answered = (("Năm 2031 phải kết nối thư viện số đến bao nhiêu xã, phường", "100% xã, phường"),)
    declined = (
        "Năm 2031 tỉnh đã kết nối thư viện số đến được bao nhiêu xã, phường rồi",
        "đến năm 2031 đã đạt được kết quả gì về kết nối thư viện số",
    )
    _asked(fixture_app, answered, declined)


def test_a_why_question_is_answered_only_by_a_quote_stating_its_premise(fixture_app):
    """KL901 sets 2% and never lowered anything: "why did it lower …" takes as said what no text
    says; a why-question whose premise the text states gets the quote."""
    stated = "Tại sao các cấp uỷ phải xác định phát triển thư viện số và văn hoá đọc là nhiệm vụ thường xuyên"
    false = "Tại sao KL901 hạ mức chi cho thư viện số xuống còn 2% chi thường xuyên"
    _asked(fixture_app, ((stated, "nhiệm vụ thường xuyên"),), (false,))


def test_indicators_and_contacts_need_a_sentence_that_gives_them(fixture_app):
    """ "Chỉ tiêu" are figures and an address is an address: a sentence that only names the topic
    ("hoàn thiện pháp luật về … xuất bản điện tử", "Ban Tuyên giáo Trung ương chủ trì …") is no answer."""
    answered = (("KL901 đặt những chỉ tiêu nào về kết nối thư viện số", "100%"),)
    declined = (
        "chỉ tiêu về xuất bản điện tử theo KL901 là gì",
        "cho xin địa chỉ và số điện thoại của Ban Tuyên giáo Trung ương",
    )
    _asked(fixture_app, answered, declined)


def test_the_scene_a_question_sets_picks_no_sentence(fixture_app):
    """ "Sau 5 năm thực hiện" is the frame of the whole assessment: the limitation is quoted first,
    not the sentence that repeats the frame."""
    result = ask(fixture_app, "KL901 đánh giá sau 5 năm thực hiện còn những hạn chế gì")
    assert result.confident and "«Tuy nhiên, văn hoá đọc" in result.answer, result.answer


def test_which_place_what_fine_and_which_ones_need_the_answer_itself(fixture_app):
    """A place asked needs a province named, a fine an amount in a currency ("2,5 triệu trang" is
    none), and "hai buổi … là những buổi nào" is not answered by the "2 buổi" it restates."""
    answered = (("KL901 dành bao nhiêu chi thường xuyên cho thư viện số", "2%"),)
    declined = (
        "kho tài liệu số dùng chung theo KL901 đặt ở tỉnh nào",
        "KL901 quy định mức phạt với đơn vị chậm số hoá tài liệu là bao nhiêu",
        "mỗi chi bộ tổ chức hai buổi sinh hoạt chuyên đề về văn hoá đọc là những buổi nào",
    )
    _asked(fixture_app, answered, declined)


def test_the_deadline_of_one_step_is_no_other_step_s(fixture_app):
    """Quán triệt and the plan have deadlines; no text sets one for a review (sơ kết)."""
    answered = (("hạn quán triệt KL901 là ngày nào", "/3/2030"),)
    _asked(fixture_app, answered, ("hạn chót các tỉnh uỷ sơ kết việc thực hiện KL901 là ngày nào",))


def test_everyday_words_meet_the_texts_wording(fixture_app):
    """Cadres say "thủ trưởng cơ quan"; Party texts write "người đứng đầu"."""
    result = ask(fixture_app, "KL901 yêu cầu thủ trưởng cơ quan phải làm gì")
    assert result.confident and "người đứng đầu" in result.answer, result.answer


def test_a_text_named_with_its_year_asks_no_year(fixture_app):
    """ "KL901 năm 2030" says which text; the amount asked is not one set for 2030."""
    result = ask(fixture_app, "Còn KL901 năm 2030 thì dành tối thiểu bao nhiêu phần trăm chi thường xuyên cho văn hoá?")
    assert result.confident and "2% chi thường xuyên" in result.answer, result.answer


def test_a_why_question_s_premise_is_quoted_from_the_text_it_is_said_of(fixture_app):
    """ "Vì sao KL901 yêu cầu … trước 15/5/2030": the plan sets that date, not the conclusion; a
    quote from the plan is no reason for what the conclusion did (and the deadline it asks
    about does not make it a deadline question)."""
    result = ask(fixture_app, "VI SAO KL901 CUA BCT YEU CAU CAC HUYEN UY PHAI QUAN TRIET XONG TRUOC 15/5/2030 VAY")
    assert not result.confident, result.answer
    said = ask(fixture_app, "Kế hoạch 27 yêu cầu các huyện uỷ quán triệt xong trước ngày nào?")
    assert said.confident and "15/5/2030" in said.answer


def test_a_particular_the_named_text_does_not_state_is_declined(fixture_app):
    """The header and signature block are where a text's particulars stand; one they do not
    state (a conclusion of the Politburo comes from no session of the Central Committee) is not
    made up from a passage that shares the words."""
    for question in ("KL901 được thông qua tại hội nghị trung ương lần thứ mấy?", "KH27 đăng ở chuyên mục nào"):
        result = ask(fixture_app, question)
        assert not result.confident, (question, result.answer)


def _answers_type(question: str, text: str) -> bool:
    """Whether ``text``, quoted alone, is of the kind ``question`` asks for."""
    from knowledge.dates import find_dates

    hit = Hit(1, 1, "t", "1-KL/TW", "", "kl", "", "", text, 0, 1.0, 0.9, 1.0, frozenset())
    chosen = [sentences.Sentence(0, 0, text, 1.0, tuple(find_dates(text)))]
    return sentences.answers_type(parse(question), chosen, [hit])


def test_an_ordinal_asked_is_answered_by_an_ordinal():
    """ "Đại hội lần thứ mấy" asks which one in a row: "lần thứ XIII" answers it, though it is no
    amount; an amount ("bao nhiêu") is not answered by an ordinal."""
    answers = _answers_type
    said = "Thực hiện tốt Nghị quyết Đại hội lần thứ XIII của Đảng."
    assert answers("kl901 co nhac den nghi quyet dai hoi lan thu may cua dang", said)
    assert not answers("đại hội đảng có bao nhiêu đại biểu", said)
    # "nhóm mấy", "hạng mấy": which group, no amount of the word after it ("nhóm mấy ĐNA")
    assert answers("KL901 muốn Việt Nam đứng nhóm mấy ĐNA", "Việt Nam thuộc nhóm 3 nước dẫn đầu Đông Nam Á.")


def test_a_text_s_issue_date_answers_only_which_text():
    """ "Kết luận số 901-KL/TW ngày 12/02/2030 …" dates the text it names: no answer to when a
    goal is to be reached, but the answer to "thực hiện kết luận nào, ngày nào"."""
    from knowledge.dates import find_dates

    opener = "Kết luận số 901-KL/TW ngày 12/02/2030 của Bộ Chính trị về thư viện số."
    mentions = tuple(find_dates(opener))
    when = parse("Theo KL901, cả nước có thư viện số dùng chung vào thời điểm nào?")
    which = parse("Kế hoạch 27 triển khai kết luận nào, ngày nào?")
    assert sentences._intent_bonus(when, opener, mentions) == 0
    assert sentences._intent_bonus(which, opener, mentions) > 0


def test_a_count_of_a_narrowed_kind_is_answered_only_by_a_count_of_that_kind():
    """ "bao nhiêu doanh nghiệp kỳ lân": a sentence counting other firms is no answer; the words
    narrowing the pair must be there (an abbreviation stops them: "tổ chức KH&CN")."""
    counted = "Phấn đấu có ít nhất 5 doanh nghiệp công nghệ số và 3 tổ chức khoa học đạt chuẩn."
    assert not _answers_type("KL901 đặt mục tiêu có bao nhiêu doanh nghiệp kỳ lân vậy", counted)
    assert _answers_type("KL901 đặt mục tiêu có bao nhiêu doanh nghiệp công nghệ số", counted)
    assert _answers_type("bao nhieu to chuc KH&CN dat chuan", counted)


def test_what_a_question_takes_as_given_is_not_answered_by_restating_it():
    """The names of three counted centres are not in the sentence that counts them; a sum of
    money is not a share of a budget; another year's target is no answer, whatever the heading."""
    counted = "Xây dựng ba trung tâm thư viện số vùng."
    assert not _answers_type(
        "KL901 xây dựng ba trung tâm thư viện số vùng; cho biết tên và địa điểm của ba trung tâm đó", counted
    )
    assert not _answers_type(
        "Quỹ thư viện số theo KL901 có quy mô vốn ban đầu bao nhiêu?", "Bố trí ít nhất 3% ngân sách cho quỹ."
    )
    report = "Bộ Văn hoá báo cáo kết quả hằng năm."
    assert not _answers_type("KL901 giao Bộ Văn hoá báo cáo; đề nghị cho biết mẫu báo cáo kèm theo", report)
    from knowledge.dates import find_dates

    text = "Đến năm 2020, thư viện số đóng góp khoảng 35% kết quả học tập."
    hit = Hit(
        1,
        1,
        "t",
        "1-KL/TW",
        "",
        "kl",
        "MỤC TIÊU ĐẾN NĂM 2020, TẦM NHÌN ĐẾN NĂM 2030",
        "",
        text,
        0,
        1.0,
        0.9,
        1.0,
        frozenset(),
    )
    chosen = [sentences.Sentence(0, 0, text, 1.0, tuple(find_dates(text)))]
    assert not sentences.answers_type(parse("đến năm 2030 thư viện số đóng góp bao nhiêu %"), chosen, [hit])
    assert sentences.answers_type(parse("đến năm 2020 thư viện số đóng góp bao nhiêu %"), chosen, [hit])


def test_a_count_stands_before_what_it_counts():
    """ "bao nhiêu khu công nghệ cao": a sentence naming the kind in passing counts none; a text's
    number is asked only by "… số mấy" and answered only by one."""
    passing = "Hình thành 5 cụm liên kết với khu công nghệ cao, trường đại học."
    counted = "Xây dựng ba khu công nghệ cao quốc gia."
    assert not _answers_type("KL901 yêu cầu xây dựng bao nhiêu khu công nghệ cao?", passing)
    assert _answers_type("KL901 yêu cầu xây dựng bao nhiêu khu công nghệ cao?", counted)
    strategy = "Thực hiện Chiến lược thư viện số đến năm 2030."
    assert not _answers_type("Chiến lược thư viện số mà KL901 nhắc tới là quyết định số mấy?", strategy)
    assert _answers_type("Chiến lược thư viện số là quyết định số mấy?", "Quyết định số 12 ban hành Chiến lược.")


def test_a_share_is_answered_only_by_a_quote_naming_what_it_measures():
    """ "Tỉ lệ doanh nghiệp … bao nhiêu %": the share of growth another factor brings is another
    share; "chiếm tỉ lệ nào" names nothing measured."""
    other = "Đến năm 2030, thư viện số đóng góp khoảng 35% kết quả học tập của cán bộ."
    firms = "Đến năm 2030, tỉ lệ doanh nghiệp có thư viện số đạt trên 40%."
    assert not _answers_type("KL901 đặt tỉ lệ doanh nghiệp có thư viện số là bao nhiêu %?", other)
    assert _answers_type("ty le dn co thu vien so den 2030 bao nhieu %", firms)
    assert _answers_type("Thư viện số đóng góp kết quả học tập chiếm tỉ lệ nào theo KL901?", other)
    budget = "Bố trí ít nhất 3% tổng chi ngân sách hằng năm cho thư viện số."
    assert _answers_type("tỷ lệ tối thiểu trong tổng chi ngân sách cho thư viện số là bao nhiêu?", budget)


def test_a_code_asked_is_not_answered_by_another_of_its_family():
    """ "phủ sóng 6G": the sentence on 5G is no answer; one naming no code (the question's other
    half) may still be."""
    assert not _answers_type("KL901 đặt hạn đến năm nào phủ sóng 6G toàn quốc?", "Đến năm 2030, phủ sóng 5G toàn quốc.")
    assert _answers_type("KL901 đặt hạn đến năm nào phủ sóng 5G toàn quốc?", "Đến năm 2030, phủ sóng 5G toàn quốc.")
    assert _answers_type(
        "Phủ sóng 5G và thư viện số xã được KL901 đặt đến năm nào?", "Đến năm 2030, 100% xã có thư viện số."
    )


def test_a_figure_asked_to_confirm_must_be_the_texts():
    """ "nghe nói KL901 dành 5% chi thường xuyên, đúng không": the text says 2 %; quoting it
    under a yes/no question would seem to confirm 5 %."""
    from embeddings.search import Hit
    from knowledge.dates import find_dates

    text = "Dành tối thiểu 2% chi thường xuyên cho văn hoá hằng năm."
    hit = Hit(1, 1, "t", "901-KL/TW", "", "kl", "Đến năm 2030", "", text, 0, 1.0, 0.9, 1.0, frozenset())
    chosen = [sentences.Sentence(0, 0, text, 1.0, tuple(find_dates(text)))]
    assert not sentences.states_figures("nghe nói Kết luận 901 dành 5% chi thường xuyên, đúng không", chosen, [hit])
    assert sentences.states_figures("Kết luận 901 dành 2% chi thường xuyên đến 2030 đúng không", chosen, [hit])


def test_a_particular_quoted_from_a_passage_must_be_stated_there():
    """ "Kế hoạch của tỉnh số mấy, ai ký" with no header to read: a sentence on the plan's aims
    shares its words but states no number and no signature."""
    from knowledge.dates import find_dates

    def states(fields: tuple[str, ...], text: str) -> bool:
        return sentences.states_particular(fields, [sentences.Sentence(0, 0, text, 1.0, tuple(find_dates(text)))])

    aims = "Kế hoạch đặt mục tiêu phát triển thư viện số trong toàn tỉnh."
    assert not states(("number", "signer"), aims)
    assert states(("number", "issued"), "Kế hoạch thực hiện Kết luận số 901 của Bộ Chính trị.")
    assert states(("signer",), "T/M BAN THƯỜNG VỤ, Bí thư Lê Văn B")
    assert not states(("issued",), aims) and states(("issued",), "Ban hành ngày 05/3/2024.")
    assert states(("issuer",), aims)  # no form to check the body by


def test_a_text_we_lack_is_answered_only_from_a_passage_naming_it(fixture_app):
    """ "Chỉ thị 05 có liên quan gì KL901": KL901 never names Chỉ thị 05, so no passage of it
    says how they relate; the asker is told the catalogue lacks it."""
    result = ask(fixture_app, "chỉ thị 05 học tập làm theo bác có liên quan gì kl901 k")
    assert not result.confident and "Chỉ thị 5" in result.answer and "901-KL/TW" in result.answer, result.answer


def test_a_question_in_two_parts_gets_both_answers(fixture_app):
    result = ask(
        fixture_app,
        "KL901 dành tối thiểu bao nhiêu phần trăm chi thường xuyên cho văn hoá, và hoàn thành kết nối thư viện số"
        " đến các xã trong năm nào?",
    )
    assert result.confident and "2% chi thường xuyên" in result.answer and "2031" in result.answer, result.answer
