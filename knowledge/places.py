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

from knowledge.text import fold

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
