"""Duties: who must do what, by when, read from the sentences that assign work.

Vietnamese plans assign work in a few fixed shapes, which is what this reader looks for:
- the actor heads the sentence or bullet and a duty verb follows it: "- Ban Tuyên giáo Trung ương
  chủ trì, phối hợp …", "Đảng đoàn HĐND tỉnh chỉ đạo …";
- the text asks an actor to act: "kế hoạch yêu cầu các cấp ủy, tổ chức đảng … tổ chức phổ biến";
- the actor stands earlier: a later clause or sentence of the same paragraph, or the next
  paragraphs of the same section, start with a duty verb ("Xây dựng chương trình, kế hoạch …")
  or give only a time ("Thời gian hoàn thành … trước ngày 15/4/2024"): they belong to the actor
  named last, until a paragraph that neither names an actor nor continues one.
The actor phrase runs from an organisational head noun ("Ban", "Đảng đoàn", "các cấp ủy",
"UBND"…) to the first duty verb written in lower case (so "Ban Chỉ đạo" stays a name while
"chỉ đạo" is the verb). Dates come from :mod:`knowledge.dates`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from knowledge.chunks import Chunk, make_chunks
from knowledge.dates import DateMention, find_dates
from knowledge.sections import Section, parse_outline, sentence_spans
from knowledge.text import nfc

ACTOR_MAX_CHARS = 250
_OPENING_CHARS = 40  # "Ngày 19/3, …", "Theo kế hoạch, …": an opening phrase before the actor
_OPENING_RE = re.compile(
    r"(?i:ngày|theo|trong|đến|từ|sau|trước|căn cứ|về|năm|tháng|quý|hằng|hàng|định kỳ|cuối|đầu|"
    r"đồng thời|ngoài ra|bên cạnh đó|trên cơ sở)(?!\w)"
)

# Verbs that assign work (as written; both tone placements where they differ).
DUTY_VERBS = tuple(
    nfc(v)
    for v in """
chủ trì|phối hợp|chỉ đạo|lãnh đạo|xây dựng|ban hành|triển khai|theo dõi|giám sát|báo cáo|rà soát|
hoàn thiện|hoàn thành|nghiên cứu|quán triệt|phổ biến|tuyên truyền|kiểm tra|hướng dẫn|tham mưu|
đề xuất|bố trí|cụ thể hóa|cụ thể hoá|thể chế hóa|thể chế hoá|đẩy mạnh|tăng cường|thực hiện|
vận động|phát huy|sửa đổi|bổ sung|đôn đốc|sơ kết|tổng kết|đánh giá|thành lập|trình|xem xét|cần|
phải|có trách nhiệm|chịu trách nhiệm|được giao|nâng cao|tập trung|ưu tiên|bảo đảm|đảm bảo|
cung cấp|hỗ trợ|phân bổ|cân đối|thẩm định|phê duyệt|cập nhật|công bố|tiếp tục|lập|ký|gửi|
chuẩn bị|tiếp nhận|tập huấn|bồi dưỡng|khắc phục|xử lý|giới thiệu|phát động|sắp xếp|kiện toàn|
phân công|khẩn trương|thường xuyên|chủ động|kịp thời|tích cực|quyết liệt""".replace("\n", "").split("|")
)
_VERB_ALT = "|".join(sorted({re.escape(v) for v in DUTY_VERBS}, key=len, reverse=True))
_VERB_RE = re.compile(rf"(?<!\w)(?:{_VERB_ALT})(?!\w)")
_VERB_START_RE = re.compile(rf"(?:{_VERB_ALT})(?!\w)", re.IGNORECASE)
# "tổ chức" is a verb only before an activity ("tổ chức phổ biến"); before "đảng", "chính trị -
# xã hội" … it is the noun "organisation".
_ORGANISE_RE = re.compile(r"(?<!\w)tổ chức(?!\w)")
_ACTIVITY_RE = re.compile(
    r"\s+(?:thực hiện|triển khai|phổ biến|quán triệt|học tập|tuyên truyền|sơ kết|tổng kết|hội nghị|"
    r"lấy ý kiến|kiểm tra|giám sát|đánh giá|nghiên cứu|tập huấn|bồi dưỡng|các hoạt động|hoạt động|"
    r"thông tin|cho|tốt|có hiệu quả|hội thảo|tọa đàm|toạ đàm|lễ|phong trào|cuộc|đoàn|xây dựng)(?!\w)"
)
# Words before a verb that make it a noun ("sự chỉ đạo", "công tác kiểm tra", "theo hướng dẫn").
_NOUN_BEFORE = {
    "sự",
    "việc",
    "tác",
    "trò",
    "theo",
    "bộ",
    "cấp",
    "các",
    "những",
    "của",
    "mọi",
    "được",
    "chương",
    "quá",
    "độc",
    "thư",
    "đăng",
}
# Clauses that ask an actor to act: "yêu cầu …", "giao …", "đề nghị …".
_REQUEST_RE = re.compile(
    r"(?<!\w)(?:[Yy]êu cầu|[Đđ]ề nghị|[Gg]iao trách nhiệm cho|[Gg]iao cho|[Gg]iao|[Pp]hân công)\s+"
)
_REQUEST_CUES = ("yêu cầu", "đề nghị", "giao", "phân công")
_DETERMINERS = r"(?:tất cả các|toàn thể|các|mọi|từng|những|mỗi)\s+"
# Organisational heads (lower case, both tone placements). Short ones that are also common words
# ("bộ máy", "ban hành", "hội nhập") count only before a capitalised name or after "các".
ACTOR_HEADS = tuple(
    nfc(h)
    for h in """
đảng đoàn|đảng ủy|đảng uỷ|đảng bộ|cấp ủy|cấp uỷ|tổ chức đảng|tổ chức cơ sở đảng|tổ chức chính trị|
ủy ban|uỷ ban|ubnd|hđnd|hội đồng|mặt trận|mttq|chính phủ|quốc hội|văn phòng|tỉnh ủy|tỉnh uỷ|
thành ủy|thành uỷ|huyện ủy|huyện uỷ|thị ủy|thị uỷ|quận ủy|quận uỷ|chi bộ|thường trực|chính quyền|
cơ quan|đơn vị|địa phương|liên đoàn|liên hiệp|công an|bộ chỉ huy|người đứng đầu|cán bộ|đảng viên|
thủ tướng|chủ tịch|bí thư|tổng bí thư|giám đốc|thủ trưởng|trung tâm|tòa án|toà án|viện kiểm sát|
kiểm toán|kho bạc|ngân hàng|bảo hiểm|doanh nghiệp|ngành|ban cán sự đảng|ban thường vụ|
ban chỉ đạo|ban bí thư|bộ chính trị|nhà nước|đại học|học viện|tập đoàn|tổng công ty|hội quần chúng|
đoàn thanh niên|hội liên hiệp|công đoàn|bộ, ngành|sở, ngành|ban, ngành|ban đảng""".replace("\n", "").split("|")
)
PROPER_HEADS = ("tổng cục", "chi cục", "ban", "bộ", "sở", "hội", "đoàn", "báo", "đài", "cục", "viện", "trường")
_HEAD_RE = re.compile(
    rf"(?:{_DETERMINERS})?(?:{'|'.join(sorted(map(re.escape, ACTOR_HEADS), key=len, reverse=True))})(?!\w)"
)
_PROPER_RE = re.compile(rf"(?i:(?P<det>{_DETERMINERS})?(?:{'|'.join(PROPER_HEADS)}))\s+(?P<next>\w)")
_TIME_WORDS_RE = re.compile(r"^(?:thời gian|thời hạn)\s+", re.IGNORECASE)
_CLAUSE_SPLIT_RE = re.compile(r";\s*")
_MARKER_RE = re.compile(r"^(?:[-–—+•*●○▪]\s*|\d{1,3}(?:\.\d{1,2})*\s*[.)\-–/]\s*|[a-zđ]\)\s*|[IVX]{1,6}\s*[.\-–]\s*)")


@dataclass(frozen=True)
class Duty:
    """One assignment of work found in a document."""

    actor: str  # as written: "Đảng đoàn HĐND tỉnh", "các cấp ủy, tổ chức đảng, …"
    task: str  # what to do, from the verb on: "chỉ đạo việc cụ thể hóa …"
    sentence: str  # the whole sentence, verbatim (what an answer quotes)
    section_path: str = ""
    due_date: str | None = None  # ISO; for "trong năm 2025" the last day of the period
    due_text: str | None = None  # "trước ngày 15/4/2024"
    period: str | None = None  # "định kỳ 6 tháng", "hằng năm", "trong năm 2025", "đến năm 2030"
    chunk_seq: int | None = None  # the chunk (by order in its document) holding the sentence


@dataclass
class _Context:
    """The actor a following clause may continue, and where it was named."""

    actor: str | None = None
    section: Section | None = None


def extract_duties(chunks: Iterable[Chunk]) -> list[Duty]:
    """Every duty in a document's chunks, in reading order."""
    duties: list[Duty] = []
    context = _Context()
    last_block = None
    for chunk in chunks:
        for piece in chunk.pieces:
            block = piece.block
            if context.section is not block.section:
                context = _Context(section=block.section)
            new_paragraph = block is not last_block and piece.start == 0
            last_block = block
            if new_paragraph and (block.is_heading or block.is_item):
                context.actor = None  # each bullet or numbered item assigns its own work
            if block.is_heading or not _VERB_RE.search(piece.text.lower()):
                context.actor = None
                continue
            for s, e in sentence_spans(piece.text):
                sentence = piece.text[s:e]
                found = False
                for clause in _clauses(sentence, strip_marker=new_paragraph and s == 0):
                    duty, actor = _read_clause(clause, context.actor)
                    if actor is not None:
                        context.actor, found = actor, True
                    if duty is not None:
                        found = True
                        duties.append(_with_place(duty, sentence, chunk))
                if not found:
                    context.actor = None  # a sentence about something else ends the actor's run
    return duties


def duties_in_text(text: str) -> list[Duty]:
    """Duties of a plain text (one paragraph per line): for a quick look, tests and tooling."""
    return extract_duties(make_chunks(parse_outline(text)))


def _clauses(sentence: str, strip_marker: bool) -> list[str]:
    if strip_marker:
        sentence = _MARKER_RE.sub("", sentence, count=1)
    return [c.strip() for c in _CLAUSE_SPLIT_RE.split(sentence) if c.strip()]


def _read_clause(clause: str, inherited: str | None) -> tuple[Duty | None, str | None]:
    """(the duty in this clause or None, the actor it names or None)."""
    found = _head_actor(clause) or _requested_actor(clause)
    if found:
        actor, verb_at = found
        task = clause[verb_at:]
        return _duty(actor, task, find_dates(task)), actor
    if inherited:
        dates = find_dates(clause)
        if _starts_with_verb(clause, dates) or _due(dates) or _TIME_WORDS_RE.match(clause):
            return _duty(inherited, _TIME_WORDS_RE.sub("", clause), dates), None
    return None, None


def _head_actor(clause: str) -> tuple[str, int] | None:
    """An actor phrase at the start of the clause (or after a short opening phrase such as
    "Ngày 19/3, " or "Theo kế hoạch, ") and where its verb begins."""
    start = 0
    if not _is_actor(clause[:ACTOR_MAX_CHARS]):
        comma = clause.find(", ", 0, _OPENING_CHARS) if _OPENING_RE.match(clause) else -1
        if comma < 0 or not _is_actor(clause[comma + 2 : comma + 2 + ACTOR_MAX_CHARS]):
            return None  # cheap test first: most clauses do not start with an organisation
        start = comma + 2
    verb = _first_verb(clause, start + 1)
    if verb is None:
        return None
    actor = clause[start:verb].strip(" ,:")
    if not _is_actor(actor) or any(cue in actor.lower() for cue in _REQUEST_CUES):
        return None  # "Bộ Chính trị yêu cầu …" asks others: see _requested_actor
    return actor, verb


def _requested_actor(clause: str) -> tuple[str, int] | None:
    low = clause.lower()
    if not any(cue in low for cue in _REQUEST_CUES):
        return None  # substring tests are far cheaper than the regex on every clause
    for m in _REQUEST_RE.finditer(clause):
        verb = _first_verb(clause, m.end() + 1)
        if verb is None:
            return None
        actor = clause[m.end() : verb].strip(" ,:")
        if _is_actor(actor):
            return actor, verb
    return None


def _first_verb(text: str, start: int) -> int | None:
    """Offset of the first lower-case duty verb at or after ``start`` that is used as a verb."""
    pos = start
    while True:
        m = _VERB_RE.search(text, pos)
        organise = _ORGANISE_RE.search(text, pos)
        while organise and not _ACTIVITY_RE.match(text, organise.end()):
            organise = _ORGANISE_RE.search(text, organise.end())
        if organise and (m is None or organise.start() < m.start()):
            return organise.start()
        if m is None:
            return None
        previous = text[text.rfind(" ", 0, max(0, m.start() - 1)) + 1 : m.start()].strip(" ,")
        if previous in _NOUN_BEFORE:
            pos = m.end()
            continue
        return m.start()


def _is_actor(phrase: str) -> bool:
    """Does ``phrase`` name an organisation or office ("Ban Tuyên giáo Trung ương", "các cấp ủy…")?"""
    if not phrase or len(phrase) > ACTOR_MAX_CHARS:
        return False
    if _HEAD_RE.match(phrase.lower()):
        return True
    m = _PROPER_RE.match(phrase)
    return bool(m and (m.group("det") or m.group("next").isupper()))


def _starts_with_verb(clause: str, dates: list[DateMention]) -> bool:
    start = 0
    if dates and dates[0].span[0] == 0:  # "Định kỳ 6 tháng báo cáo …", "Trong năm 2025 hoàn thành …"
        start = dates[0].span[1]
    rest = clause[start:].lstrip(" ,")
    return bool(_VERB_START_RE.match(rest)) or (
        rest.lower().startswith("tổ chức") and bool(_ACTIVITY_RE.match(rest, len("tổ chức")))
    )


def _due(dates: list[DateMention]) -> DateMention | None:
    return next((d for d in dates if d.kind == "deadline"), None)


def _period(dates: list[DateMention]) -> DateMention | None:
    return next((d for d in dates if d.kind == "period"), None)


def _duty(actor: str, task: str, dates: list[DateMention]) -> Duty:
    """A duty whose due date/period come from ``dates`` (found in ``task``)."""
    due = _due(dates)
    period = _period(dates)
    task = task.strip(" ,.;:")
    if due is not None and task.endswith(due.text):
        task = task[: -len(due.text)].strip(" ,.;:") or task
    return Duty(
        actor=actor,
        task=task,
        sentence=task,
        due_date=due.iso if due else None,
        due_text=due.text if due else None,
        period=period.text if period else (due.text if due and due.precision != "day" else None),
    )


def _with_place(duty: Duty, sentence: str, chunk: Chunk) -> Duty:
    return replace(duty, sentence=sentence.strip(), section_path=chunk.section_path, chunk_seq=chunk.seq)
