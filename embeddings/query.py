"""Matching keys for Vietnamese text, and what a question asks for.

Both sides of lexical search go through :func:`segments`, so a chunk and a question meet on the
same keys: NFC, one tone placement ("hoá" = "hóa"), lowercase, abbreviations followed by their
expansion ("HĐND" also yields "hội đồng nhân dân"), letters split from digits ("NQ57" → "nq 57"),
leading zeros dropped ("01/11/2012" meets "1/11/2012"). Vietnamese words are mostly two
syllables ("khoa học", "công nghệ"), so adjacent syllables inside one clause also form bigram
keys ("khoa_học"); bigrams are what separate "công nghệ cao" from "công ... cao" elsewhere.

Each key has an accented form and a folded (diacritic-free) form. A question typed without
marks can only use the folded one; a question with marks prefers the accented one, because
folding merges "ban/bán/bàn".

:func:`parse` turns a question into a :class:`Query`: the content terms (question words such
as "gì", "nào", "bao nhiêu", "khi nào" removed), and its *intents* (asks for a deadline, a date,
a quantity, outright an amount, a person/body), which retrieval and answer composition use as
hints (an "amount" or date question whose quote states none is declined). Its *expansions* are
policy-language synonyms of its words (:data:`SYNONYMS`), a weaker second BM25 query when
``[retrieval] synonym_weight`` is set.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from embeddings import glossary
from knowledge.text import ABBREVIATIONS, canonical_tones, expand_abbreviations, fold, nfc, strip_marks, words

FOREIGN_BELOW = 0.5  # a question with fewer Vietnamese syllables than this is foreign
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”‘’«»…–—/\\|]|\s-\s|\n")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_LEADING_ZEROS = re.compile(r"\b0+(?=\d)")

# Question and function words that carry no topic. Multi-word entries are removed as a unit
# (so "bao" in "bao gồm" stays while "bao nhiêu" goes).
STOPWORDS = [
    "",
    "gì nào ai là của những các và thì mà này đó kia ấy với cho tôi em anh chị ạ ơi nhé vậy hả à",
    "theo về trong tại hãy xin cần phải đã sẽ đang được bị có nên muốn biết hỏi",
    "bao nhiêu bao giờ khi nào lúc nào thế nào như thế nào ra sao làm sao làm gì ở đâu là gì",
    "mấy đâu sao hay không có phải có không cho biết được không vì sao tại sao",
    "what when who whom which why how where is are was were the a an of to in on for by with do does",
    "did must should shall can could will would their there it its be been this that these those",
    "",
]
# Folded, some of the words above collide with common content words ("có"/"cơ", "trong"/"trọng",
# "đang"/"Đảng", "về"/"vệ", "tại"/"tài", "cần"/"cán"...): those stay as content when unmarked.
AMBIGUOUS_WHEN_FOLDED = frozenset(
    [
        "co",
        "khong",
        "thi",
        "do",
        "cho",
        "ve",
        "trong",
        "tai",
        "can",
        "da",
        "dang",
        "de",
        "nhu",
        "may",
        "dau",
        "hoi",
        "sau",
        "ban",
        "nen",
        "muon",
        "biet",
        "bi",
        "duoc",
        "ma",
        "ay",
        "em",
        "anh",
        "chi",
    ]
)

# Policy-language paraphrases: a question says "mục tiêu chung", the plan "mục tiêu tổng quát".
# Each group's members expand one another in BM25 at a lower weight than the words typed
# ([retrieval] synonym_weight); coverage (the confidence call) counts only the words typed.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("chung", "tổng quát", "tổng thể"),
    ("giám sát", "theo dõi", "kiểm tra", "đôn đốc"),
    ("nhiệm vụ", "công việc"),
    ("thời hạn", "thời gian hoàn thành"),
    ("ban hành", "ra đời"),
    ("mục tiêu", "chỉ tiêu"),
    ("hướng tới", "phấn đấu", "định hướng"),
    ("quán triệt", "phổ biến", "tuyên truyền", "học tập"),
    ("đẩy mạnh", "tăng cường"),
    ("kinh phí", "ngân sách", "nguồn lực tài chính"),
    ("lãnh đạo", "chỉ đạo"),
    ("đánh giá", "sơ kết", "tổng kết"),
    ("người dân", "nhân dân"),
    ("trọng tâm", "trọng điểm", "ưu tiên"),
    ("chuyển đổi số", "số hóa"),
    ("cán bộ", "công chức", "viên chức"),
    ("doanh nghiệp", "công ty"),
    ("giải pháp", "biện pháp"),
    ("nhân lực", "nguồn nhân lực", "nhân tài"),
)

# Function words a question uses far more often than their folded twins ("cơ", "cán", "máy").
# (and words of a cadre's own business the texts rarely write alone: "ai ký", "nộp", "lương")
_RESTORE_FIRST = "gì nào là của những các và thì với về cần phải đã sẽ được bị có nên mấy đâu ký nộp lương"
# Everyday phrases of a question whose words the texts use in another sense when alone ("đặt"
# is "đất" in "đất nước", "hỏi" is "hội" in "xã hội", "tôi" is "tối" in "tối thiểu").
_QUESTION_PHRASES = (
    "đặt ra",
    "đặt chỉ tiêu",
    "đạt bao nhiêu",
    "phải đạt",
    "bài báo",
    "trên báo",
    "cho hỏi",
    "xin hỏi",
    "em hỏi",
    "do ai",
    "đơn vị tôi",
    "của tôi",
    "tôi là",
    "mỗi năm",
    "sau khi",
    "nghe nói",
    "nghe đồn",
)
# How a question asks whether a text speaks of something ("nq57 co noi ve ban dan khong"): the texts
# write "nội dung" far more often than they say "nói", so unmarked "noi ve" must be seeded.
_MENTION_PHRASES = ("có nói", "nói về", "nói gì", "nói đến", "nói tới", "có nhắc", "nhắc đến", "nhắc tới", "đề cập")

# Intent cues, written with marks; folded copies match unmarked questions.
_INTENT_CUES: dict[str, tuple[str, ...]] = {
    "deadline": (
        "thời hạn",
        "hạn chót",
        "hạn cuối",
        "ngày cuối cùng",
        "trước ngày nào",
        "trước ngày tháng năm nào",
        "đến ngày nào",
        "chậm nhất",
        "muộn nhất",
        "hạn",
        "deadline",
        "due",
        "by what date",
        "by when",
    ),
    "date": (
        "ngày nào",
        "ngày bao nhiêu",
        "ngày tháng",
        "năm nào",
        "tháng nào",
        "thời điểm nào",
        "mốc nào",
        "mốc thời gian nào",
        "khi nào",
        "bao giờ",
        "lúc nào",
        "when",
        "what date",
        "which year",
        "what year",
    ),
    "quantity": (
        "bao nhiêu",
        "mấy",
        "tỷ lệ",
        "tỉ lệ",
        "phần trăm",
        "tỷ trọng",
        "tỉ trọng",
        "mức",
        "chỉ tiêu",
        "how many",
        "how much",
        "percentage",
        "percent",
        "what share",
    ),
    # asks for an amount outright: the answer must state one (bot.core.answers.answers declines otherwise)
    "amount": (
        "bao nhiêu",
        "mấy",
        "tỷ lệ",
        "tỉ lệ",
        "phần trăm",
        "how many",
        "how much",
        "percentage",
        "percent",
    ),
    "who": (
        "ai",
        "cơ quan nào",
        "đơn vị nào",
        "tổ chức nào",
        "bộ phận nào",
        "người nào",
        "cấp nào",
        "ban nào",
        "who",
        "which body",
        "which agency",
    ),
}
# A date question with an obligation ("bao giờ phải xong", "when must") asks for a deadline;
# without one ("ban hành khi nào") it asks for a date.
_OBLIGATION = ("phải", "cần", "xong", "hoàn thành", "must", "should", "have to", "finish", "complete")
# Deadline cue words are what the question asks, not what the text must contain.
_CUE_TERMS = frozenset(("hạn", "thời_hạn", "hạn_chót", "hạn_cuối", "chót", "cuối_cùng", "deadline"))
_FOLDED_CUE_TERMS = frozenset(fold(t) for t in _CUE_TERMS if "_" not in t) - {"cuoi"}
_FOLDED_CUE_PAIRS = frozenset(fold(t) for t in _CUE_TERMS if "_" in t)  # "han_chot" typed without marks
# "hạn" alone is a deadline cue, but not in "hạn chế" (limitation), "giới hạn", "quyền hạn",
# "dài/ngắn/trung hạn" (long/short/medium term) or "Hàn Quốc" (folds to "han quoc").
# "AI" in capitals is artificial intelligence, not the question word "ai" (who).
_AI = re.compile(r"\bAI\b")
_NOT_DEADLINE_HAN = re.compile(r"\b(?:gioi|quyen|dai|ngan|trung|co thoi) han\b|\bhan (?:che|quoc)\b")


# A figure worth quoting for "bao nhiêu" questions: a percentage or a counted amount.
_FIGURE = re.compile(
    r"\d\s*%|(?:đạt|khoảng|trên|dưới|tối thiểu|ít nhất|nhóm|hơn|tăng|giảm)\s+(?:mức\s+)?\d",
    re.IGNORECASE,
)


def has_figure(text: str) -> bool:
    """True when ``text`` states a quantity ("trên 55%", "đạt 80%", "nhóm 30 nước")."""
    return _FIGURE.search(text) is not None


@dataclasses.dataclass(frozen=True)
class Term:
    """One search key: a syllable or a syllable bigram, accented and folded."""

    acc: str
    fold: str
    bigram: bool


@dataclasses.dataclass(frozen=True)
class Query:
    text: str  # what is embedded (NFC, trimmed, cut to a sane length)
    matching: str  # what lexical matching reads: ``text``, or its glossary translation if foreign
    foreign: bool  # not Vietnamese (mostly words that are no Vietnamese syllable, e.g. English)
    accented: bool  # the question carries marks, so accented keys are meaningful
    terms: tuple[Term, ...]  # content unigrams then bigrams, deduplicated
    intents: frozenset[str]
    words: tuple[str, ...]  # every word of the question (tone-canonical, lowercase)
    typed: str = ""  # the question as typed when ``text`` is its diacritic restoration
    expansions: tuple[Term, ...] = ()  # synonyms of its words (see SYNONYMS), not in ``terms``

    @property
    def is_empty(self) -> bool:
        return not self.words


def _normalise(text: str) -> str:
    text = _LETTER_DIGIT.sub(" ", nfc(text))
    return _LEADING_ZEROS.sub("", text)


def segments(text: str, expand: bool = True) -> list[list[str]]:
    """Clauses of tone-canonical lowercase words; bigrams never cross a clause boundary."""
    text = _normalise(text)
    if expand:
        text = expand_abbreviations(text)
    out = []
    for part in _CLAUSE_BREAK.split(text):
        ws = [w.replace("&", "_") for w in words(part)]
        if ws:
            out.append(ws)
    return out


def keys(text: str, bigrams: bool = True) -> tuple[str, str]:
    """The accented and folded key strings of ``text`` for the FTS columns."""
    acc: list[str] = []
    for seg in segments(text):
        acc.extend(seg)
        if bigrams:
            acc.extend(f"{a}_{b}" for a, b in zip(seg, seg[1:]))
    joined = " ".join(acc)
    return joined, strip_marks(joined)  # = fold() for lowercase text, and much faster


@lru_cache(maxsize=1)
def _stop_phrases() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Stop phrases as word tuples, longest first: (accented, folded)."""
    phrases = {tuple(p.split()) for line in STOPWORDS for p in _split_entries(line)}
    acc = sorted(phrases, key=len, reverse=True)
    folded = {tuple(fold(w) for w in p) for p in phrases if not (len(p) == 1 and fold(p[0]) in AMBIGUOUS_WHEN_FOLDED)}
    return tuple(acc), tuple(sorted(folded, key=len, reverse=True))


def _split_entries(line: str) -> list[str]:
    """A stopword line holds single words except for known multi-word phrases."""
    multi = (
        "bao nhiêu",
        "bao giờ",
        "khi nào",
        "lúc nào",
        "như thế nào",
        "thế nào",
        "ra sao",
        "làm sao",
        "làm gì",
        "ở đâu",
        "là gì",
        "hay không",
        "có phải",
        "có không",
        "cho biết",
        "được không",
        "vì sao",
        "tại sao",
    )
    found = [m for m in multi if m in line]
    for m in found:
        line = line.replace(m, " ")
    return found + line.split()


def _drop_stopwords(seg: list[str], accented: bool) -> list[str | None]:
    """``seg`` with stopwords replaced by None (kept as holes so bigrams do not jump them)."""
    acc_phrases, fold_phrases = _stop_phrases()
    probe = seg if accented else [fold(w) for w in seg]
    phrases = acc_phrases if accented else fold_phrases
    out: list[str | None] = list(seg)
    i = 0
    while i < len(probe):
        for p in phrases:
            if tuple(probe[i : i + len(p)]) == p:
                for j in range(i, i + len(p)):
                    out[j] = None
                i += len(p)
                break
        else:
            i += 1
    return out


def question_phrases() -> list[str]:
    """Question words and cues, with marks: what restoring an unmarked question must put first
    even though the texts never ask anything (see :mod:`embeddings.accents`). Single words only
    where the folded form is mostly the question word ("co" → "có", not "cơ"; "cơ chế" is still
    restored as a pair)."""
    phrases = [p for line in STOPWORDS for p in _split_entries(line) if " " in p]
    phrases += [c for cues in _INTENT_CUES.values() for c in cues] + list(_OBLIGATION)
    phrases += [*_RESTORE_FIRST.split(), *_MENTION_PHRASES, *_QUESTION_PHRASES]
    return [p for p in phrases if p != fold(p)]  # unmarked entries need no restoring


def governance_vocabulary() -> list[str]:
    """Vietnamese policy phrases the project knows apart from the texts (abbreviation expansions,
    the glossary), counted like a few more lines of text when restoring marks."""
    return list(ABBREVIATIONS.values()) + list(glossary.ENGLISH.values())


# "năm mấy", "ngày bao nhiêu", "hạn mấy": which year or day, a date; "số mấy", "nhóm mấy",
# "hạng mấy": which number, group or rank, no amount; "mấy năm" stays an amount (how long).
_WHICH_DAY = re.compile(
    r"(?<!\w)(năm|nam|ngày|ngay|tháng|thang|hạn|han|số|so|nhóm|nhom|hạng|hang) (?:mấy|may|bao nhiêu|bao nhieu)(?!\w)"
)


def _intents(text: str, accented: bool) -> frozenset[str]:
    low = " ".join(w for seg in segments(text, expand=False) for w in seg)
    probe = low if accented else fold(low)
    probe = _WHICH_DAY.sub(lambda m: f"{m.group(1)} {'nào' if accented else 'nao'}", probe)
    # Chat mixes the two ("còn xây dựng kế hoạch thì han cuoi la ngay may"): in a marked question,
    # the words typed without marks are read as unmarked, the others stand apart.
    plain = _WHICH_DAY.sub(r"\1 nao", " ".join(w if fold(w) == w else "|" for w in low.split())) if accented else ""

    def says(cue: str) -> bool:
        key = canonical_tones(cue) if accented else fold(cue)
        if key in ("hạn", "han") and _NOT_DEADLINE_HAN.search(fold(low)):
            return False
        found = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", probe) is not None
        return found or (fold(cue) != key and re.search(rf"(?<!\w){re.escape(fold(cue))}(?!\w)", plain) is not None)

    found = {intent for intent, cues in _INTENT_CUES.items() if any(says(c) for c in cues)}
    if any(says(c) for c in ("năm nào", "which year", "what year")):
        found.add("year")  # a year is the answer, not a day
    if "date" in found and any(says(w) for w in _OBLIGATION):
        found.add("deadline")
    return frozenset(found)


def vietnamese_share(text: str) -> float:
    """Share of the letter-only words of ``text`` that are Vietnamese syllables (1.0 if none)."""
    letters = [fold(w) for w in words(text) if w.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for w in letters if glossary.is_vietnamese_syllable(w)) / len(letters)


def parse(question: str, max_chars: int = 500, bigrams: bool = True) -> Query:
    """Analyse a question; very long input is cut at a word boundary near ``max_chars``."""
    text = " ".join(nfc(question or "").split())
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    foreign = vietnamese_share(text) < FOREIGN_BELOW
    matching = glossary.translate(text) if foreign else text
    segs = segments(_AI.sub("AI (trí tuệ nhân tạo)", matching))
    all_words = tuple(w for seg in segs for w in seg)
    # Judged on what was typed: the marks of expanded abbreviations ("KHCN" → "khoa học và công
    # nghệ") must not make an unmarked question look marked (it would then never be restored).
    typed = tuple(w for seg in segments(matching, expand=False) for w in seg)
    marked = sum(1 for w in typed if fold(w) != w)
    accented = marked > 0 and marked >= 0.2 * len(typed)
    unigrams: dict[str, Term] = {}
    pairs: dict[str, Term] = {}
    for seg in segs:
        kept = _drop_stopwords(seg, accented)
        for w in kept:
            if w is not None and w not in _CUE_TERMS and fold(w) not in _FOLDED_CUE_TERMS:
                unigrams.setdefault(w if accented else fold(w), Term(w, fold(w), False))
        if bigrams:
            for a, b in zip(kept, kept[1:]):
                acc = f"{a}_{b}"
                if a is not None and b is not None and acc not in _CUE_TERMS and fold(acc) not in _FOLDED_CUE_PAIRS:
                    pairs.setdefault(acc if accented else fold(acc), Term(acc, fold(acc), True))
    terms = tuple(unigrams.values()) + tuple(pairs.values())
    return Query(
        text=text,
        matching=matching,
        foreign=foreign,
        accented=accented,
        terms=terms,
        intents=_intents(_AI.sub(" ", text), accented),
        words=all_words,
        expansions=_expansions(segs, terms, bigrams),
    )


@lru_cache(maxsize=1)
def _synonym_groups() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]:
    """Each group's members as (folded phrase, accented words)."""
    return tuple(tuple((fold(m), tuple(canonical_tones(m).split())) for m in group) for group in SYNONYMS)


def _expansions(segs: list[list[str]], terms: tuple[Term, ...], bigrams: bool) -> tuple[Term, ...]:
    """Terms of the synonyms of the phrases the question uses (folded match, so unmarked
    questions expand too), minus terms it already has."""
    folded = " " + " | ".join(" ".join(fold(w) for w in seg) for seg in segs) + " "
    have = {t.fold for t in terms}
    out: dict[str, Term] = {}
    for group in _synonym_groups():
        if not any(f" {key} " in folded for key, _ in group):
            continue
        for key, ws in group:
            if f" {key} " in folded:
                continue
            # a phrase expands by its pairs only: "tổng quát", not "tổng" and "quát" apart
            found = [Term(ws[0], fold(ws[0]), False)] if len(ws) == 1 else []
            if bigrams:
                found += [Term(f"{a}_{b}", fold(f"{a}_{b}"), True) for a, b in zip(ws, ws[1:])]
            for t in found:
                if t.fold not in have:
                    out.setdefault(t.fold, t)
    return tuple(out.values())
