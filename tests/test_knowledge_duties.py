import pytest

from knowledge.chunks import make_chunks
from knowledge.duties import duties_in_text, extract_duties
from knowledge.loaders import load_file
from tests.conftest import NO_SHARED, SAMPLE_ARTICLE, SHARED_KNOWLEDGE

EVERY_UNIT = "các cấp ủy, tổ chức đảng, chính quyền, Mặt trận và các tổ chức chính trị - xã hội các cấp"


def _duties(path):
    (doc,) = load_file(path)
    return extract_duties(make_chunks(doc.outline()))


@pytest.fixture(scope="module")
def documents():
    """Duties of the three real Party texts (skipped without ../shared/knowledge)."""
    if not SHARED_KNOWLEDGE.is_dir():
        pytest.skip(NO_SHARED)
    return {
        name: _duties(SHARED_KNOWLEDGE / name) for name in ("ket-luan-69.txt", "nghi-quyet-57.txt", "nghi-quyet-20.txt")
    }


def test_article_deadlines_belong_to_the_units_named_before():
    duties = _duties(SAMPLE_ARTICLE)
    dated = [(d.actor, d.due_date, d.due_text, d.task) for d in duties if d.due_date]
    assert dated == [
        (
            EVERY_UNIT,
            "2024-04-15",
            "trước ngày 15/4/2024",
            "hoàn thành việc phổ biến, quán triệt, thông tin, tuyên truyền",
        ),
        (EVERY_UNIT, "2024-04-30", "trước ngày 30/4/2024", "hoàn thành việc xây dựng chương trình, kế hoạch"),
    ]
    first = duties[0]
    assert first.actor == EVERY_UNIT and first.task.startswith("tổ chức phổ biến, quán triệt")
    plan = next(d for d in duties if d.task.startswith("Xây dựng chương trình"))
    assert plan.actor == EVERY_UNIT  # a paragraph that only starts with a verb continues the actor
    council = [d for d in duties if d.actor == "Đảng đoàn HĐND tỉnh"]
    assert council and council[0].task.startswith("chỉ đạo việc cụ thể hóa, hoàn thiện cơ chế, chính sách")
    body = load_file(SAMPLE_ARTICLE)[0].body
    assert all(d.sentence in body for d in duties)  # quoted verbatim


def test_kl69_implementation_section(documents):
    section = [d for d in documents["ket-luan-69.txt"] if d.section_path == "7. Tổ chức thực hiện"]
    actors = list(dict.fromkeys(d.actor for d in section))
    assert actors == [
        "Các tỉnh uỷ, thành uỷ, ban đảng, ban cán sự đảng, đảng đoàn, đảng uỷ trực thuộc Trung ương",
        "Đảng đoàn Quốc hội, Ban cán sự đảng Chính phủ",
        "Ban cán sự đảng Chính phủ",
        "Đảng đoàn Mặt trận Tổ quốc Việt Nam, các tổ chức chính trị - xã hội, Ban Bí thư Trung ương Đoàn "
        "Thanh niên Cộng sản Hồ Chí Minh, hội quần chúng",
        "Ban Tuyên giáo Trung ương",
    ]
    strategy = next(d for d in section if "Chiến lược" in d.task)
    assert (strategy.due_date, strategy.period) == ("2030-12-31", "đến năm 2030")
    propaganda = next(d for d in section if d.actor == "Ban Tuyên giáo Trung ương")
    assert propaganda.period == "định kỳ" and propaganda.task.startswith("chủ trì, phối hợp")
    # later clauses of a bullet ("…; xây dựng chương trình…") keep the bullet's actor
    assert any(d.task.startswith("xây dựng chương trình, kế hoạch cụ thể hoá") for d in section)
    assert all(d.chunk_seq is not None for d in section)


def test_nq57_implementation_section(documents):
    section = [d for d in documents["nghi-quyet-57.txt"] if d.section_path == "IV- TỔ CHỨC THỰC HIỆN"]
    by_actor = {}
    for d in section:
        by_actor.setdefault(d.actor, []).append(d)
    assert {
        "Đảng đoàn Quốc hội",
        "Ban cán sự đảng Chính phủ",
        "Ban Tuyên giáo Trung ương",
        "Văn phòng Trung ương Đảng",
        "Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội",
    } <= set(by_actor)
    law = next(d for d in by_actor["Ban cán sự đảng Chính phủ"] if d.due_date)
    assert (law.due_date, law.due_text, law.period) == ("2025-12-31", "trong năm 2025", "trong năm 2025")
    report = next(d for d in by_actor["Văn phòng Trung ương Đảng"] if d.period)
    assert report.period == "định kỳ 6 tháng" and report.task.startswith("định kỳ 6 tháng báo cáo")
    # "Thành lập Ban Chỉ đạo…" names no actor: not a duty of whoever came before
    assert not any("Thành lập Ban Chỉ đạo" in d.task for d in section)


def test_nq20_closing_list_gives_no_duties(documents):
    assert not any(d.section_path == "Nơi nhận" for d in documents["nghi-quyet-20.txt"])
    assert "Ban Tuyên giáo Trung ương" in {d.actor for d in documents["nghi-quyet-20.txt"]}


def test_actor_shapes():
    duties = duties_in_text(
        "Về tổ chức thực hiện, kế hoạch yêu cầu Sở Nội vụ tổ chức tập huấn cho cán bộ.\n"
        "Ngày 19/3, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.\n"
        "UBND tỉnh chỉ đạo các sở, ngành rà soát thủ tục; chậm nhất ngày 30 tháng 9 năm 2024 báo cáo kết quả.\n"
        "Bộ máy hành chính tiếp tục được kiện toàn.\n"
        "Ban Chỉ đạo tỉnh chỉ đạo việc tổng kết hằng năm."
    )
    got = [(d.actor, d.task, d.due_date, d.period) for d in duties]
    assert got == [
        ("Sở Nội vụ", "tổ chức tập huấn cho cán bộ", None, None),
        ("Ban Thường vụ Tỉnh ủy", "ban hành kế hoạch", None, None),
        ("UBND tỉnh", "chỉ đạo các sở, ngành rà soát thủ tục", None, None),
        ("UBND tỉnh", "chậm nhất ngày 30 tháng 9 năm 2024 báo cáo kết quả", "2024-09-30", None),
        ("Ban Chỉ đạo tỉnh", "chỉ đạo việc tổng kết hằng năm", None, "hằng năm"),
    ]


def test_unrelated_sentences_end_an_actor_run():
    duties = duties_in_text(
        "Sở Tài chính bố trí kinh phí.\nKinh tế của tỉnh tăng trưởng khá.\nXây dựng cơ sở dữ liệu dùng chung."
    )
    assert [d.task for d in duties] == ["bố trí kinh phí"]
