"""The short comprehension check: 2–3 multiple-choice questions built from the document's duties.

Questions ask what a cadre must actually remember: the deadline of a duty, who is charged with it,
how often it recurs; when the text has too few duties, facts about the document itself (issue date,
issuer). Distractors come from the same document first (other deadlines, other actors), so they are
plausible. The questions of an attempt are drawn with a random generator seeded by (person,
assignment, attempt) and stored with the attempt: a restart or a second channel shows the same
question, and every answer is kept as evidence.

So that the check proves something: a wrong answer is only called wrong (the right one is never
shown); a new attempt asks questions the person has not been asked yet when the document has
them (otherwise the same facts with other distractors in another order); after
``free_failures`` failed attempts, each new one waits ``retry_wait_minutes`` after the last; and
the acknowledgement a pass records says which attempt passed ("3/3, lần 2").
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.chat import texts
from bot.core.errors import UserError
from bot.core.evidence import ledger
from bot.core.evidence.assignments import require_member
from bot.core.evidence.check_questions import KIND_ORDER, candidates, supports_check
from bot.core.evidence.documents import Document, get_document
from knowledge.text import fold

OPTIONS = 4
_ACTOR_POOL = (
    "Ban Tuyên giáo Tỉnh ủy",
    "Ủy ban nhân dân tỉnh",
    "Sở Khoa học và Công nghệ",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Văn phòng Tỉnh ủy",
    "Ủy ban Kiểm tra Tỉnh ủy",
)
_PERIOD_POOL = ("định kỳ 6 tháng", "hằng năm", "hằng quý", "trong năm 2025", "đến năm 2030", "định kỳ 5 năm")
_ISSUER_POOL = ("Bộ Chính trị", "Ban Chấp hành Trung ương", "Ban Bí thư", "Tỉnh ủy Quảng Nam", "Chính phủ", "Quốc hội")


@dataclass
class ChecksSettings:
    questions: int = 3  # questions per attempt (fewer when the document offers fewer)
    pass_ratio: float = 0.66  # share of right answers needed: 2 of 3 passes
    max_attempts: int = 0  # attempts per person and assignment; 0 = unlimited
    free_failures: int = 1  # failed attempts before each new one must wait
    retry_wait_minutes: float = 30.0


@dataclass(frozen=True)
class CheckQuestion:
    attempt_id: int
    index: int  # 0-based; pass it back to answer_check
    total: int
    text: str
    options: list[str]

    @property
    def heading(self) -> str:
        return f"Câu {self.index + 1}/{self.total}"


@dataclass(frozen=True)
class CheckStep:
    """The outcome of one answer."""

    attempt_id: int
    correct: bool
    right_option: str
    source: str  # the sentence of the document the question came from
    finished: bool
    passed: bool | None  # None until finished
    score: str | None  # "2/3" once finished
    next: CheckQuestion | None
    ack: ledger.AckResult | None  # the recorded acknowledgement once passed
    stale: bool = False  # the answer was for a question already answered: nothing changed


def settings(app: App) -> ChecksSettings:
    return app.config.section("checks", ChecksSettings)


def can_check(app: App, document_id: int) -> bool:
    """Whether the document supports a check of at least two questions."""
    document = get_document(app, document_id)
    return document is not None and supports_check(app, document)


def _date_distractors(right: str, same_doc: list[str], rng: random.Random) -> list[str]:
    day = date.fromisoformat(right)
    shifts = [day + timedelta(days=n) for n in (-30, -15, -5, 15, 30, 365)]
    rng.shuffle(shifts)
    pool = same_doc[:]
    rng.shuffle(pool)
    return [clock.format_date(d) for d in pool] + [clock.format_date(d) for d in shifts]


def _build(candidate: dict, rng: random.Random) -> dict:
    """A question with shuffled options and the index of the right one."""
    kind = candidate["kind"]
    if kind in ("deadline", "date"):
        right = clock.format_date(candidate["right"])
        distractors = _date_distractors(candidate["right"], candidate["same_doc"], rng)
    else:
        right = candidate["right"]
        pool = {"actor": _ACTOR_POOL, "period": _PERIOD_POOL, "issuer": _ISSUER_POOL}[kind]
        same_doc, extra = candidate["same_doc"][:], list(pool)
        rng.shuffle(same_doc)
        rng.shuffle(extra)
        distractors = same_doc + extra
    options = [right]
    for option in distractors:
        if len(options) == OPTIONS:
            break
        # "Các cấp ủy" beside "Các cấp ủy, tổ chức đảng" would make two answers right
        if not any(fold(option) in fold(o) or fold(o) in fold(option) for o in options):
            options.append(option)
    rng.shuffle(options)
    return {
        "text": candidate["text"],
        "options": options,
        "answer": options.index(right),
        "source": candidate["source"],
    }


def generate(app: App, document: Document, seed: str, count: int, asked: frozenset[str] = frozenset()) -> list[dict]:
    """``count`` questions (fewer if the document supports fewer), one kind after another, drawn
    deterministically from ``seed``; questions whose text is in ``asked`` (earlier attempts) come
    only when the document has no fresh ones left."""
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    groups = candidates(app, document)
    for group in groups.values():
        rng.shuffle(group)
        group.sort(key=lambda c: c["text"] not in asked)  # stable; popped from the end: fresh first
    chosen: list[dict] = []
    while len(chosen) < count and any(groups.values()):
        for kind in KIND_ORDER:
            if groups[kind] and len(chosen) < count:
                chosen.append(groups[kind].pop())
    return [_build(c, rng) for c in chosen]


def _question(attempt_id: int, questions: list[dict], index: int) -> CheckQuestion:
    q = questions[index]
    return CheckQuestion(attempt_id, index, len(questions), q["text"], list(q["options"]))


def start_check(app: App, person_id: int, assignment_id: int) -> CheckQuestion:
    """The next question for this person: resumes an unfinished attempt, else starts a new one."""
    assignment = require_member(app, assignment_id, person_id)
    done = ledger.ack_of(app, person_id, assignment.document.id, assignment.version)
    if done is not None:
        raise UserError(
            f"Đồng chí đã xác nhận quán triệt {assignment.document.label} lúc {clock.format_spoken(done['acked_at'])}."
        )
    with store.transaction(app.db, immediate=True):
        open_attempt = app.db.execute(
            "SELECT id, questions, answers FROM check_attempts "
            "WHERE person_id = ? AND assignment_id = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            (person_id, assignment_id),
        ).fetchone()
        if open_attempt is not None:
            attempt_id, questions, answers = open_attempt
            return _question(attempt_id, json.loads(questions), len(json.loads(answers)))
        used = app.db.execute(
            "SELECT COUNT(*) FROM check_attempts WHERE person_id = ? AND assignment_id = ?",
            (person_id, assignment_id),
        ).fetchone()[0]
        config = settings(app)
        if config.max_attempts and used >= config.max_attempts:
            raise UserError(f"Đồng chí đã làm hết {config.max_attempts} lượt kiểm tra. Hãy liên hệ cán bộ tuyên giáo.")
        _wait_after_failures(app, config, person_id, assignment_id)
        asked = frozenset(
            q["text"]
            for (earlier,) in app.db.execute(
                "SELECT questions FROM check_attempts WHERE person_id = ? AND assignment_id = ?",
                (person_id, assignment_id),
            )
            for q in json.loads(earlier)
        )
        attempt = used + 1
        seed = f"{person_id}:{assignment_id}:{attempt}"
        questions = generate(app, assignment.document, seed, config.questions, asked)
        if not questions:
            raise UserError(f"Chưa tạo được câu hỏi kiểm tra cho {assignment.document.label}.")
        attempt_id = store.new_id(
            app.db.execute(
                "INSERT INTO check_attempts (person_id, assignment_id, attempt, questions, started_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    person_id,
                    assignment_id,
                    attempt,
                    json.dumps(questions, ensure_ascii=False),
                    store.isotime(app.now()),
                ),
            )
        )
    return _question(attempt_id, questions, 0)


def _wait_after_failures(app: App, config: ChecksSettings, person_id: int, assignment_id: int) -> None:
    """UserError saying how long to wait when the person failed ``free_failures`` attempts and
    the last one ended less than ``retry_wait_minutes`` ago (time to read the text again)."""
    failed, last = app.db.execute(
        "SELECT COUNT(*), MAX(finished_at) FROM check_attempts "
        "WHERE person_id = ? AND assignment_id = ? AND passed = 0",
        (person_id, assignment_id),
    ).fetchone()
    if not failed or failed < config.free_failures:
        return
    ready = datetime.fromisoformat(last) + timedelta(minutes=config.retry_wait_minutes)
    if ready > app.now():
        raise UserError(texts.CHECK_WAIT.format(failed=failed, at=clock.format_spoken(store.isotime(ready))))


def answer_check(app: App, person_id: int, attempt_id: int, question: int, choice: int, channel: str) -> CheckStep:
    """Record the answer ``choice`` (0-based option) to question ``question`` of the attempt.

    An answer to a question already answered (a button pressed twice, an old message) changes
    nothing and comes back with ``stale=True``. The last answer scores the attempt; a pass records
    the acknowledgement in the ledger with the score ("2/3").
    """
    row = app.db.execute(
        "SELECT assignment_id, questions, answers, finished_at, attempt FROM check_attempts "
        "WHERE id = ? AND person_id = ?",
        (attempt_id, person_id),
    ).fetchone()
    if row is None:
        raise UserError("Không tìm thấy lượt kiểm tra này.")
    assignment_id, questions_json, answers_json, finished_at, attempt = row
    questions, answers = json.loads(questions_json), json.loads(answers_json)
    if finished_at is not None or question != len(answers):
        current = None if finished_at is not None else _question(attempt_id, questions, len(answers))
        asked = questions[min(question, len(questions) - 1)]
        return CheckStep(
            attempt_id,
            False,
            asked["options"][asked["answer"]],
            asked["source"],
            finished_at is not None,
            None,
            None,
            current,
            None,
            stale=True,
        )
    asked = questions[question]
    if not 0 <= choice < len(asked["options"]):
        raise UserError(f"Hãy chọn một phương án từ 1 đến {len(asked['options'])}.")
    answers.append(choice)
    finished = len(answers) == len(questions)
    score = sum(a == q["answer"] for a, q in zip(answers, questions))
    passed = finished and score / len(questions) >= settings(app).pass_ratio
    updated = app.db.execute(
        "UPDATE check_attempts SET answers = ?, score = ?, passed = ?, finished_at = ? "
        "WHERE id = ? AND answers = ? AND finished_at IS NULL",
        (
            json.dumps(answers),
            score if finished else None,
            int(passed) if finished else None,
            store.isotime(app.now()) if finished else None,
            attempt_id,
            answers_json,
        ),
    ).rowcount
    if not updated:  # another press got there first
        return answer_check(app, person_id, attempt_id, question, choice, channel)
    score_text = None
    if finished:
        score_text = f"{score}/{len(questions)}" + (f", lần {attempt}" if attempt > 1 else "")
    ack = ledger.acknowledge(app, person_id, assignment_id, channel, check_score=score_text) if passed else None
    return CheckStep(
        attempt_id=attempt_id,
        correct=choice == asked["answer"],
        right_option=asked["options"][asked["answer"]],
        source=asked["source"],
        finished=finished,
        passed=passed if finished else None,
        score=score_text,
        next=None if finished else _question(attempt_id, questions, len(answers)),
        ack=ack,
    )
