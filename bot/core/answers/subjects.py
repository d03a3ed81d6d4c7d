"""What a question is about, and whether a passage speaks of it.

"X có nhiệm vụ gì", "ai là trưởng ban …", "kết quả thực hiện Nghị quyết 20": a passage that
shares the question's words may still not name its subject. These tests read names the way the
texts write them (folded, abbreviations written out, a body's head word capitalised), so the
sentence ranking in :mod:`bot.core.answers.sentences` and the composition in
:mod:`bot.core.answers.answers` decline a passage about someone else instead of quoting it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from bot.core.answers.understanding import Understanding
from embeddings.search import Hit
from knowledge.text import FOLDED_ABBREVIATIONS, cased_words, fold, words

ACTOR_SHARE = 0.6  # a duty is quoted only from a passage naming this much of whose duty was asked (first words)
_BODY_HEADS = frozenset(("bo", "so", "ban", "uy", "vu", "cuc", "vien", "hoi"))  # "Bộ …", "Sở …", "Ủy ban …"
# "X và Y", "X, Y": another body follows (a head word, one abbreviated — "BCS đảng", "UBND" —
# or "các"); "Bộ Khoa học và Công nghệ" is one.
_NEXT_HEADS = ("cac", "nhung", "ban", "bo", "so", "uy", "dang", "mat", "hoi", "doan", "to", "cap", "nguoi", "chi")
_CONJUNCTION = re.compile(
    r",| (?:va|voi|vs|cung) (?=(?:"
    + "|".join(
        [*_NEXT_HEADS, *(a for a, e in FOLDED_ABBREVIATIONS.items() if fold(e).split()[0] in _BODY_HEADS | {"mat"})]
    )
    + r")\b)"
)
_DETERMINERS = frozenset(("cac", "nhung", "moi"))
ROLE_HEAD = 2  # words of a role that stand together ("trưởng ban", "bí thư")
_DONE = re.compile(r"\b(?:da|dat duoc|ket qua|thanh tuu)\b")


def names(text: str, actor: tuple[str, ...]) -> bool:
    """Whether ``text`` names ``actor`` (folded words, abbreviations written out): it holds the
    actor's first words in a row, at least ``ACTOR_SHARE`` of them. A name's head comes first
    ("Ủy ban Kiểm tra …", "Người đứng đầu …"), so a passage with "ban", "kiểm tra" and "tỉnh ủy"
    scattered about does not name the committee, while "Đảng đoàn HĐND tỉnh" names "Đảng đoàn
    Hội đồng nhân dân tỉnh".

    A body's name starts with a capital in the texts ("Bộ Khoa học và Công nghệ"): a head word
    such as "bộ", "sở", "ban" found in lowercase belongs to another word ("cán bộ khoa học và
    công nghệ", "cơ sở")."""
    if not actor:
        return False
    need = " ".join(actor[: max(1, math.ceil(ACTOR_SHARE * len(actor)))])
    present, capitals = _name_words(text), _capitals(text)
    joined = f" {' '.join(present)} "
    at = joined.find(f" {need} ")
    while at >= 0:
        index = joined[:at].count(" ")
        if actor[0] not in _BODY_HEADS or capitals[index]:
            return True
        at = joined.find(f" {need} ", at + 1)
    return False


@lru_cache(maxsize=20_000)
def _name_words(text: str) -> tuple[str, ...]:
    """Folded words of ``text`` with each abbreviation replaced by its words ("hđnd", typed "hdnd")."""
    return tuple(w for w, _ in _name_tokens(text))


@lru_cache(maxsize=20_000)
def _capitals(text: str) -> tuple[bool, ...]:
    """For each of :func:`_name_words`, whether it was written with a capital (an abbreviation's
    words count as capitalised)."""
    return tuple(c for _, c in _name_tokens(text))


def _name_tokens(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for word in cased_words(text):
        key = fold(word).lower()
        expansion = FOLDED_ABBREVIATIONS.get(key)
        if expansion:
            out.extend((fold(w), True) for w in words(expansion))
        else:
            out.append((key, word[:1].isupper()))
    return out


def naming_test(reading: Understanding) -> Callable[[str], bool] | None:
    """Whether a text names whom the question is about: the body whose duty it asks, or the role
    whose holder it asks; None when it asks about neither."""
    if reading.actor:
        actor = actor_words(reading.actor)
        return lambda text: names(text, actor)
    if reading.role:
        role = _name_words(reading.role)
        return lambda text: _holds_role(text, role)
    return None


def _holds_role(text: str, role: tuple[str, ...]) -> bool:
    """Whether ``text`` speaks of a role: its head ("trưởng ban", "phó trưởng ban", "bí thư") in a
    row and every other word of it somewhere ("… Ban Chỉ đạo Trung ương … do đồng chí Tổng Bí thư
    làm Trưởng Ban")."""
    present = _name_words(text)
    head = " ".join(role[:ROLE_HEAD])
    return f" {head} " in f" {' '.join(present)} " and set(role) <= set(present)


def actor_words(actor: str) -> tuple[str, ...]:
    """The first of the bodies a duty question names ("Đảng đoàn Quốc hội và Ban cán sự đảng …"
    → "đảng đoàn quốc hội"), as folded words without a leading "các/những"."""
    first = _CONJUNCTION.split(fold(actor))[0]
    return tuple(w for i, w in enumerate(_name_words(first)) if i or w not in _DETERMINERS)


def reports_results(sentence: str, hit: Hit, reading: Understanding) -> bool:
    """Whether ``sentence`` can say what implementing the named text has achieved: it names that
    text, says what was done ("đã", "đạt được", "kết quả"), and stands in another
    text — a resolution does not report its own implementation ("Sau 10 năm thực hiện Nghị quyết
    số 20 … đã có chuyển biến" in the conclusion that follows it)."""
    implemented = [n for n in reading.named if re.search(rf"(?<!\d){n.number}(?!\d)", sentence)]
    own = any(hit.number.startswith(f"{n.number}-") for n in implemented)
    return bool(implemented) and not own and bool(_DONE.search(folded(sentence)))


@lru_cache(maxsize=20_000)
def folded(text: str) -> str:
    """:func:`_name_words` as one string: what phrases about a subject are matched against."""
    return " ".join(_name_words(text))
