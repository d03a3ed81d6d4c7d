"""Vietnam's provinces and centrally-run cities, current and former: a closed list.

A question names whose text it asks about after "của tỉnh", "thành phố", "Tỉnh ủy" ("nghị quyết
20 của tỉnh Quảng Ngãi"), but the same words are followed as often by the rest of the question
("KL69 của tỉnh là ngày nào", "của tỉnh mình thì sao"). Which words are a province is no matter
of grammar but of geography, and that list is short and fixed: a name on it is a place, marks
or not; "là ngày", "có gì" are not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import canonical_tones, fold, nfc

# The 63 provinces and centrally-run cities before 2025, the one named since ("Huế") and the one
# merged away in 2008 ("Hà Tây"); the 2025 provinces all bear one of these names.
PROVINCES: tuple[str, ...] = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tây",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hồ Chí Minh",
    "Hòa Bình",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
)


def _key(name: str) -> str:
    """Folded words of a name, punctuation dropped: "Bà Rịa - Vũng Tàu" → "ba ria vung tau"."""
    return " ".join(re.findall(r"\w+", fold(name)))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {_key(name): name for name in PROVINCES}


@lru_cache(maxsize=1)
def _leading() -> re.Pattern[str]:
    names = sorted(_names(), key=len, reverse=True)  # "thua thien hue" before "hue"
    return re.compile(r"(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def province_at(folded: str) -> str:
    """The province that ``folded`` (lowercase words without marks) starts with, folded, or ""."""
    m = _leading().match(folded)
    return m.group() if m else ""


def province_name(folded: str) -> str:
    """A folded province name written as the province is ("quang ngai" → "Quảng Ngãi"), or ""."""
    return _names().get(folded, "")


# Names that are also everyday words once lowercased ("hòa bình": peace, "thái bình": peaceful):
# in running text they say nothing about a place.
_ALSO_WORDS = frozenset(("hoa binh", "thai binh"))


@lru_cache(maxsize=1)
def _anywhere() -> re.Pattern[str]:
    names = sorted(set(_names()) - _ALSO_WORDS, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def provinces_in(text: str) -> frozenset[str]:
    """The provinces a question mentions, folded ("quang nam"), typed with marks or not."""
    return frozenset(_anywhere().findall(_key(text)))


@lru_cache(maxsize=1)
def _written() -> re.Pattern[str]:
    names = sorted((_marked(n) for n in PROVINCES), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def _marked(name: str) -> str:
    return " ".join(re.findall(r"\w+", canonical_tones(nfc(name))))


def provinces_written(text: str) -> frozenset[str]:
    """The provinces a text (written with marks and capitals) mentions, folded: "đa năng"
    (multi-purpose) is no "Đà Nẵng", nor "Việt Nam định hướng" "Nam Định". A person's name that is also a city's ("Hồ Chí Minh")
    counts, so a question about that city is not declined on this ground."""
    return frozenset(_key(m) for m in _written().findall(_marked(text)))
