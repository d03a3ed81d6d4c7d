"""Diacritic restoration of unmarked questions from the corpus's own vocabulary."""

from __future__ import annotations

from embeddings.accents import Restorer
from embeddings.query import question_phrases

TEXTS = [
    "Các cấp ủy, tổ chức đảng hoàn thành việc phổ biến, quán triệt Kết luận trước ngày 15/4/2024.",
    "Đổi mới cơ chế, chính sách; cơ quan chủ trì phối hợp với Hội đồng nhân dân tỉnh Quảng Nam.",
    "Đẩy mạnh đổi mới sáng tạo; đổi mới cơ chế quản lý. Cán bộ, công chức được giao nhiệm vụ.",
    "Đơn vị sự nghiệp công lập; tài chính; kỹ thuật số.",
    "Phát triển đất nước, xã hội số; hội nghị; đất đai; tối thiểu.",
]


def restorer() -> Restorer:
    return Restorer.build(TEXTS, question_phrases())


def test_unmarked_question_is_restored_with_case_and_punctuation_kept():
    r = restorer()
    assert r.restore("Thoi han pho bien, quan triet Ket luan 69 la khi nao?") == (
        "Thời hạn phổ biến, quán triệt Kết luận 69 là khi nào?"
    )
    assert r.restore("UBND tinh Quang Nam") == "UBND tỉnh Quảng Nam"  # unknown word as typed


def test_pairs_beat_single_syllables_and_question_words_win():
    r = restorer()
    # "co" alone is the question word "có", but the pair "co che" is "cơ chế"
    assert r.restore("co che chinh sach co gi moi") == "cơ chế chính sách có gì mới"
    assert r.restore("bao nhieu can bo") == "bao nhiêu cán bộ"
    # the texts say "đơn vị", never "vì sao"; a question says both
    assert r.restore("vi sao don vi phai nop") == "vì sao đơn vị phải nộp"
    assert r.restore("tai sao ai ky") == "tại sao ai ký"
    # the texts' "đất", "hội", "tối" are a question's "đặt", "hỏi", "tôi" in its own phrases
    assert r.restore("cho hoi don vi toi dat chi tieu gi") == "cho hỏi đơn vị tôi đặt chỉ tiêu gì"
    assert r.restore("nghe don").startswith("nghe đồn")


def test_a_number_beside_a_word_tells_which_word():
    """ "sau 10 năm" is "after ten years"; "lần thứ sáu" the sixth, the commoner form alone."""
    r = Restorer.build(["Hội nghị lần thứ sáu; lần thứ sáu.", "Sau 10 năm thực hiện.", "Sau 5 năm."])
    assert r.restore("danh gia sau 10 nam thuc hien") == "danh gia sau 10 năm thực hiện"
    assert r.restore("hoi nghi lan thu sau") == "hội nghị lần thứ sáu"
    assert r.restore("sau 2030") == "sau 2030"  # numbers stay as typed


def test_two_swapped_letters_are_put_back_only_for_impossible_words():
    r = restorer()
    assert r.restore("thoi hna quan triet") == "thời hạn quán triệt"  # "hna" is no syllable
    assert r.restore("nhugn cna bo") == "những cán bộ"  # question words are known too
    assert r.restore("qtx can bo") == "qtx cán bộ"  # no known word is one swap away
    # "hia" could be a syllable: never touched, although a swap gives "hai"
    assert r.restore("tinh hia") == "tỉnh hia"


def test_marked_questions_and_empty_maps_are_left_alone():
    r = restorer()
    assert r.restore("Thời hạn quan triet là khi nào?") == "Thời hạn quan triet là khi nào?"
    assert Restorer().restore("thoi han") == "thoi han"


def test_map_round_trips_and_a_torn_file_means_no_restoration(tmp_path):
    r = restorer()
    r.save(tmp_path)
    assert Restorer.load(tmp_path).forms == r.forms
    (tmp_path / "accents.json").write_text("{not json", encoding="utf-8")
    assert not Restorer.load(tmp_path)


def test_searcher_embeds_the_restored_question(fixture_app):
    searcher = fixture_app.searcher
    query = searcher.parse("thoi han quan triet ket luan 901")
    assert query.typed == "thoi han quan triet ket luan 901"
    assert query.accented and query.text.startswith("thời hạn quán triệt kết luận 901")
    english = searcher.parse("When must units finish their plans?")
    assert not english.typed and english.text == "When must units finish their plans?"


def test_a_map_of_an_older_release_is_built_again_when_the_index_loads(fixture_copy):
    """A data folder not re-ingested after an update holds a map the new code cannot read: the
    searcher builds it again on loading rather than restoring nothing."""
    import json

    saved = next(fixture_copy.data_dir.rglob("accents.json"))
    saved.write_text(json.dumps({"version": 0, "seeds": "", "forms": {}}), encoding="utf-8")
    query = fixture_copy.searcher.parse("thoi han quan triet ket luan 901")
    assert query.text.startswith("thời hạn quán triệt kết luận 901")
    assert json.loads(saved.read_text(encoding="utf-8"))["forms"]  # and saved for the next start
