"""Splitting long answers for platforms with a message limit (Zalo: 2000 characters)."""

from __future__ import annotations

import re

import pytest

from bot.core.chat.text_split import split_message

SENTENCE = "Các cấp ủy, tổ chức đảng tổ chức quán triệt Kết luận 69-KL/TW trước ngày 15/4/2024. "


def _words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_message_and_blank_is_none() -> None:
    assert split_message("  Xin chào đồng chí!  ", 2000) == ["Xin chào đồng chí!"]
    assert split_message("   ", 2000) == []


def test_long_text_is_cut_at_sentence_ends_and_loses_nothing() -> None:
    text = SENTENCE * 60  # ~5,000 characters, one paragraph
    parts = split_message(text, 2000)
    assert len(parts) == 3
    assert all(1 <= len(p) <= 2000 for p in parts)
    assert all(p.endswith("15/4/2024.") for p in parts)  # every cut falls after a sentence
    assert _words(" ".join(parts)) == _words(text)


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = ("Đồng chí Nguyễn Văn A, TP. Hội An, phụ trách. " * 3).strip()
    parts = split_message(text, 60)
    assert all(not p.endswith("TP.") for p in parts)
    assert _words(" ".join(parts)) == _words(text)


def test_question_and_exclamation_marks_end_sentences() -> None:
    text = "Hạn là khi nào? Trước ngày 15/4/2024! " * 80
    parts = split_message(text, 500)
    assert all(len(p) <= 500 and re.search(r"[?!]$", p) for p in parts)


def test_sources_block_is_kept_whole_when_it_fits() -> None:
    sources = "Nguồn: Kết luận 69-KL/TW, mục 7. Tổ chức thực hiện\n«" + "trích dẫn nguyên văn " * 40 + "»"
    text = SENTENCE * 25 + "\n" + sources
    parts = split_message(text, 2000)
    assert len(parts) == 2
    assert parts[-1].endswith(sources[-100:])
    assert sources in parts[-1]


def test_never_cuts_inside_a_word_unless_the_word_itself_is_too_long() -> None:
    text = " ".join(["quántriệt"] * 700)
    for part in split_message(text, 100):
        assert len(part) <= 100
        assert set(part.split()) == {"quántriệt"}
    url = "https://example.vn/" + "x" * 250
    assert [len(p) for p in split_message(url, 100)] == [100, 100, 69]


def test_paragraphs_are_preferred_over_sentences() -> None:
    first, second = SENTENCE * 10, SENTENCE * 10
    parts = split_message(first + "\n\n" + second, len(first) + 50)
    assert parts == [first.strip(), second.strip()]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_message("abc", 0)
