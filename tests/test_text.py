import unicodedata

from knowledge.text import (
    canonical_tones,
    expand_abbreviations,
    fold,
    has_diacritics,
    nfc,
    replace_abbreviations,
    strip_marks,
    words,
)


def test_nfc_composes_word_output():
    decomposed = unicodedata.normalize("NFD", "Nghị quyết")
    assert decomposed != "Nghị quyết"
    assert nfc(decomposed) == "Nghị quyết"


def test_both_tone_placements_meet():
    assert canonical_tones("hoá") == canonical_tones("hóa") == "hóa"
    assert canonical_tones("thuỷ") == canonical_tones("thủy")
    assert canonical_tones("Uỷ ban") == "Ủy ban"
    assert canonical_tones("quả") == "quả"  # "qu" is a consonant: nothing to move


def test_fold_and_has_diacritics():
    assert fold("Đảng đoàn HĐND tỉnh") == "dang doan hdnd tinh"
    assert has_diacritics("Kết luận") and not has_diacritics("ket luan")


def test_strip_marks_keeps_case_and_offsets():
    for text in ["Chỉ đạo Ban Chỉ đạo", "Ủy ban nhân dân ƯỚC", "ﬁ İ x", "15/4/2024"]:
        plain = strip_marks(text)
        assert len(plain) == len(text)
    assert strip_marks("Chỉ đạo Đảng đoàn") == "Chi dao Dang doan"


def test_abbreviations_expanded_and_replaced():
    assert expand_abbreviations("Đảng đoàn HĐND tỉnh") == "Đảng đoàn HĐND (hội đồng nhân dân) tỉnh"
    assert replace_abbreviations("Đảng đoàn HĐND tỉnh") == "Đảng đoàn hội đồng nhân dân tỉnh"
    assert "khoa học và công nghệ" in expand_abbreviations("phát triển KH&CN")
    # typed without marks: "hdnd", "bcd" (not two-letter ones, which are other words once folded)
    assert replace_abbreviations("dang doan hdnd, truong bcd") == "dang doan hội đồng nhân dân, truong ban chỉ đạo"
    assert replace_abbreviations("nd 13") == "nd 13"
    # what chat writes of firms and of the industrial revolution
    assert replace_abbreviations("DNNN lập quỹ, DN nhỏ, CMCN 4.0") == (
        "doanh nghiệp nhà nước lập quỹ, doanh nghiệp nhỏ, cách mạng công nghiệp 4.0"
    )


def test_words_are_tone_canonical_tokens():
    assert words("Công nghiệp hoá KH&CN") == ["công", "nghiệp", "hóa", "kh&cn"]
