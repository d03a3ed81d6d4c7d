"""Which sentence of the retrieved chunks answers the question, and how much of it to quote.

Retrieval finds chunks; an answer quotes a sentence or two of them verbatim. :func:`rank` scores
every sentence cheaply (idf-weighted overlap with the question, what the question asks for: a
deadline, a date, a figure; the chunk's rank and the sentence's own cosine), :func:`choose` takes
the best with a close runner-up, :func:`quote` fits them to the answer's length, and
:func:`answers_type` checks that the quote is of the kind asked for. Kept apart from
:mod:`bot.core.answers.answers` so the scoring can be read and tested without an app.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.core.answers import subjects
from bot.core.answers.understanding import asked_years
from embeddings import glossary
from embeddings.query import Query, has_figure, keys
from embeddings.search import Hit
from knowledge.dates import DateMention, find_dates
from knowledge.metadata import announces_signing, is_furniture, starts_distribution
from knowledge.places import provinces_written
from knowledge.sections import PATH_SEPARATOR, split_sentences
from knowledge.text import canonical_tones, fold, nfc, replace_abbreviations

if TYPE_CHECKING:
    from bot.app import App

_CLAUSE = re.compile(r"(?<=[;,:])\s+")
_MARKER = re.compile(r"^(?:[-–+•*]|\d{1,3}(?:\.\d{1,2})*[.)-]|[a-zđ]\)|[IVX]{1,5}[.-])\s*")
# Amounts written in words ("ba khu công nghệ cao"); "một" and "năm" are left out: "một số",
# "năm 2030" are no answer to "bao nhiêu".
_NUMBER_WORDS = frozenset(
    [
        "hai",
        "ba",
        "bốn",
        "tư",
        "sáu",
        "bảy",
        "tám",
        "chín",
        "mười",
        "mươi",
        "trăm",
        "nghìn",
        "ngàn",
        "triệu",
        "tỷ",
        "tỉ",
        "nửa",
    ]
)
_FOLDED_NUMBER_WORDS = "|".join(sorted({fold(w) for w in _NUMBER_WORDS} | {"mot", "nam", "muoi"}))
# A period that sets a deadline: "06 tháng", "30 ngày làm việc", "ba năm".
_DURATION = re.compile(r"\b(?:\d{1,3}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+(?:ngày|tuần|tháng|năm|giờ)\b", re.I)
# What "bao nhiêu / mấy" counts: the word after it (folded), "%" kept.
_COUNTED = re.compile(r"(?<!\w)(?:bao nhieu|may)\s*(%|\w+)(?:\s+(\w+))?(?:\s+(\w+))?(?:\s+(\w+))?")
_MONEY = ("đồng", "tỷ", "tỉ", "triệu", "nghìn", "usd")  # matched with their marks
_MONEY_ASKED = frozenset(("tien", "dong", "ty", "ti", "trieu", "nghin", "usd"))  # "bao nhiêu tiền / tỷ"
_SHARE = ("%", "phần trăm")
# What is paid, before a bare "(là) bao nhiêu": an amount of money ("mức phạt", "vốn điều lệ").
_PAID = re.compile(
    r"\b(?:muc phat|tien phat|von dieu le|von ban dau|quy mo von|tong von|muc von|muc luong|tien luong|phu cap"
    r"|chi phi|le phi|muc ho tro)\b"
)
# Words after "bao nhiêu / mấy" that are no unit: "bao nhiêu vào 2030", "mấy lần thì".
_NOT_COUNTED = frozenset(
    ("la", "thi", "de", "duoc", "cho", "va", "vay", "a", "the", "nua", "roi", "khong", "vao", "trong", "o", "tai")
    + (
        "den",
        "tu",
        "so",
        "moi",
        "phai",
        "can",
        "dat",
        "chiem",
        "ha",
        "nhi",
        "z",
        "v",
        "ban",
        "ad",
        "tren",
        "mot",
        "cua",
        "theo",
        "o",
        "voi",
        "ve",
        "nhu",
    )
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# "sở nào", "ban nào": which body of a kind, in a question typed with its marks (unmarked "so
# nao" is "số nào" as often, and restoring marks guesses); "văn bản nào", "nhiệm vụ nào", "cơ
# sở nào" are no bodies.
_WHICH_BODY = re.compile(r"(?<!văn )(?<!nhiệm )(?<!dịch )(?<!cơ )(?<!toàn )\b(sở|bộ|ban|ủy ban|vụ|cục|hội đồng) nào\b")
# The steps of carrying out a text, each with its own deadline: a date asked for one is no other's.
_STEPS = re.compile(r"\b(?:so ket|tong ket|quan triet|pho bien|tuyen truyen|the che hoa|bao cao)\b")
_WHICH_PLACE = re.compile(r"\b(?:tinh|thanh pho|tinh thanh|dia phuong) nao\b")
_PROCEDURE = re.compile(
    r"\b(?:ho so|thu tuc|nop o dau|nop (?:\w+ )?cho ai|theo mau|mau nao|mau bao cao|bieu mau|gui ve dau|dang ky o dau"
    r"|dia chi|so dien thoai|so dt|sdt|hotline|email|website|trang web|lien he o dau|lien he voi ai)\b"
)
# "ba khu công nghệ cao … là những khu nào": a counted noun in the question, then which ones.
_COUNTED_PREMISE = re.compile(r"(?<!\w)(\d{1,3}|hai|ba|bon|sau|bay|tam|chin|muoi) (\w+(?: \w+)?)\b")
_WHICH_ONES = re.compile(
    r"\b(?:nhung|cac) (?:\w+ ){0,2}nao\b|\b(?:la|gom|bao gom) (?:nhung )?(?:gi|cai gi)\b"
    r"|\bten (?:\w+ ){0,5}cua\b"  # "tên và địa điểm cụ thể của ba khu đó"
)
# A count as the texts spell it, folded ("3 khu" is written "ba khu").
_SPELLED = dict(
    zip(
        ("2", "3", "4", "5", "6", "7", "8", "9", "10"), ("hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi")
    )
)
_SPELLED |= {word: digit for digit, word in _SPELLED.items()}
# What introduces the members of a counted group in the sentence that counts them.
_LISTED_AFTER = re.compile(r"[:;(]|\b(?:gom|bao gom|la|nhu|trong do|do la)\b")
# "những chỉ tiêu nào", "chỉ tiêu cụ thể": indicators are figures.
_INDICATORS = re.compile(r"\bchi tieu\b")
_PROCEDURE_WORDS = re.compile(
    r"\b(?:ho so|thu tuc|mau|nop|gui ve|dia chi|dien thoai|email|website|trang web|lien he)\b"
)
LEAD_WORDS = 6  # a sentence's subject lies within its first words
LEAD_WEIGHT = 0.3
DOCUMENT_SHARE = 0.5
TITLE_WORDS = 12  # an unpunctuated line shorter than this is a title, not an answer
HEADING_PENALTY = 1.0
DEADLINE_BONUS = 1.0
DEFINITION_BONUS = 0.5
LIST_BONUS = 0.5
DATE_BONUS = 0.5
FIGURE_BONUS = 0.4


@dataclasses.dataclass(frozen=True)
class AnswerSettings:
    """The ``[answers]`` section of config.toml."""

    max_chars: int = 600
    max_sentences: int = 2
    second_sentence_ratio: float = 0.75
    sentence_weight: float = 0.5
    sentence_cosine_spread: float = 0.2
    premise_min_overlap: float = 0.4


@dataclasses.dataclass(frozen=True)
class Sentence:
    """A candidate for the quote: where it stands among the hits, and how well it answers."""

    hit: int  # rank of the chunk among the hits
    position: int  # index of the sentence in its chunk
    text: str
    score: float
    dates: tuple[DateMention, ...]


def overlap(text: str, weights: dict[str, float], context: dict[str, float] | None = None) -> float:
    """Share of the question's (idf-weighted) terms that ``text`` contains; a term found only in
    ``context`` (where the text stands) counts for the share given there."""
    total = sum(weights.values())
    if not total:
        return 0.0
    present = _folded_keys(text)
    context = context or {}
    found = sum(w if term in present else w * context.get(term, 0.0) for term, w in weights.items())
    return found / total


@lru_cache(maxsize=50_000)
def _folded_keys(text: str) -> frozenset[str]:
    """Folded matching keys of a sentence (cached: the same chunks answer many questions)."""
    return frozenset(keys(text)[1].split())


@lru_cache(maxsize=50_000)
def _dates(sentence: str) -> tuple[DateMention, ...]:
    return tuple(find_dates(sentence))


@lru_cache(maxsize=20_000)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text)) or (text,)


def _context_keys(hit: Hit) -> dict[str, float]:
    """Folded keys of where a chunk stands: its section path counts fully for its sentences
    ("Tầm nhìn đến năm 2045" dates every sentence under it), and so do its document's number and
    kind, the words a question uses to *name* the text ("kế hoạch của Tỉnh ủy Quảng Nam"): they
    choose the document, so they must not favour the sentences that happen to repeat them. The
    title, which also says what the text is about, counts by half."""
    title = _folded_keys(hit.title)
    naming = _folded_keys(" ".join((hit.number, hit.kind)))
    section = _folded_keys(hit.section)
    return {**dict.fromkeys(title, DOCUMENT_SHARE), **dict.fromkeys(naming, 1.0), **dict.fromkeys(section, 1.0)}


def _is_heading(sentence: str, hit: Hit) -> bool:
    """A title line (the document's, a section's) names a topic; it answers nothing."""
    line = sentence.strip()
    return (
        line == hit.heading
        or line in hit.section.split(PATH_SEPARATOR)
        or line == hit.title
        or (line[-1:] not in '.;:!?…)»"”' and len(line.split()) < TITLE_WORDS)
    )


def rank(
    query: Query,
    hits: list[Hit],
    weights: dict[str, float],
    cosines: dict[int, np.ndarray],
    cfg: AnswerSettings,
    own: frozenset[str] = frozenset(),
) -> list[Sentence]:
    """Sentences of the given chunks, best first.

    Score = overlap with the question (whole sentence, plus its first words where the subject
    stands) + what the question asks for (deadline, date, figure) + the chunk's rank + the
    sentence's own cosine with the question (precomputed vectors), rescaled over the candidates.
    Terms in ``own`` (what the question is about) count only in the sentence itself, not by the
    heading it stands under: every sentence of the section has the heading.
    """
    if not hits:
        return []
    top_score = hits[0].score or 1.0
    signing = _asks_signing(query)
    rows: list[list[Any]] = []  # hit, position, text, score, dates, cosine (score rescaled below)
    for h, hit in enumerate(hits):
        chunk_weight = 0.3 * max(hit.score, 0.0) / top_score
        sentences = _sentences(hit.text)
        context = {k: v for k, v in _context_keys(hit).items() if k not in own}
        dense = cosines.get(hit.chunk_id)
        if dense is not None and len(dense) != len(sentences):
            dense = None  # vectors from before the chunk changed: ignore them
        listing = False  # inside a "Nơi nhận" list: the rest of the chunk is furniture
        for pos, sentence in enumerate(sentences):
            listing = listing or starts_distribution(sentence)
            if is_furniture(sentence, listing) or (announces_signing(sentence) and not signing):
                continue
            mentions = _dates(sentence)
            score = (
                overlap(sentence, weights, context)
                + LEAD_WEIGHT * overlap(_lead(sentence), weights, context)
                + chunk_weight
                + (0.05 if pos == 0 else 0.0)
                + _intent_bonus(query, sentence, mentions)
            )
            if len(sentences) > 1 and _is_heading(sentence, hit):
                score -= HEADING_PENALTY
            rows.append([h, pos, sentence, score, mentions, None if dense is None else float(dense[pos])])
    known = [r[5] for r in rows if r[5] is not None]
    if known and cfg.sentence_weight:
        # Rescaled over the candidates, but over at least ``sentence_cosine_spread``: e5 cosines
        # of one paragraph's sentences often lie within 0.05 of each other, and stretching that
        # to the full weight let noise outvote the words the question shares with a sentence.
        lo, hi = min(known), max(known)
        spread = max(hi - lo, cfg.sentence_cosine_spread)
        for r in rows:
            if r[5] is not None and spread > 0:
                r[3] += cfg.sentence_weight * (r[5] - lo) / spread
    out = [Sentence(h, pos, text, score, mentions) for h, pos, text, score, mentions, _ in rows]
    out.sort(key=lambda s: (-s.score, s.hit, s.position))
    return out


def _asks_signing(query: Query) -> bool:
    """The question speaks of signing ("ký", "signed"): the one thing news of the signing answers."""
    return any(fold(w) == "ky" for w in query.words)


# A sentence that points back ("Đó là…", "Điều này…", "Theo đó,…") reads on its own only with
# the sentence it points to.
_POINTER = re.compile(
    r"^\W*(?:đó là|đây là|điều này|điều đó|việc này|việc đó|như vậy|"
    r"những (?:nội dung|điều|việc) (?:này|trên)|các (?:nội dung|nhiệm vụ|giải pháp) (?:này|trên))\b",
    re.IGNORECASE,
)


def antecedent(app: App, hit: Hit, first: Sentence) -> str:
    """The sentence a pointing first sentence refers to: the one before it in its chunk, the last
    of the previous chunk, or the document's title when it opens the document; "" otherwise."""
    if not _POINTER.match(first.text.strip()):
        return ""
    sentences = _sentences(hit.text)
    if first.position > 0:
        before = sentences[first.position - 1].strip()
    else:
        row = app.db.conn.execute(
            "SELECT text FROM chunks WHERE document_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
            (hit.document_id, hit.seq),
        ).fetchone()
        before = _sentences(row[0])[-1].strip() if row else hit.title.strip()
    return before if before and before not in first.text else ""


def _lead(sentence: str) -> str:
    """The first words of a sentence, list marker skipped: where Vietnamese puts the subject
    ("- Ban cán sự đảng Chính phủ lãnh đạo…"), so the actor a question names matches here."""
    body = _MARKER.sub("", sentence.lstrip(), count=1)
    return " ".join(body.split()[:LEAD_WORDS])


def _issue_date(sentence: str, mention: DateMention) -> bool:
    """The date stands right after a text's number ("Kết luận số 69-KL/TW ngày 11/01/2024"): it
    says which text, as its number does, and answers no question of when something happens
    (unless the question asks which text: "triển khai kết luận nào, ngày nào")."""
    return bool(_AFTER_TEXT_NUMBER.search(sentence[: mention.span[0]]))


def _intent_bonus(query: Query, sentence: str, mentions: tuple[DateMention, ...]) -> float:
    """What the question asks for: a deadline question wants a due date above all (a sentence
    without one cannot answer it), a date question a day ("năm nào" a year: "đến năm 2030", not
    the day another text was issued), a "bao nhiêu" question a figure."""
    bonus = 0.0
    if "deadline" in query.intents and any(m.is_deadline and m.last for m in mentions):
        bonus += DEADLINE_BONUS
    elif "date" in query.intents and any(
        m.precision == ("year" if "year" in query.intents else "day")
        and not (_issue_date(sentence, m) and not _WHICH_TEXT.search(fold(query.text).lower()))
        for m in mentions
    ):
        bonus += DATE_BONUS
    if "quantity" in query.intents and has_figure(sentence):
        bonus += FIGURE_BONUS
    return bonus


_NUMERAL = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?(?![\d])")
_ORDINAL_ASKED = re.compile(r"\bthu (?:may|bao nhieu)\b")
_ORDINAL = re.compile(r"\b[Tt]hứ \w+|\b[Kk]hoá [IVXLC]+\b")
# A text's number ("Nghị quyết số 29-NQ/TW", "Kết luận 69") says which text, an ordinal ("Hội
# nghị lần thứ sáu") which one in a row: no amount.
_TEXT_NUMBER = re.compile(
    r"\b\d+-[A-ZĐ]+(?:/[A-ZĐ0-9]+)*\b|\b(?:[Nn]ghị quyết|[Kk]ết luận|[Cc]hỉ thị|[Qq]uyết định|[Kk]ế hoạch)(?: số)? \d+\b"
)
_NOT_AMOUNT = re.compile(rf"{_TEXT_NUMBER.pattern}|{_ORDINAL.pattern}")
# Asks which text ("kết luận nào", "nghị quyết số mấy"), or its number only ("… số mấy").
_TEXT_KINDS = "ket luan|nghi quyet|chi thi|quyet dinh|van ban|ke hoach"
_WHICH_TEXT = re.compile(rf"\b(?:{_TEXT_KINDS})(?: so)? (?:may|nao|bao nhieu)\b")
_TEXT_NUMBER_ASKED = re.compile(rf"\b(?:{_TEXT_KINDS}|nghi dinh|thong tu|luat) so (?:may|nao|bao nhieu)\b")
# A code mixing letters and digits ("6G", "H5N1"); a text's short name ("NQ57", "KL 69") is none.
_CODE = re.compile(r"(?<![\w/-])(?=\w*\d)(?=\w*[^\W\d_])\w{2,8}(?![\w/-])")
_NAMED_TEXT = re.compile(rf"(?i:\b(?:nq|kl|ct|qđ|qd|kh|nđ|nd|tt)\s?\d+\b)|{_TEXT_NUMBER.pattern}")
_SHARE_OF = re.compile(
    r"\bt[yi] (?:le|trong) (?:(?:toi thieu|toi da|it nhat|trung binh|chung) )*"
    r"(?!(?:la|bao|may|nao|gi|nay|do|cua|theo|trong|cac|nhung|toi|it|trung|chung)\b)(\w+)"
)
_AFTER_TEXT_NUMBER = re.compile(rf"(?:{_TEXT_NUMBER.pattern}),?\s*$")
# The form a particular takes in a running sentence, for those that have one: a text's number,
# a signature ("ký", "Thay mặt", "T/M"); the dates are the sentence's date mentions.
_PARTICULAR_FORMS = {"number": _TEXT_NUMBER, "signer": re.compile(r"\b(?:ký|[Tt]hay mặt|T/M)\b")}
_DATED_PARTICULARS = ("issued", "published")


def has_quantity(sentence: str, mentions: tuple[DateMention, ...]) -> bool:
    """True when ``sentence`` states an amount other than a date: a digit or a number word
    outside its date mentions ("18 huyện", "ba khu công nghệ cao", "80%"); a period counts
    ("định kỳ 6 tháng"), an item's number ("1. Thành lập …"), a text's ("29-NQ/TW") and an
    ordinal ("lần thứ sáu") do not."""
    rest, end = [], 0
    for m in sorted((m for m in mentions if m.kind != "period"), key=lambda m: m.span[0]):
        rest.append(sentence[end : m.span[0]])
        end = max(end, m.span[1])
    rest.append(sentence[end:])
    text = _NOT_AMOUNT.sub(" ", _MARKER.sub("", " ".join(rest).lstrip(), count=1))
    return any(ch.isdigit() for ch in text) or not _NUMBER_WORDS.isdisjoint(w.lower() for w in text.split())


def answers_type(query: Query, chosen: list[Sentence], chunks: list[Hit], dated: bool = True) -> bool:
    """Whether the quote can answer what the question asks: "bao nhiêu/mấy/tỷ lệ" needs an
    amount ("lần thứ mấy" an ordinal), "khi nào/ngày nào/bao giờ/thời hạn" a date or a period
    ("trong thời hạn 06 tháng", the way laws set deadlines), in the sentence or in the heading it
    stands under ("Đến năm 2030" dates every target listed below it; the answer names the
    heading); not when ``dated`` is false ("được miễn trừ khi nào" asks a condition). A question
    on a topic the texts never treat ("Quảng Nam có bao nhiêu huyện?") is otherwise answered with
    a passage that merely shares its words."""
    if _ORDINAL_ASKED.search(fold(query.text).lower()):  # "lần thứ mấy": an ordinal, not an amount
        if not any(_ORDINAL.search(s.text) for s in chosen):
            return False
    elif "amount" in query.intents and not any(
        has_quantity(s.text, s.dates) and _counts(s.text, chunks[s.hit].section, query.text) for s in chosen
    ):
        return False
    if "amount" in query.intents and not _same_years(query.text, chosen, chunks):
        return False
    if "amount" in query.intents and not _measures(query.text, chosen, chunks):
        return False
    if _INDICATORS.search(fold(query.text).lower()) and not any(has_quantity(s.text, s.dates) for s in chosen):
        return False  # "chỉ tiêu" are figures: a sentence naming a strategy states none
    if not (query.typed or _names_kind(query.text, chosen)) or not _procedural(query.text, chosen):
        return False
    if not _enumerates(query.text, chosen) or not _names_place(query.text, chosen):
        return False
    if not _names_codes(query.text, chosen):
        return False
    if _TEXT_NUMBER_ASKED.search(fold(query.text).lower()) and not any(_TEXT_NUMBER.search(s.text) for s in chosen):
        return False  # "… là quyết định số mấy": only a text's number answers
    if not dated or not query.intents & {"date", "deadline"}:
        return True
    steps = set(_STEPS.findall(fold(query.text).lower()))
    quoted = fold(" ".join(f"{chunks[s.hit].section} {s.text}" for s in chosen)).lower()
    if not steps <= set(_STEPS.findall(quoted)):
        return False  # "hạn sơ kết" is not answered by the deadline of "quán triệt"
    return any(s.dates or _DURATION.search(s.text) or _dates(last_label(chunks[s.hit].section)) for s in chosen)


def strictly_typed(chosen: list[Sentence], actor: str) -> bool:
    """What a quote needs to answer "X phải làm gì" by itself, before another text is asked: a
    sentence with X as its subject (in its first words, where Vietnamese puts it); one naming X
    in passing assigns X nothing."""
    return not actor or subjects.names(_lead(chosen[0].text), subjects.actor_words(actor))


def _counts(sentence: str, section: str, question: str) -> bool:
    """Whether ``sentence`` counts what "bao nhiêu / mấy X" asks: a currency for "tiền / tỷ
    đồng", a percentage for "%", else X itself, in the sentence or its heading ("bao nhiêu thành
    viên" is not answered by a sentence on the board's chair, "bao nhiêu tỷ đồng kinh phí" by "3%
    GDP")."""
    folded = fold(question).lower()
    m = _COUNTED.search(folded)
    unit = m.group(1) if m else ""
    asked = re.search(r"\b(?:bao nhieu|may)\b", folded)
    paid = asked is not None and (not unit or unit in _NOT_COUNTED) and bool(_PAID.search(folded[: asked.start()]))
    marked = canonical_tones(nfc(f"{section} {sentence}")).lower()  # the texts carry marks: "đồng" ≠ "động"
    if paid:  # "mức phạt … là bao nhiêu": an amount in a currency ("2,5 triệu trang" is none)
        wanted: tuple[str, ...] = ("đồng", "usd")
    elif unit in _MONEY_ASKED:
        wanted = _MONEY
    elif unit in ("%", "phan"):
        wanted = _SHARE
    elif unit and not unit.isdigit() and unit not in _NOT_COUNTED:
        _, second, *after = m.groups() if m else (None, None)
        marked = " ".join(re.findall(r"\w+", fold(marked)))
        if second and not second.isdigit() and second not in _NOT_COUNTED:
            unit = f"{unit} {second}"  # "thành viên", "doanh nghiệp": the word is the pair
            if not all(f" {w} " in f" {marked} " for w in _qualifier(tuple(after))):
                return False  # "bao nhiêu doanh nghiệp kỳ lân": a count of other firms is none
        # the count stands before what it counts ("ba khu công nghệ cao", "3 tổ chức, doanh
        # nghiệp"); "cụm liên kết với khu công nghệ cao" names the kind and counts none
        return (
            re.search(rf"(?<!\w)(?:\d+(?:[.,]\d+)?|{_FOLDED_NUMBER_WORDS})(?: \w+){{0,3}} {unit}(?!\w)", marked)
            is not None
        )
    else:
        return True
    # ("tỷ lệ", "tỉ trọng" are shares, not billions)
    return any((w == "%" and w in marked) or re.search(rf"(?<!\w){w}(?!\w)(?! lệ| trọng)", marked) for w in wanted)


def _measures(question: str, chosen: list[Sentence], chunks: list[Hit]) -> bool:
    """ "Tỉ lệ X … bao nhiêu": the quote (or its heading) names X's first word, what is measured
    ("tỉ lệ doanh nghiệp …" is not answered by the share of growth TFP brings)."""
    m = _SHARE_OF.search(" ".join(re.findall(r"\w+", fold(replace_abbreviations(question)).lower())))
    if m is None:
        return True
    quoted = " ".join(re.findall(r"\w+", fold(" ".join(f"{chunks[s.hit].section} {s.text}" for s in chosen)).lower()))
    return f" {m.group(1)} " in f" {quoted} "


def _qualifier(words: tuple[str | None, ...]) -> list[str]:
    """The words that narrow a counted pair ("kỳ lân" in "bao nhiêu doanh nghiệp kỳ lân"), up to
    the first that is no Vietnamese word of content (an abbreviation, a figure, "đến", "vậy")."""
    kept = []
    for word in words:
        if not word or word in _NOT_COUNTED or not glossary.is_vietnamese_syllable(word):
            break
        kept.append(word)
    return kept


def states_figures(question: str, chosen: list[Sentence], chunks: list[Hit]) -> bool:
    """Whether the quote (or the heading it stands under) states every figure a question asks to
    confirm ("nghe nói NQ57 đặt R&D 4% GDP vào 2030, đúng không"): a text giving 2 % does not
    say yes to 4 %, and a yes/no answer quoting it would seem to."""
    claimed = set(_NUMERAL.findall(_NOT_AMOUNT.sub(" ", question)))
    stated = {f for s in chosen for f in _NUMERAL.findall(f"{chunks[s.hit].section} {s.text}")}
    return claimed <= stated


def states_particular(fields: tuple[str, ...], chosen: list[Sentence]) -> bool:
    """Whether a quote answering a metadata question from the passages (the header did not say)
    carries one of the particulars asked, in the form it takes: "kế hoạch … số mấy, ai ký" is
    not answered by a sentence on the plan's aims that shares its words. Particulars without a
    form to check (the issuing body, a place) pass."""
    checked = [f for f in fields if f in _PARTICULAR_FORMS or f in _DATED_PARTICULARS]
    return not checked or any(
        bool(s.dates) if f in _DATED_PARTICULARS else bool(_PARTICULAR_FORMS[f].search(s.text))
        for f in checked
        for s in chosen
    )


def _same_years(question: str, chosen: list[Sentence], chunks: list[Hit]) -> bool:
    """An amount asked for a year ("năm 2015 phải đạt bao nhiêu") is answered only by a sentence
    stating an amount for that year (in it, or else in its heading: "Đến năm 2020, …" under "…
    tầm nhìn đến năm 2030" is 2020's): targets are set year by year, and another year's is no
    answer, though the next sentence quoted speaks of the year asked."""
    years = {str(y) for y in asked_years(question)}
    return not years or any(
        years & set(_YEAR.findall(s.text) or _YEAR.findall(chunks[s.hit].section))
        for s in chosen
        if has_quantity(s.text, s.dates)
    )


def _names_codes(question: str, chosen: list[Sentence]) -> bool:
    """A code of letters and digits the question names ("6G") is not answered by a quote naming
    another of its family instead ("Phủ sóng 5G toàn quốc"), however alike the rest. A text's
    name ("NQ57", "KL69") says which text, not what is asked."""
    asked = {c.lower() for c in _CODE.findall(_NAMED_TEXT.sub(" ", question))}
    quoted = {c.lower() for s in chosen for c in _CODE.findall(s.text)}
    family = {re.sub(r"\d", "", c) for c in asked}
    return not (asked - quoted and {re.sub(r"\d", "", c) for c in quoted - asked} & family)


def _names_place(question: str, chosen: list[Sentence]) -> bool:
    """ "Đặt ở tỉnh nào / thành phố nào" asks a place: the quote must name a province or city."""
    if not _WHICH_PLACE.search(fold(question).lower()):
        return True
    return any(provinces_written(s.text) for s in chosen)


def _names_kind(question: str, chosen: list[Sentence]) -> bool:
    """ "Sở nào / Bộ nào / Ban nào …" asks which body of that kind: the quote must name one, with
    its capital ("Ban Tuyên giáo", not "các ban đảng")."""
    m = _WHICH_BODY.search(canonical_tones(nfc(question)).lower())
    if not m:
        return True
    head = m.group(1)
    return any(re.search(rf"\b{head[0].upper()}{head[1:]}\b", canonical_tones(nfc(s.text))) for s in chosen)


def _enumerates(question: str, chosen: list[Sentence]) -> bool:
    """ "Ba khu công nghệ cao quốc gia là những khu nào" takes the count as given and asks which
    ones: a sentence that only restates the count ("xây dựng … ba khu công nghệ cao quốc gia.")
    names none. The quote must go on after the counted noun with its members (":", "gồm", "là",
    "như", a bracket), or bring the sentences that list them."""
    folded = fold(question).lower()
    which = _WHICH_ONES.search(folded)
    if not which or (len(chosen) > 1 and chosen[0].text.rstrip().endswith(":")):
        return True  # a sentence introducing the list that follows it
    text = fold(chosen[0].text).lower()
    for premise in _COUNTED_PREMISE.finditer(folded, 0, which.start()):
        number, noun = premise.groups()
        said = "|".join(re.escape(n) for n in {number, _SPELLED.get(number, number)})
        counted = re.search(rf"(?<!\w)(?:{said}) {re.escape(noun)}\b", text)
        if counted and not _LISTED_AFTER.search(text, counted.end()):
            return False
    return True


def _procedural(question: str, chosen: list[Sentence]) -> bool:
    """Procedures ("làm hồ sơ gì, nộp ở đâu", "theo mẫu nào") and contacts ("địa chỉ, số điện
    thoại của Sở …") are answered only by a sentence that speaks of them: policy texts set
    duties, not forms or addresses."""
    if not _PROCEDURE.search(fold(question).lower()):
        return True
    return any(_PROCEDURE_WORDS.search(fold(s.text).lower()) for s in chosen)


def defining_first(ranked: list[Sentence], focus: str) -> list[Sentence]:
    """Sentences that define what was asked ("mục tiêu tổng quát là …" for "mục tiêu tổng quát
    là gì") before those that only name it ("Đó là mục tiêu tổng quát …")."""
    return _boosted(ranked, lambda s: DEFINITION_BONUS * defines(s.text, focus))


def defines(text: str, term: str) -> bool:
    """Whether ``text`` says what ``term`` (folded words) is: "X là …", "X gồm …", "X được hiểu là …",
    or what it is made or regarded as: "đưa X thành …", "coi X là …", "X trở thành …"."""
    t = re.escape(term)
    return bool(
        re.search(
            rf"(?<!\w)(?:{t},? (?:la|gom|bao gom|duoc hieu|tro thanh|duoc coi la)|(?:dua|coi|xem|bien) {t} (?:thanh|la))\b",
            subjects.folded(text),
        )
    )


def explained(chosen: list[Sentence], chunks: list[Hit], term: str) -> bool:
    """Whether the quote can say what a term means: a chosen sentence defines it, or it heads the
    section the quote stands in ("Quan điểm chỉ đạo" over the viewpoints). A text that only uses
    the term ("… kinh tế tuần hoàn, kinh tế xanh") does not explain it."""
    return any(defines(s.text, term) or f" {term} " in f" {subjects.folded(chunks[s.hit].section)} " for s in chosen)


def listing_first(ranked: list[Sentence], verb: str) -> list[Sentence]:
    """For "V những gì": sentences where V is followed by a list of short items ("xây dựng chính
    quyền số, kinh tế số, xã hội số") come first."""
    listing = re.compile(rf"(?<!\w){re.escape(verb)} (?:\w+ ){{0,3}}\w+, (?:\w+ ){{0,3}}\w+, ")
    return _boosted(ranked, lambda s: LIST_BONUS * bool(listing.search(_folded_marked(s.text))))


def _boosted(ranked: list[Sentence], bonus: Callable[[Sentence], float]) -> list[Sentence]:
    """``ranked`` again, each sentence's score raised by ``bonus``."""
    return sorted(
        (dataclasses.replace(s, score=s.score + bonus(s)) for s in ranked), key=lambda s: (-s.score, s.hit, s.position)
    )


@lru_cache(maxsize=20_000)
def _folded_marked(text: str) -> str:
    """``text`` folded and lowercased with its commas kept (where lists show)."""
    return " ".join(fold(text).lower().split())


def choose(ranked: list[Sentence], cfg: AnswerSettings, focus: str = "") -> list[Sentence]:
    """The best sentence, plus a close runner-up from the same chunk, in reading order. A best
    sentence that announces a list ("… nguyên nhân chủ quan là chủ yếu:") or only says there are
    some of what was asked ("còn một số hạn chế, yếu kém") also brings the next sentence: the
    answer is there."""
    if not ranked:
        return []
    best = ranked[0]
    chosen = [best]
    announces = focus and re.search(rf"\b(?:mot so|nhung|cac|nhieu) {re.escape(focus)}\b", subjects.folded(best.text))
    if best.text.rstrip().endswith(":") or announces:
        chosen += [s for s in ranked if s.hit == best.hit and s.position == best.position + 1]
    limit = cfg.max_sentences + len(chosen) - 1
    for s in ranked[1:4]:
        if len(chosen) >= limit:
            break
        if s not in chosen and s.hit == best.hit and s.score >= cfg.second_sentence_ratio * best.score:
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.position)


def quote(chosen: list[Sentence], budget: int, query: Query, weights: dict[str, float]) -> str:
    """The chosen sentences verbatim, best first while they fit, shown in reading order; the best
    one alone cut to its best-matching clauses when even it is over ``budget`` (a runner-up that
    fits does not take its place: the answer is in the best one)."""
    kept: list[Sentence] = []
    ordered = sorted(chosen, key=lambda s: -s.score)
    for s in ordered if len(ordered[0].text.strip()) <= budget else ():
        if sum(len(k.text.strip()) + 1 for k in kept) + len(s.text.strip()) <= budget:
            kept.append(s)
    if kept:
        kept.sort(key=lambda s: s.position)
        text = kept[0].text.strip()
        for before, s in zip(kept, kept[1:]):  # "…" marks a gap: the quote stays honest
            text += (" " if s.position == before.position + 1 else " … ") + s.text.strip()
        return text
    best = ordered[0].text.strip()
    clauses = _CLAUSE.split(best)
    scores = [overlap(c, weights) + _intent_bonus(query, c, _dates(c)) for c in clauses]
    centre = max(range(len(clauses)), key=lambda i: scores[i])
    lo = hi = centre
    length = len(clauses[centre])
    while True:  # grow the window towards the better-scoring neighbour while it fits
        options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(clauses)]
        options = [i for i in options if length + 1 + len(clauses[i]) + 2 <= budget]
        if not options:
            break
        i = max(options, key=lambda j: (scores[j], j))
        length += 1 + len(clauses[i])
        lo, hi = min(lo, i), max(hi, i)
    text = " ".join(clauses[lo : hi + 1])
    cut = len(text) > budget - 2
    if cut:  # a single clause longer than the budget
        text = text[: max(budget - 3, 1)].rsplit(" ", 1)[0]
    return ("…" if lo > 0 else "") + text + ("…" if cut or hi < len(clauses) - 1 else "")


def last_label(path: str) -> str:
    """The heading a chunk stands right under: the last step of its section path."""
    return path.rsplit(PATH_SEPARATOR, 1)[-1]
