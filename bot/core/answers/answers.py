"""Questions in, cited answers out: the one place every channel (CLI, Telegram, Zalo, web) asks.

:func:`ask` retrieves the best sections (:mod:`embeddings.search`), picks the sentence(s) that
answer the question inside the top chunks with a cheap score (idf-weighted overlap with the
question's terms, what the question asks for: a deadline, a date, a figure, and the chunk's rank),
and quotes them verbatim with the document (number, title, date) and the section. Deadline
questions also get the due date and how many days remain or have passed, counted in
Asia/Ho_Chi_Minh. No model call happens here beyond the single query embedding done by search.

When the texts do not answer the question (the searcher's confidence call), the answer says so
politely and points to the propaganda officer, with no fact at all. Bad questions (empty, only
emoji or punctuation) get a clear message; a very long one is cut before embedding and answered
with a note. :func:`ask` never raises for a question's content.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from bot import store
from bot.catalogue import retrieval_settings
from bot.core.answers import particulars
from bot.core.answers.understanding import Understanding, understand
from bot.core.chat.texts import days_phrase
from bot.core.clock import local_today
from embeddings.query import Query, has_figure, keys, parse
from embeddings.search import Hit, SearchResult
from knowledge.dates import DateMention, find_dates
from knowledge.metadata import announces_signing, is_furniture, starts_distribution
from knowledge.places import province_name, provinces_in
from knowledge.sections import PATH_SEPARATOR, split_sentences
from knowledge.text import ABBREVIATIONS, cased_words, fold, shorten, words

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

EMPTY_QUESTION = (
    "Đồng chí chưa nhập câu hỏi. Hãy gõ câu hỏi về nội dung văn bản, ví dụ: "
    "«Thời hạn quán triệt Kết luận 69 là khi nào?»"
)
NO_WORDS = (
    "Trợ lý chưa hiểu câu hỏi vì không có chữ nào. Đồng chí vui lòng gõ câu hỏi bằng chữ, ví dụ: "
    "«Ai phải xây dựng kế hoạch thực hiện Kết luận 69?»"
)
NO_DOCUMENTS = (
    "Chưa có văn bản nào trong hệ thống để trả lời. Quản trị viên cần nạp văn bản bằng lệnh `quantriet ingest`."
)
REFUSAL = (
    "Xin lỗi, trợ lý chưa tìm thấy nội dung trả lời câu hỏi này trong các văn bản hiện có. "
    "Đồng chí vui lòng liên hệ cán bộ tuyên giáo của đơn vị để được giải đáp."
)
SMALL_TALK = {
    "greeting": "Chào đồng chí! Trợ lý sẵn sàng trả lời câu hỏi về các văn bản cần quán triệt.",
    "thanks": "Không có gì ạ. Đồng chí cần hỏi thêm về văn bản nào cứ nhắn cho trợ lý.",
    "identity": (
        "Tôi là trợ lý quán triệt: trả lời câu hỏi về các văn bản đang triển khai, có trích dẫn nguồn, "
        "và ghi nhận xác nhận «đã quán triệt» của đồng chí."
    ),
    "bye": "Chào đồng chí, hẹn gặp lại!",
    "ack": "Vâng ạ. Đồng chí cần hỏi thêm gì cứ nhắn cho trợ lý.",
    "opinion": "Trợ lý chỉ trích dẫn nội dung các văn bản, không đưa ra ý kiến hay lời khuyên riêng.",
}
HELP = (
    "Đồng chí có thể hỏi về nội dung, nhiệm vụ, thời hạn, chỉ tiêu hoặc người ký, ngày ban hành của văn bản, "
    "ví dụ: «Hạn xây dựng kế hoạch thực hiện Kết luận 69 là khi nào?». Gõ /vanban để xem danh sách văn bản, "
    "/hanchot để xem các mốc thời hạn, /help để xem các lệnh."
)
OTHER_PLACE = (
    "Các văn bản hiện có không nói về {places}. "
    "Đồng chí vui lòng liên hệ cán bộ tuyên giáo của đơn vị để được giải đáp."
)
NOT_IN_CATALOGUE = "Trong hệ thống chưa có {names}, nên trợ lý không trả lời từ văn bản khác."
IMPLEMENTING_MISSING = "Trong hệ thống chưa có văn bản thực hiện {names}."
CATALOGUE_LIST = "Các văn bản hiện có: {documents}."
YES = "Có."
TOO_LONG = "(Câu hỏi dài hơn {limit} ký tự nên trợ lý chỉ xét phần đầu.)"
FAILED = (
    "Xin lỗi, trợ lý đang gặp sự cố khi tìm câu trả lời. Đồng chí vui lòng thử lại sau hoặc liên hệ cán bộ tuyên giáo."
)

_HAS_WORD = re.compile(r"[^\W_]")
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
# A period that sets a deadline: "06 tháng", "30 ngày làm việc", "ba năm".
_DURATION = re.compile(r"\b(?:\d{1,3}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+(?:ngày|tuần|tháng|năm|giờ)\b", re.I)
ACTOR_SHARE = 0.6  # a duty is quoted only from a passage naming this much of whose duty was asked (first words)
# "X và Y", "X, Y": another body follows (a head word or "các"); "Bộ Khoa học và Công nghệ" is one.
_CONJUNCTION = re.compile(r",| (?:va|voi|cung) (?=(?:cac|nhung|ban|bo|so|uy|dang|mat|hoi|doan|to|cap|nguoi|chi)\b)")
_DETERMINERS = frozenset(("cac", "nhung", "moi"))
_BODY_HEADS = frozenset(("bo", "so", "ban", "uy", "vu", "cuc", "vien", "hoi"))  # "Bộ …", "Sở …", "Ủy ban …"
_ABBREVIATIONS = {fold(k): v for k, v in ABBREVIATIONS.items()}
# What "bao nhiêu / mấy" counts: the word after it (folded), "%" kept.
_COUNTED = re.compile(r"(?<!\w)(?:bao nhieu|may)\s*(%|\w+)")
_MONEY = ("dong", "ty", "trieu", "nghin", "usd")
_SHARE = ("%", "phan tram")
YES_TOPIC_SHARE = 0.5  # "Có" only when the quote holds this much of what was asked about (idf-weighted)
LEAD_WORDS = 6  # a sentence's subject lies within its first words
LEAD_WEIGHT = 0.3
DOCUMENT_SHARE = 0.5
TITLE_WORDS = 12  # an unpunctuated line shorter than this is a title, not an answer
HEADING_PENALTY = 1.0
DEADLINE_BONUS = 1.0
ACTOR_BONUS = 0.5
ROLE_HEAD = 2  # words of a role that stand together ("trưởng ban", "bí thư")
FOCUS_WEIGHT = 2.0
DEFINITION_BONUS = 0.5
LIST_BONUS = 0.5
_DONE = re.compile(r"\b(?:da|dat duoc|ket qua|thanh tuu)\b")
DATE_BONUS = 0.5
FIGURE_BONUS = 0.4
TITLE_CHARS = 110  # a document title is cut to this in the answer (the sources carry it in full)
SECTION_CHARS = 90
SOURCE_CHARS = 400  # longest passage quoted for each source


@dataclasses.dataclass(frozen=True)
class AnswerSettings:
    """The ``[answers]`` section of config.toml."""

    max_chars: int = 600
    max_sentences: int = 2
    second_sentence_ratio: float = 0.75
    sentence_weight: float = 0.5
    sentence_cosine_spread: float = 0.2


@dataclasses.dataclass
class Source:
    document: str  # the title
    number: str
    section: str
    text: str  # the passage quoted from this source
    score: float
    chunk_id: int  # extra: open the section in full with :func:`section_text`
    issued: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "number": self.number,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            "chunk_id": self.chunk_id,
            "issued": self.issued,
        }


@dataclasses.dataclass
class Deadline:
    date: str  # ISO
    text: str  # the words of the document: "trước ngày 15/4/2024"
    actor: str
    days_left: int  # negative: days overdue

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date, "text": self.text, "actor": self.actor, "days_left": self.days_left}


@dataclasses.dataclass
class Answer:
    question: str
    answer: str
    confident: bool
    sources: list[Source] = dataclasses.field(default_factory=list)
    deadlines: list[Deadline] = dataclasses.field(default_factory=list)
    # "answer", "refusal" (out of scope), "invalid" (no question), "no_documents", "error"
    status: str = "answer"
    today: str = ""
    rephrased: bool = False  # the text is a language model's verified draft (see rephrase.py)
    model_note: str = ""  # what happened with the model: used, or why its draft was not shown

    @property
    def score(self) -> float | None:
        return self.sources[0].score if self.sources else None

    def to_json(self) -> dict[str, Any]:
        """The shape in DESIGN.md (extra keys: status, today, chunk_id/issued per source)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "confident": self.confident,
            "sources": [s.to_json() for s in self.sources],
            "deadlines": [d.to_json() for d in self.deadlines],
            "status": self.status,
            "today": self.today,
            "rephrased": self.rephrased,
        }


@dataclasses.dataclass(frozen=True)
class _Sentence:
    hit: int  # rank of the chunk among the hits
    position: int  # index of the sentence in its chunk
    text: str
    score: float
    dates: tuple[DateMention, ...]


def settings(app: App) -> AnswerSettings:
    return app.config.section("answers", AnswerSettings)


def ask(app: App, question: str, today: date | None = None) -> Answer:
    """Answer one question from the catalogue; never raises for what the question contains."""
    cfg = settings(app)
    today = today or local_today(app.now())
    text = " ".join((question or "").split())
    base = Answer(question=question or "", answer="", confident=False, today=today.isoformat())
    if not text:
        return dataclasses.replace(base, answer=EMPTY_QUESTION, status="invalid")
    if not _HAS_WORD.search(text):
        return dataclasses.replace(base, answer=NO_WORDS, status="invalid")
    reading = understand(text, retrieval_settings(app.config).max_query_chars)
    if not reading.answers_from_texts:
        reply = SMALL_TALK.get(reading.small_talk, "") + ("\n" if reading.small_talk else "") + HELP
        return dataclasses.replace(base, answer=reply, status="small_talk")
    try:
        searcher = app.searcher
        if searcher.empty:
            return dataclasses.replace(base, answer=NO_DOCUMENTS, status="no_documents")
        scope, missing = particulars.resolve(searcher.references, reading)
        if missing and (not scope or (reading.intent == "metadata" and reading.named[0] in missing)):
            # a particular of a text we do not have ("NQ 29 mà KL69 nhắc tới ban hành ngày nào")
            return dataclasses.replace(base, answer=_not_in_catalogue(app, missing), status="refusal")
        elsewhere = provinces_in(reading.text) - particulars.places(app)
        if elsewhere:
            names = ", ".join(sorted(province_name(p) for p in elsewhere))
            log.info("declined %r: about %s, which no text mentions", text[:80], names)
            return dataclasses.replace(base, answer=OTHER_PLACE.format(places=names), status="refusal")
        if reading.intent == "metadata":
            known = particulars.answer(app, reading, scope)
            if known is None and reading.named and scope and not particulars.carried(app, reading, scope):
                # asks a particular of a named text the catalogue only writes about, or of a text
                # implementing it that the texts about it do not state ("kế hoạch … số mấy"); a
                # text named by its kind alone ("bài báo … số mấy") may ask of one it writes about
                return dataclasses.replace(base, answer=REFUSAL, status="refusal")
            if known is not None:
                if known.other:  # describes a text the catalogue does not have
                    return dataclasses.replace(base, answer=REFUSAL, status="refusal")
                if known.missing:
                    names = ", ".join(n.display() for n in reading.named)
                    reply = _join(IMPLEMENTING_MISSING.format(names=names), _catalogue_line(app))
                    return dataclasses.replace(base, answer=reply, status="refusal")
                return dataclasses.replace(
                    base, answer=known.text, confident=True, sources=_particular_sources(app, known)
                )
        query = searcher.parse(reading.text)
        own = particulars.carriers(app, reading, scope)
        if own and own != scope and reading.actor:
            # what a named text the catalogue carries asks of a body is quoted from that text,
            # where the body is a sentence's subject; the texts about it only when it has none
            first = _retrieved(app, cfg, base, searcher.search(query, scope=own), today, reading, strict=True)
            if first.confident:
                return first
        result = searcher.search(query, scope=scope or None)
    except Exception:  # a broken index must not take the chat down: log it, tell the user
        log.exception("search failed for %r", text[:200])
        return dataclasses.replace(base, answer=FAILED, status="error")
    return _retrieved(app, cfg, base, result, today, reading, strict=False)


def _retrieved(
    app: App, cfg: AnswerSettings, base: Answer, result: SearchResult, today: date, reading: Understanding, strict: bool
) -> Answer:
    """The answer quoted from ``result``, or the refusal when it is not confident. ``strict``: a
    "X phải làm gì" quote must have X as its subject (see :func:`_strictly_typed`)."""
    query = result.query
    note = TOO_LONG.format(limit=app.searcher.settings.max_query_chars) if len(reading.text) > len(query.text) else ""
    if result.catalogue_empty:
        return dataclasses.replace(base, answer=NO_DOCUMENTS, status="no_documents")
    # A question naming a text the catalogue carries needs only the cosine floor (the searcher's
    # call); one naming a text the catalogue only writes about (the sample article alone, about
    # Kết luận 69) must be covered like any other — the article does not answer Kết luận 69's
    # content — but by what it asks about that text: the name itself is resolved already.
    named = bool(reading.named)  # and resolved: a name the catalogue lacks was refused before
    confident = result.confident or (named and not result.referenced and app.searcher.covered(result, reading.unnamed))
    if not confident:
        log.info(
            "declined %r (cosine %.3f, coverage %.2f, phrases %.2f)",
            query.text[:80],
            result.cosine,
            result.coverage,
            result.phrase_coverage,
        )
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    return _compose(app, cfg, base, result, today, note, reading, strict)


def _particular_sources(app: App, known: particulars.Particular) -> list[Source]:
    """The sources of a metadata answer: the document, and each line a fact was read from."""
    row = app.db.conn.execute(
        "SELECT title, coalesce(number, ''), coalesce(issued, '') FROM documents WHERE id = ?", (known.document_id,)
    ).fetchone()
    title, number, issued = row if row else ("", "", "")
    cited = list(dict.fromkeys(known.cited))
    return [Source(title, number, "", line or known.text, 1.0, chunk_id, issued) for line, chunk_id in cited]


def _not_in_catalogue(app: App, missing: list) -> str:
    names = ", ".join(n.display() for n in missing)
    return _join(NOT_IN_CATALOGUE.format(names=names), _catalogue_line(app))


def _catalogue_line(app: App) -> str:
    """The catalogue in one line: what the asker can ask about instead."""
    rows = app.db.conn.execute(
        "SELECT coalesce(nullif(number, ''), title), title FROM documents WHERE removed_at IS NULL"
        " ORDER BY coalesce(issued, '') DESC, id"
    ).fetchall()
    names = [number if number != title else shorten(title, SECTION_CHARS) for number, title in rows]
    return CATALOGUE_LIST.format(documents="; ".join(names)) if names else NO_DOCUMENTS


# --- composition ----------------------------------------------------------------------------


def _compose(
    app: App,
    cfg: AnswerSettings,
    base: Answer,
    result: SearchResult,
    today: date,
    note: str,
    reading: Understanding,
    strict: bool,
) -> Answer:
    query = result.query
    # "… có nhắc đến X không": the sentence to quote is the one that speaks of X; the rest of
    # the question ("có nói về … không") only says how it asks.
    mention = reading.intent == "yesno" and reading.mention
    weights = _topic_weights(app, reading.mention) if mention else _term_weights(app, query)
    if reading.answer_kind and not mention:
        # "những giải pháp gì" asks for solutions; a sentence saying "giải pháp" is not one
        weights = {t: w for t, w in weights.items() if t not in _topic_weights(app, reading.answer_kind)} or weights
    focus = frozenset(_topic_weights(app, reading.focus)) if reading.focus and not mention else frozenset()
    if focus:
        # what the question asks about counts twice: "những hạn chế nào sau 10 năm thực hiện …"
        # is answered by the limitations, not by the sentence repeating its frame
        weights = {t: w * (FOCUS_WEIGHT if t in focus else 1.0) for t, w in weights.items()}
    cosines = result.sentence_scores
    ranked = _rank_sentences(query, result.chunks, weights, cosines, cfg, focus)
    named_by = _naming_test(reading)
    if named_by:
        # "X có nhiệm vụ gì", "ai làm X": only a passage that names X answers it, and the sentence naming X first
        naming = {h for h, hit in enumerate(result.chunks) if named_by(f"{hit.section} {hit.text}")}
        if not naming:
            log.info("declined %r: no passage names %r", query.text[:80], reading.actor or reading.role)
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
        ranked = sorted(
            (dataclasses.replace(s, score=s.score + ACTOR_BONUS * named_by(s.text)) for s in ranked if s.hit in naming),
            key=lambda s: (-s.score, s.hit, s.position),
        )
    if reading.results:
        ranked = [s for s in ranked if _reports_results(s.text, result.chunks[s.hit], reading)]
        if not ranked:
            log.info("declined %r: no later text reports results of the text named", query.text[:80])
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if reading.focus:
        ranked = _defining_first(ranked, reading.focus)
    if reading.listed:
        ranked = _listing_first(ranked, reading.listed)
    chosen = _choose(ranked, cfg, reading.focus)
    if not chosen:
        log.info("declined %r: only furniture (lists of recipients, signatures) matched", query.text[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if not _answers_type(query, chosen, result.chunks) or (strict and not _strictly_typed(chosen, reading.actor)):
        log.info("declined %r: no sentence of the kind asked for", query.text[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    top = result.chunks[chosen[0].hit]
    deadlines = _deadlines(app, query, top, chosen, today, weights)

    where = f", mục {shorten(_last_label(top.section), SECTION_CHARS)}" if top.section else ""
    header = f"Theo {_document_ref(top)}{where}:"
    facts = _facts_line(query, chosen, deadlines, today, weights)
    budget = cfg.max_chars - len(header) - len(facts) - len(note) - 6
    quote = _quote(chosen, budget, query, weights)
    antecedent = _antecedent(app, top, chosen[0])
    if antecedent and len(antecedent) + len(quote) < budget:  # only when both fit whole
        quote = f"{antecedent} {quote}"
    if reading.intent == "yesno" and reading.mention:
        if _overlap(" ".join(s.text for s in chosen), _topic_weights(app, reading.mention)) < YES_TOPIC_SHARE:
            log.info("declined %r: the quote does not speak of %r", query.text[:80], reading.mention)
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
        header = f"{YES} {header}"
    answer = _join(note, header, f"«{quote}»", facts)

    sources = [_source(top, quote)]
    others = [h for h in result.hits if (h.document_id, h.section) != (top.document_id, top.section)]
    for hit in others[: len(result.hits) - 1]:
        best = _rank_sentences(query, [hit], weights, cosines, cfg)
        passage = _quote(_choose(best, cfg), SOURCE_CHARS, query, weights) if best else hit.text[:SOURCE_CHARS]
        sources.append(_source(hit, passage))
    return dataclasses.replace(
        base, answer=answer, confident=True, sources=sources, deadlines=deadlines, status="answer"
    )


def _source(hit: Hit, text: str) -> Source:
    """The cited source for ``hit``, quoting ``text`` from it."""
    return Source(
        document=hit.title,
        number=hit.number,
        section=hit.section,
        text=text,
        score=hit.score,
        chunk_id=hit.chunk_id,
        issued=hit.issued,
    )


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _term_weights(app: App, query: Query) -> dict[str, float]:
    """idf of each query term (folded), from the searcher's vocabulary."""
    vocab = app.searcher.vocabulary
    return {t.fold: vocab.idf(t.fold) for t in query.terms}


def _topic_weights(app: App, topic: str) -> dict[str, float]:
    """idf of the terms of what a yes/no question asks about ("khen thưởng cá nhân")."""
    vocab = app.searcher.vocabulary
    return {t.fold: vocab.idf(t.fold) for t in parse(topic).terms}


def _names(text: str, actor: tuple[str, ...]) -> bool:
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
        expansion = _ABBREVIATIONS.get(key)
        if expansion:
            out.extend((fold(w), True) for w in words(expansion))
        else:
            out.append((key, word[:1].isupper()))
    return out


def _naming_test(reading: Understanding) -> Callable[[str], bool] | None:
    """Whether a text names whom the question is about: the body whose duty it asks, or the role
    whose holder it asks; None when it asks about neither."""
    if reading.actor:
        actor = actor_words(reading.actor)
        return lambda text: _names(text, actor)
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


def _overlap(text: str, weights: dict[str, float], context: dict[str, float] | None = None) -> float:
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


def _rank_sentences(
    query: Query,
    hits: list[Hit],
    weights: dict[str, float],
    cosines: dict[int, np.ndarray],
    cfg: AnswerSettings,
    own: frozenset[str] = frozenset(),
) -> list[_Sentence]:
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
                _overlap(sentence, weights, context)
                + LEAD_WEIGHT * _overlap(_lead(sentence), weights, context)
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
    out = [_Sentence(h, pos, text, score, mentions) for h, pos, text, score, mentions, _ in rows]
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


def _antecedent(app: App, hit: Hit, first: _Sentence) -> str:
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


def _intent_bonus(query: Query, sentence: str, mentions: tuple[DateMention, ...]) -> float:
    """What the question asks for: a deadline question wants a due date above all (a sentence
    without one cannot answer it), a date question a day ("năm nào" a year: "đến năm 2030", not
    the day another text was issued), a "bao nhiêu" question a figure."""
    bonus = 0.0
    if "deadline" in query.intents and any(m.is_deadline and m.last for m in mentions):
        bonus += DEADLINE_BONUS
    elif "date" in query.intents and any(
        m.precision == ("year" if "year" in query.intents else "day") for m in mentions
    ):
        bonus += DATE_BONUS
    if "quantity" in query.intents and has_figure(sentence):
        bonus += FIGURE_BONUS
    return bonus


def has_quantity(sentence: str, mentions: tuple[DateMention, ...]) -> bool:
    """True when ``sentence`` states an amount other than a date: a digit or a number word
    outside its date mentions ("18 huyện", "ba khu công nghệ cao", "80%")."""
    rest, end = [], 0
    for m in sorted(mentions, key=lambda m: m.span[0]):
        rest.append(sentence[end : m.span[0]])
        end = max(end, m.span[1])
    rest.append(sentence[end:])
    text = " ".join(rest)
    return any(ch.isdigit() for ch in text) or not _NUMBER_WORDS.isdisjoint(w.lower() for w in text.split())


def _answers_type(query: Query, chosen: list[_Sentence], chunks: list[Hit]) -> bool:
    """Whether the quote can answer what the question asks: "bao nhiêu/mấy/tỷ lệ" needs an
    amount, "khi nào/ngày nào/bao giờ/thời hạn" a date or a period ("trong thời hạn 06 tháng",
    the way laws set deadlines), in the sentence or in the heading it stands under ("Đến năm 2030" dates every target listed below it; the answer names the
    heading). A question on a topic the texts never treat ("Quảng Nam có bao nhiêu huyện?") is
    otherwise answered with a passage that merely shares its words."""
    if "amount" in query.intents and not any(
        has_quantity(s.text, s.dates) and _counts(s.text, query.text) for s in chosen
    ):
        return False
    if not query.intents & {"date", "deadline"}:
        return True
    return any(s.dates or _DURATION.search(s.text) or _dates(_last_label(chunks[s.hit].section)) for s in chosen)


def _strictly_typed(chosen: list[_Sentence], actor: str) -> bool:
    """What a quote needs to answer "X phải làm gì" by itself, before another text is asked: a
    sentence with X as its subject (in its first words, where Vietnamese puts it); one naming X
    in passing assigns X nothing."""
    return not actor or _names(_lead(chosen[0].text), actor_words(actor))


def _counts(sentence: str, question: str) -> bool:
    """Whether ``sentence`` is in the unit "bao nhiêu / mấy" asks for when it asks money or a
    share: "bao nhiêu tiền / tỷ đồng" wants a currency, "bao nhiêu %" a percentage; "bao nhiêu
    tỷ đồng kinh phí" is not answered by "3% GDP", nor a salary by a share of the budget."""
    m = _COUNTED.search(fold(question).lower())
    unit = m.group(1) if m else ""
    wanted = _MONEY if unit in _MONEY or unit == "tien" else _SHARE if unit in ("%", "phan") else ()
    text = fold(sentence).lower()
    return not wanted or any((w == "%" and w in text) or re.search(rf"(?<!\w){w}(?!\w)", text) for w in wanted)


def _reports_results(sentence: str, hit: Hit, reading: Understanding) -> bool:
    """Whether ``sentence`` can say what implementing the named text has achieved: it names that
    text, says what was done ("đã", "đạt được", "kết quả"), and stands in another
    text — a resolution does not report its own implementation ("Sau 10 năm thực hiện Nghị quyết
    số 20 … đã có chuyển biến" in the conclusion that follows it)."""
    implemented = [n for n in reading.named if re.search(rf"(?<!\d){n.number}(?!\d)", sentence)]
    own = any(hit.number.startswith(f"{n.number}-") for n in implemented)
    return bool(implemented) and not own and bool(_DONE.search(_folded(sentence)))


def _defining_first(ranked: list[_Sentence], focus: str) -> list[_Sentence]:
    """Sentences that define what was asked ("mục tiêu tổng quát là …" for "mục tiêu tổng quát
    là gì") before those that only name it ("Đó là mục tiêu tổng quát …")."""
    defining = re.compile(rf"(?<!\w){re.escape(focus)},? (?:la|gom|bao gom)\b")
    return _boosted(ranked, lambda s: DEFINITION_BONUS * bool(defining.search(_folded(s.text))))


def _listing_first(ranked: list[_Sentence], verb: str) -> list[_Sentence]:
    """For "V những gì": sentences where V is followed by a list of short items ("xây dựng chính
    quyền số, kinh tế số, xã hội số") come first."""
    listing = re.compile(rf"(?<!\w){re.escape(verb)} (?:\w+ ){{0,3}}\w+, (?:\w+ ){{0,3}}\w+, ")
    return _boosted(ranked, lambda s: LIST_BONUS * bool(listing.search(_folded_marked(s.text))))


def _boosted(ranked: list[_Sentence], bonus: Callable[[_Sentence], float]) -> list[_Sentence]:
    """``ranked`` again, each sentence's score raised by ``bonus``."""
    return sorted(
        (dataclasses.replace(s, score=s.score + bonus(s)) for s in ranked), key=lambda s: (-s.score, s.hit, s.position)
    )


@lru_cache(maxsize=20_000)
def _folded_marked(text: str) -> str:
    """``text`` folded and lowercased with its commas kept (where lists show)."""
    return " ".join(fold(text).lower().split())


@lru_cache(maxsize=20_000)
def _folded(text: str) -> str:
    return " ".join(_name_words(text))


def _choose(ranked: list[_Sentence], cfg: AnswerSettings, focus: str = "") -> list[_Sentence]:
    """The best sentence, plus a close runner-up from the same chunk, in reading order. A best
    sentence that announces a list ("… nguyên nhân chủ quan là chủ yếu:") or only says there are
    some of what was asked ("còn một số hạn chế, yếu kém") also brings the next sentence: the
    answer is there."""
    if not ranked:
        return []
    best = ranked[0]
    chosen = [best]
    announces = focus and re.search(rf"\b(?:mot so|nhung|cac|nhieu) {re.escape(focus)}\b", _folded(best.text))
    if best.text.rstrip().endswith(":") or announces:
        chosen += [s for s in ranked if s.hit == best.hit and s.position == best.position + 1]
    limit = cfg.max_sentences + len(chosen) - 1
    for s in ranked[1:4]:
        if len(chosen) >= limit:
            break
        if s not in chosen and s.hit == best.hit and s.score >= cfg.second_sentence_ratio * best.score:
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.position)


def _quote(chosen: list[_Sentence], budget: int, query: Query, weights: dict[str, float]) -> str:
    """The chosen sentences verbatim, best first while they fit, shown in reading order; the best
    one alone cut to its best-matching clauses when even it is over ``budget`` (a runner-up that
    fits does not take its place: the answer is in the best one)."""
    kept: list[_Sentence] = []
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
    scores = [_overlap(c, weights) + _intent_bonus(query, c, _dates(c)) for c in clauses]
    centre = max(range(len(clauses)), key=lambda i: scores[i])
    lo = hi = centre
    length = len(clauses[centre])
    while True:  # grow the window towards the better-scoring neighbour while it fits
        options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(clauses)]
        options = [i for i in options if length + 1 + len(clauses[i]) + 2 <= budget]
        if not options:
            break
        i = max(options, key=lambda j: (scores[j], -j))
        length += 1 + len(clauses[i])
        lo, hi = min(lo, i), max(hi, i)
    text = " ".join(clauses[lo : hi + 1])
    cut = len(text) > budget - 2
    if cut:  # a single clause longer than the budget
        text = text[: max(budget - 3, 1)].rsplit(" ", 1)[0]
    return ("…" if lo > 0 else "") + text + ("…" if cut or hi < len(clauses) - 1 else "")


def short_date(day: date | str) -> str:
    """A date (or an ISO date string) as Vietnamese texts write it, without leading zeros: 15/4/2024."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.day}/{day.month}/{day.year}"


def _context_score(sentence: str, mention: DateMention, weights: dict[str, float]) -> float:
    """How well the words just before a date mention match the question."""
    start = mention.span[0]
    return _overlap(sentence[max(0, start - 90) : start], weights)


def _deadlines(
    app: App, query: Query, top: Hit, chosen: list[_Sentence], today: date, weights: dict[str, float]
) -> list[Deadline]:
    """Deadlines stated in the quoted sentences, the one the question is about first."""
    found: list[tuple[float, DateMention, str]] = []
    for s in chosen:
        for m in s.dates:
            if m.is_deadline and m.last:
                found.append((_context_score(s.text, m, weights), m, s.text))
    found.sort(key=lambda x: -x[0])
    actors = _duty_actors(app, top.chunk_id)
    out = []
    for _, m, sentence in found:
        actor = next(
            (a for iso, a, text in actors if iso == m.iso and (not text or text in sentence or m.text in text)), ""
        )
        if not actor:
            actor = next((a for iso, a, _ in actors if iso == m.iso), "")
        assert m.last is not None  # ``found`` keeps only mentions with a day
        out.append(Deadline(date=m.iso or "", text=m.text, actor=actor, days_left=(m.last - today).days))
    return out


def _duty_actors(app: App, chunk_id: int) -> list[tuple[str, str, str]]:
    """(due date, actor, due words) of the duties found in a chunk; none for most chunks.

    Not :func:`knowledge.catalogue.list_duties`: that reads every duty of the catalogue for lists,
    while an answer needs the few of one chunk, by the ``chunk_id`` index, on every question."""
    return [
        (r["due_date"], r["actor"], r["due_text"] or "")
        for r in app.db.query("SELECT due_date, actor, due_text FROM duties WHERE chunk_id = ?", [chunk_id])
    ]


def _facts_line(
    query: Query, chosen: list[_Sentence], deadlines: list[Deadline], today: date, weights: dict[str, float]
) -> str:
    """The date facts a deadline or date question asks for, stated plainly."""
    if "deadline" in query.intents and deadlines:
        parts = [f"{d.text}: {days_phrase(date.fromisoformat(d.date), today)}" for d in deadlines[:3]]
        return f"Thời hạn (tính đến {short_date(today)}): " + "; ".join(parts) + "."
    if "date" in query.intents or "deadline" in query.intents:
        days = []
        for s in chosen:
            for m in sorted(s.dates, key=lambda m: -_context_score(s.text, m, weights)):
                if m.precision == "day" and m.first and short_date(m.first) not in days:
                    days.append(short_date(m.first))
        if days:
            return "Ngày: " + "; ".join(days[:2]) + "."
    return ""


def _document_ref(hit: Hit) -> str:
    """ "Kết luận số 69-KL/TW … (ngày 11/1/2024)": number, title (cut) and date of the document."""
    title = shorten(hit.title, TITLE_CHARS)
    ref = title if not hit.number or hit.number in title else f"{hit.number} – {title}"
    if hit.issued:
        try:
            ref += f" (ngày {short_date(hit.issued)})"
        except ValueError:
            pass
    return ref


def _last_label(path: str) -> str:
    return path.rsplit(PATH_SEPARATOR, 1)[-1]


# --- the question log and full sections -----------------------------------------------------


def record_question(app: App, answer: Answer, channel: str, person_id: int | None = None) -> int:
    """Log a question and what was answered (for FAQ work); returns the row id."""
    with store.transaction(app.db):
        cur = app.db.conn.execute(
            "INSERT INTO questions (asked_at, channel, person_id, question, answer, confident, score, model_note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                store.isotime(app.now()),
                channel,
                person_id,
                answer.question,
                answer.answer,
                int(answer.confident),
                answer.score,
                answer.model_note,
            ),
        )
    return store.new_id(cur)


@dataclasses.dataclass
class SectionText:
    document: str
    number: str
    section: str
    text: str
    chunk_ids: list[int]


def section_text(app: App, chunk_id: int) -> SectionText | None:
    """The whole section (with its sub-sections) that a quoted chunk belongs to, in reading order;
    None if the chunk no longer exists (the document was re-ingested)."""
    row = app.db.conn.execute(
        "SELECT c.document_id, c.section_path, d.title, coalesce(d.number, '') FROM chunks c"
        " JOIN documents d ON d.id = c.document_id WHERE c.id = ?",
        (chunk_id,),
    ).fetchone()
    if row is None:
        return None
    document_id, path, title, number = row
    if path:
        rows = app.db.conn.execute(
            "SELECT id, text FROM chunks WHERE document_id = ? AND (section_path = ? OR"
            " substr(section_path, 1, ?) = ?) ORDER BY seq",
            (document_id, path, len(path) + len(PATH_SEPARATOR), path + PATH_SEPARATOR),
        ).fetchall()
    else:
        rows = app.db.conn.execute(
            "SELECT id, text FROM chunks WHERE document_id = ? AND section_path = '' ORDER BY seq",
            (document_id,),
        ).fetchall()
    return SectionText(
        document=title,
        number=number,
        section=path,
        text=_join_chunks([t for _, t in rows]),
        chunk_ids=[i for i, _ in rows],
    )


def _join_chunks(texts: list[str]) -> str:
    """Chunks in order; when consecutive chunks overlap, the repeated part is shown once."""
    out = ""
    for text in texts:
        if not out:
            out = text
            continue
        overlap = next((n for n in range(min(len(out), len(text)), 20, -1) if out.endswith(text[:n])), 0)
        out += text[overlap:] if overlap else "\n" + text
    return out
