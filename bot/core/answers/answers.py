"""Questions in, cited answers out: the one place every channel (CLI, Telegram, Zalo, web) asks.

:func:`ask` retrieves the best sections (:mod:`embeddings.search`), picks the sentence(s) that
answer the question inside the top chunks with a cheap score (:mod:`bot.core.answers.sentences`;
whether a passage names whom the question is about: :mod:`bot.core.answers.subjects`), and quotes
them verbatim with the document (number, title, date) and the section. Deadline
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
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from bot import store
from bot.catalogue import retrieval_settings
from bot.core.answers import particulars, sentences, subjects
from bot.core.answers.sentences import AnswerSettings, Sentence
from bot.core.answers.understanding import Understanding, compound_parts, understand
from bot.core.chat.texts import days_phrase
from bot.core.clock import local_today
from embeddings.query import Query, parse
from embeddings.references import NamedDocument, named_documents
from embeddings.search import Hit, SearchResult
from knowledge.dates import DateMention
from knowledge.places import province_name
from knowledge.sections import PATH_SEPARATOR
from knowledge.text import shorten

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
PASSING_PLACE = (
    "Các văn bản hiện có không có nội dung về {places} trả lời câu hỏi này. "
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
YES_TOPIC_SHARE = 0.5  # "Có" only when the quote holds this much of what was asked about (idf-weighted)
ACTOR_BONUS = 0.5
FOCUS_WEIGHT = 2.0
TITLE_CHARS = 110  # a document title is cut to this in the answer (the sources carry it in full)
SECTION_CHARS = 90
SOURCE_CHARS = 400  # longest passage quoted for each source


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


def settings(app: App) -> AnswerSettings:
    return app.config.section("answers", AnswerSettings)


def ask(app: App, question: str, today: date | None = None) -> Answer:
    """Answer one question from the catalogue; never raises for what the question contains. A
    question in two parts ("X do ai làm Trưởng Ban, và Y gồm những ai?") is answered part by part."""
    today = today or local_today(app.now())
    text = " ".join((question or "").split())
    parts = compound_parts(text, retrieval_settings(app.config).max_query_chars)
    if len(parts) < 2:
        return _ask_one(app, question, today)
    answered = [_ask_one(app, part, today) for part in parts]
    if not all(a.confident for a in answered):  # a part the texts do not answer: the whole as one
        return _ask_one(app, question, today)
    return dataclasses.replace(
        answered[0],
        question=question,
        answer="\n\n".join(a.answer for a in answered),
        sources=list({(s.number, s.section, s.text): s for a in answered for s in a.sources}.values()),
        deadlines=[d for a in answered for d in a.deadlines],
    )


def _ask_one(app: App, question: str, today: date) -> Answer:
    cfg = settings(app)
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
        if missing and (
            not scope or (reading.named[0] in missing and (reading.intent == "metadata" or reading.cited_by))
        ):
            # a particular of a text we do not have ("NQ 29 mà KL69 nhắc tới ban hành ngày nào"), or
            # what it says ("NQ45 mà KL69 nhắc đến đề ra giải pháp gì"): the text citing it does not say
            return dataclasses.replace(
                base, answer=_not_in_catalogue(app, [n.display() for n in missing]), status="refusal"
            )
        lacked = searcher.references.missing_kind(reading.lead)
        if lacked:  # "Luật … (thể chế hoá NQ57) quy định … thế nào" with no law in the catalogue
            return dataclasses.replace(base, answer=_not_in_catalogue(app, [f"{lacked} nào"]), status="refusal")
        elsewhere, passing = particulars.places_asked(app, reading.text, scope)
        if elsewhere:
            return _elsewhere(base, text, elsewhere, OTHER_PLACE)
        if passing and reading.intent == "metadata":  # no text is of that province: none has its particulars
            return _elsewhere(base, text, passing, PASSING_PLACE)
        if reading.intent == "metadata":
            known = particulars.answer(app, reading, scope)
            if known is None and reading.named and scope:
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
        if missing and not _cites(result, missing):
            # "Chỉ thị 05 có liên quan gì KL69": no passage found speaks of the text we lack
            return dataclasses.replace(
                base, answer=_not_in_catalogue(app, [n.display() for n in missing]), status="refusal"
            )
        if passing:
            named = _naming(app, result, passing, reading)
            if named is None:
                return _elsewhere(base, text, passing, PASSING_PLACE)
            result = named
    except Exception:  # a broken index must not take the chat down: log it, tell the user
        log.exception("search failed for %r", text[:200])
        return dataclasses.replace(base, answer=FAILED, status="error")
    return _retrieved(app, cfg, base, result, today, reading, strict=False)


def _retrieved(
    app: App, cfg: AnswerSettings, base: Answer, result: SearchResult, today: date, reading: Understanding, strict: bool
) -> Answer:
    """The answer quoted from ``result``, or the refusal when it is not confident. ``strict``: a
    "X phải làm gì" quote must have X as its subject (see :func:`sentences.strictly_typed`)."""
    query = result.query
    note = TOO_LONG.format(limit=app.searcher.settings.max_query_chars) if len(reading.text) > len(query.text) else ""
    if result.catalogue_empty:
        return dataclasses.replace(base, answer=NO_DOCUMENTS, status="no_documents")
    # A question naming a text the catalogue carries needs the cosine floor (the searcher's call)
    # and a little of what it asks about that text; one naming a text the catalogue only writes about (the sample article alone, about
    # Kết luận 69) must be covered like any other — the article does not answer Kết luận 69's
    # content — but by what it asks about that text: the name itself is resolved already.
    named = bool(reading.named)  # and resolved: a name the catalogue lacks was refused before
    confident = result.confident or (named and not result.referenced and app.searcher.covered(result, reading.unnamed))
    if confident and result.referenced and not app.searcher.asks_of_named(result, reading.unnamed):
        confident = False  # the name brought the text; nothing of what is asked about it is there
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


def _cites(result: SearchResult, missing: list[NamedDocument]) -> bool:
    """Whether a passage ``result`` would quote names one of the texts the catalogue lacks."""
    wanted = {(n.kind, n.number) for n in missing}
    return any((d.kind, d.number) in wanted for hit in result.chunks for d in named_documents(hit.text))


def _said_by_subject(app: App, reading: Understanding, document_id: int) -> bool:
    """Whether a why-question's premise, said of the text it names first ("vì sao KL69 yêu cầu
    …", "tại sao NQ57 bỏ mục tiêu … của NQ20"), is quoted from that text when the catalogue
    carries it: another text saying the same is no reason for what the named one did."""
    if not reading.named:
        return True
    subject = dataclasses.replace(reading, named=reading.named[:1])
    scope, _ = particulars.resolve(app.searcher.references, subject)
    own = particulars.carriers(app, subject, scope)
    return not own or document_id in own


def _naming(app: App, result: SearchResult, places: frozenset[str], reading: Understanding) -> SearchResult | None:
    """``result`` kept to the passages naming ``places`` (see :func:`particulars.places_asked`),
    or None when those do not cover the question."""
    chunks = [c for c in result.chunks if particulars.names_places(f"{c.heading}\n{c.text}", places)]
    kept = dataclasses.replace(
        result, chunks=chunks, hits=[h for h in result.hits if h.chunk_id in {c.chunk_id for c in chunks}]
    )
    return kept if chunks and app.searcher.covered(kept, reading.unnamed) else None


def _elsewhere(base: Answer, text: str, places: frozenset[str], reply: str) -> Answer:
    """The refusal of a question about provinces no text is about (``reply`` names them)."""
    names = ", ".join(sorted(province_name(p) for p in places))
    log.info("declined %r: about %s, which no text is about", text[:80], names)
    return dataclasses.replace(base, answer=reply.format(places=names), status="refusal")


def _particular_sources(app: App, known: particulars.Particular) -> list[Source]:
    """The sources of a metadata answer: the document, and each line a fact was read from."""
    row = app.db.conn.execute(
        "SELECT title, coalesce(number, ''), coalesce(issued, '') FROM documents WHERE id = ?", (known.document_id,)
    ).fetchone()
    title, number, issued = row if row else ("", "", "")
    cited = list(dict.fromkeys(known.cited))
    return [Source(title, number, "", line or known.text, 1.0, chunk_id, issued) for line, chunk_id in cited]


def _not_in_catalogue(app: App, names: list[str]) -> str:
    """The reply to a question about texts the catalogue lacks (``names``), with what it holds."""
    return _join(NOT_IN_CATALOGUE.format(names=", ".join(names)), _catalogue_line(app))


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
        kind = _topic_weights(app, reading.answer_kind)
        weights = {t: w for t, w in weights.items() if t not in kind} or weights
    frame = reading.frame
    if frame and not mention:
        scene = _topic_weights(app, frame)
        weights = {t: w for t, w in weights.items() if t not in scene} or weights
    focus = frozenset(_topic_weights(app, reading.focus)) if reading.focus and not mention else frozenset()
    if focus:
        # what the question asks about counts twice: "những hạn chế nào sau 10 năm thực hiện …"
        # is answered by the limitations, not by the sentence repeating its frame
        weights = {t: w * (FOCUS_WEIGHT if t in focus else 1.0) for t, w in weights.items()}
    cosines = result.sentence_scores
    ranked = sentences.rank(query, result.chunks, weights, cosines, cfg, focus)
    named_by = subjects.naming_test(reading)
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
        ranked = [s for s in ranked if subjects.reports_results(s.text, result.chunks[s.hit], reading)]
        if not ranked:
            log.info("declined %r: no later text reports results of the text named", query.text[:80])
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if reading.achieved_in:
        # what was done by a year is reported only by a text issued after it
        ranked = [s for s in ranked if result.chunks[s.hit].issued[:4] > str(reading.achieved_in)]
        if not ranked:
            log.info("declined %r: no text issued after %d reports it", query.text[:80], reading.achieved_in)
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if reading.focus:
        ranked = sentences.defining_first(ranked, reading.focus)
    if reading.listed:
        ranked = sentences.listing_first(ranked, reading.listed)
    chosen = sentences.choose(ranked, cfg, reading.focus)
    if not chosen:
        log.info("declined %r: only furniture (lists of recipients, signatures) matched", query.text[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if (
        not sentences.answers_type(query, chosen, result.chunks, dated=not reading.condition)
        or (strict and not sentences.strictly_typed(chosen, reading.actor))
        or (reading.defines and not sentences.explained(chosen, result.chunks, reading.defines))
        or (reading.intent == "yesno" and not sentences.states_figures(query.text, chosen, result.chunks))
        or (reading.intent == "metadata" and not sentences.states_particular(reading.fields, chosen))
    ):
        log.info("declined %r: no sentence of the kind asked for", query.text[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if reading.premise and cfg.premise_min_overlap > sentences.overlap(
        " ".join(f"{result.chunks[s.hit].section} {s.text}" for s in chosen), _topic_weights(app, reading.premise)
    ):
        log.info("declined %r: the quote does not state its premise %r", query.text[:80], reading.premise[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    if reading.premise and not _said_by_subject(app, reading, result.chunks[chosen[0].hit].document_id):
        log.info("declined %r: the premise is said of a text the quote is not from", query.text[:80])
        return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
    top = result.chunks[chosen[0].hit]
    deadlines = _deadlines(app, query, top, chosen, today, weights)

    where = f", mục {shorten(sentences.last_label(top.section), SECTION_CHARS)}" if top.section else ""
    header = f"Theo {_document_ref(top)}{where}:"
    facts = _facts_line(query, chosen, deadlines, today, weights)
    budget = cfg.max_chars - len(header) - len(facts) - len(note) - 6
    quote = sentences.quote(chosen, budget, query, weights)
    antecedent = sentences.antecedent(app, top, chosen[0])
    if antecedent and len(antecedent) + len(quote) < budget:  # only when both fit whole
        quote = f"{antecedent} {quote}"
    if reading.intent == "yesno" and reading.mention:
        if sentences.overlap(" ".join(s.text for s in chosen), _topic_weights(app, reading.mention)) < YES_TOPIC_SHARE:
            log.info("declined %r: the quote does not speak of %r", query.text[:80], reading.mention)
            return dataclasses.replace(base, answer=_join(note, REFUSAL), status="refusal")
        header = f"{YES} {header}"
    answer = _join(note, header, f"«{quote}»", facts)

    sources = [_source(top, quote)]
    others = [h for h in result.hits if (h.document_id, h.section) != (top.document_id, top.section)]
    for hit in others[: len(result.hits) - 1]:
        best = sentences.rank(query, [hit], weights, cosines, cfg)
        passage = (
            sentences.quote(sentences.choose(best, cfg), SOURCE_CHARS, query, weights)
            if best
            else hit.text[:SOURCE_CHARS]
        )
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


def short_date(day: date | str) -> str:
    """A date (or an ISO date string) as Vietnamese texts write it, without leading zeros: 15/4/2024."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.day}/{day.month}/{day.year}"


def _context_score(sentence: str, mention: DateMention, weights: dict[str, float]) -> float:
    """How well the words just before a date mention match the question."""
    start = mention.span[0]
    return sentences.overlap(sentence[max(0, start - 90) : start], weights)


def _deadlines(
    app: App, query: Query, top: Hit, chosen: list[Sentence], today: date, weights: dict[str, float]
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
    query: Query, chosen: list[Sentence], deadlines: list[Deadline], today: date, weights: dict[str, float]
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
