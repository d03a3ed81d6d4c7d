"""Vietnamese text helpers shared by ingestion, search and answers.

Displayed text is only ever NFC-normalised: answers quote the documents exactly as written.
Everything else here produces *matching keys*: both tone placements ("hoá"/"hóa",
"thuỷ"/"thủy") collapse to one spelling, queries typed without diacritics meet the text through
:func:`fold`, and common abbreviations ("HĐND", "KL", "MTTQ") meet their expansions.
"""

from __future__ import annotations

import re
import unicodedata

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_LETTER = r"[^\W\d_]"
# Old-style placement puts the tone on the first vowel of an open "oa", "oe", "uy"; new-style on
# the second. Old style is the canonical key (it is what most published texts use).
_NEW_STYLE = re.compile(
    rf"(?<![qQ])([oO](?=[aAeE])|[uU](?=[yY]))([aAeEyY])([{TONE_MARKS}])(?!{_LETTER}|[\u0300-\u036f])"
)
_WORD = re.compile(r"[^\W_]+(?:[&][^\W_]+)*", re.UNICODE)

ABBREVIATIONS: dict[str, str] = {
    "kl": "kết luận",
    "nq": "nghị quyết",
    "tw": "trung ương",
    "hđnd": "hội đồng nhân dân",
    "ubnd": "ủy ban nhân dân",
    "mttq": "mặt trận tổ quốc",
    "bch": "ban chấp hành",
    "bct": "bộ chính trị",
    "kh&cn": "khoa học và công nghệ",
    "khcn": "khoa học và công nghệ",
    "kh,cn": "khoa học, công nghệ",
    "đmst": "đổi mới sáng tạo",
    "cđs": "chuyển đổi số",
    "cnh": "công nghiệp hóa",
    "hđh": "hiện đại hóa",
    "btg": "ban tuyên giáo",
    "bcđ": "ban chỉ đạo",
    "bcs": "ban cán sự",
    "ct-xh": "chính trị - xã hội",
    "ctxh": "chính trị - xã hội",
    "tp": "thành phố",
    "tx": "thị xã",
    "qh": "quốc hội",
    "cp": "chính phủ",
    "đbqh": "đại biểu quốc hội",
    "ttg": "thủ tướng",
    "đna": "đông nam á",
    "nđ": "nghị định",
    "tt": "thông tư",
    "qđ": "quyết định",
    "kh": "kế hoạch",
    "ct": "chỉ thị",
    "dnnn": "doanh nghiệp nhà nước",
    "dn": "doanh nghiệp",
    "cmcn": "cách mạng công nghiệp",
}


def nfc(text: str) -> str:
    """Unicode NFC, the one form stored and shown (Word and some keyboards emit NFD)."""
    return unicodedata.normalize("NFC", text)


def canonical_tones(text: str) -> str:
    """Move tone marks of open "oa/oe/uy" syllables to the old-style position ("hoá" → "hóa")."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _NEW_STYLE.sub(r"\1\3\2", decomposed))


def fold(text: str) -> str:
    """Lowercase without any diacritics ("Đảng đoàn" → "dang doan"): the key for unmarked queries."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Each abbreviation as it folds ("hđnd" → "hdnd"), for matching words typed or read without marks.
FOLDED_ABBREVIATIONS = {fold(a): e for a, e in ABBREVIATIONS.items()}
# Typed without marks in running text ("hdnd", "bcd"): the same expansions, for abbreviations of
# three letters or more (two-letter ones such as "nd" are other words once folded).
_TYPED_ABBREVIATIONS = {a: e for a, e in FOLDED_ABBREVIATIONS.items() if a not in ABBREVIATIONS and len(a) >= 3}
_ALL_ABBREVIATIONS = {**ABBREVIATIONS, **_TYPED_ABBREVIATIONS}
_ABBREV_RE = re.compile(
    r"(?<![\w&,-])("
    + "|".join(re.escape(a) for a in sorted(_ALL_ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w&])",
    re.IGNORECASE,
)


def _mark_free_table() -> dict[int, int]:
    """``str.translate`` table: each Latin letter with marks → the letter without (Đ → D)."""
    table = {ord("Đ"): ord("D"), ord("đ"): ord("d")}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if len(base) == 1 and base != chr(code):
            table.setdefault(code, ord(base))
    return table


_MARK_FREE = _mark_free_table()


def strip_marks(text: str) -> str:
    """The text without diacritics, case kept, one character for one ("Chỉ đạo" → "Chi dao").

    Length-preserving, so an offset found in the stripped text is an offset in the original:
    pattern matchers search the stripped text and quote the original.
    """
    return text.translate(_MARK_FREE)


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (so exact-mark matching is meaningful)."""
    return fold(text) != text.lower()


def expand_abbreviations(text: str) -> str:
    """Append the expansion after each known abbreviation: "HĐND tỉnh" → "HĐND (hội đồng nhân dân) tỉnh"."""
    return _ABBREV_RE.sub(lambda m: f"{m.group(0)} ({_ALL_ABBREVIATIONS[m.group(0).lower()]})", text)


def replace_abbreviations(text: str) -> str:
    """Each known abbreviation replaced by its expansion: "Đảng đoàn HĐND tỉnh" → "Đảng đoàn hội đồng nhân dân tỉnh"."""
    return _ABBREV_RE.sub(lambda m: _ALL_ABBREVIATIONS[m.group(0).lower()], text)


def words(text: str) -> list[str]:
    """Lowercase, tone-canonical word tokens ("KH&CN" stays one token)."""
    return [w.lower() for w in cased_words(text)]


def cased_words(text: str) -> list[str]:
    """The tokens of :func:`words` as written (capitals kept: "Bộ" names a ministry, "bộ" in
    "cán bộ" does not)."""
    return _WORD.findall(canonical_tones(nfc(text)))


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most about ``limit`` characters + "…"
    (for labels and titles shown, or given to the encoder, in a bounded space)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:-–") + "…"


def format_number(value: int | float, decimals: int = 0) -> str:
    """ "12.345" for 12345, "12.345,7" with one decimal: how Vietnamese readers write numbers
    (dot between thousands, comma for decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
