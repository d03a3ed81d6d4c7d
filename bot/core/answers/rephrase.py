"""Answers in plain words from the province's own model, never beyond the texts.

Off by default (``[llm] enabled``). The extractive answer is always computed first and stays the
fallback: the model is asked only when retrieval found the texts confident, it sees only the
retrieved passages (numbered) and what was understood of the question, and its draft is shown
only once :func:`bot.core.answers.verify.verify` finds every date, figure, document number and
body in it inside a cited passage. While the reply streams, only the verified part is shown, a
whole sentence at a time, so nothing unverified ever reaches a cadre. Why a draft was not used
is kept in the question log for the officers.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.answers.answers import Answer, Source, section_text
from bot.core.answers.model import ChatModel, ModelError, ModelSettings
from bot.core.answers.verify import verify

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

NOT_ENOUGH = "KHÔNG_ĐỦ_THÔNG_TIN"  # the model's word for "the passages do not answer this"
SYSTEM_PROMPT = (
    "Đồng chí là trợ lý của Ban Tuyên giáo, giúp cán bộ, đảng viên hiểu các văn bản của Đảng. "
    "Chỉ dùng thông tin trong các đoạn trích được đánh số mà người dùng đưa ra; không dùng hiểu biết riêng. "
    "Trả lời ngắn gọn (tối đa bốn câu), bằng tiếng Việt có dấu, xưng hô «đồng chí». "
    "Sau mỗi câu có thông tin, ghi số đoạn trích làm nguồn trong ngoặc vuông, ví dụ [1] hoặc [1][2]. "
    "Không nêu ngày tháng, con số, số hiệu văn bản hay tên cơ quan nào không có trong đoạn trích được dẫn. "
    f"Nếu các đoạn trích không trả lời được câu hỏi, chỉ viết đúng: {NOT_ENOUGH}"
)
# The understanding's intents, as the prompt names them.
INTENT_WORDS = {
    "deadline": "hỏi về thời hạn",
    "duty": "hỏi về nhiệm vụ phải làm",
    "figure": "hỏi về chỉ tiêu, con số",
    "yesno": "câu hỏi có/không",
    "metadata": "hỏi về thông tin của văn bản",
    "content": "hỏi về nội dung",
}
_SENTENCE_END_RE = re.compile(r"[.!?…](?:\s*\[\d{1,3}\])*(?=\s|$)")

Show = Callable[[str], None]  # shows the verified part of a draft while it grows (channels that edit)


@dataclass(frozen=True)
class Brief:
    """What was understood of the question, told to the model beside the passages."""

    intent: str = ""  # the understanding's intent: "deadline", "duty", "yesno", ... (see INTENT_WORDS)
    documents: tuple[str, ...] = ()  # the documents the question names
    unit: str = ""  # the asker's unit
    duties: tuple[str, ...] = ()  # that unit's duties from the catalogue


@dataclass(frozen=True)
class Passage:
    label: str  # "Kết luận 69-KL/TW – 7. Tổ chức thực hiện"
    text: str


def settings(app: App) -> ModelSettings:
    return app.config.section("llm", ModelSettings)


def rephrase(app: App, answer: Answer, brief: Brief = Brief(), show: Show | None = None) -> Answer:
    """The model's verified answer in place of ``answer``'s text, or ``answer`` with the reason why not.

    Never raises for what the model does: errors, time-outs and unverifiable drafts all end in the
    extractive answer, with :attr:`Answer.model_note` saying what happened.
    """
    cfg = settings(app)
    if not cfg.enabled or not answer.confident or not answer.sources:
        return answer
    passages = passages_for(app, answer.sources, cfg.passage_chars)
    model = ChatModel(cfg)
    try:
        draft = _draft(model, messages(answer.question, brief, passages), [p.text for p in passages], show)
    except ModelError as exc:
        return _fallback(answer, f"mô hình lỗi: {exc}")
    finally:
        model.close()
    if NOT_ENOUGH in draft or not draft:
        return _fallback(answer, "mô hình không trả lời được từ các đoạn trích")
    verdict = verify(draft, [p.text for p in passages])
    if not verdict.ok:
        return _fallback(answer, "; ".join(verdict.problems))
    lines = [draft, "", "Nguồn:"] + [f"[{n}] {passages[n - 1].label}" for n in verdict.cited]
    return dataclasses.replace(answer, answer="\n".join(lines), rephrased=True, model_note="đã dùng mô hình")


def passages_for(app: App, sources: Sequence[Source], chars: int) -> list[Passage]:
    """One numbered passage per retrieved section: its text around the quote, at most ``chars`` long."""
    passages: list[Passage] = []
    seen: set[int] = set()
    for source in sources:
        if source.chunk_id in seen:
            continue
        seen.add(source.chunk_id)
        section = section_text(app, source.chunk_id)
        text = _window(section.text if section else source.text, source.text, chars)
        label = " – ".join(p for p in (source.number or source.document, source.section) if p)
        passages.append(Passage(label, text))
    return passages


def messages(question: str, brief: Brief, passages: Sequence[Passage]) -> list[dict[str, str]]:
    """The chat messages sent to the model (Vietnamese, passages numbered from 1)."""
    facts = [
        ("Loại câu hỏi", INTENT_WORDS.get(brief.intent, "")),
        ("Văn bản được hỏi", ", ".join(brief.documents)),
        ("Đơn vị của người hỏi", brief.unit),
        ("Nhiệm vụ của đơn vị theo văn bản", "; ".join(brief.duties)),
    ]
    lines = [f"Câu hỏi: {question}"] + [f"{name}: {value}" for name, value in facts if value]
    lines += ["", "Các đoạn trích:"] + [f"[{n}] ({p.label}) {p.text}" for n, p in enumerate(passages, 1)]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def _draft(model: ChatModel, prompt: list[dict[str, str]], texts: list[str], show: Show | None) -> str:
    """The whole draft; on the way, ``show`` gets each longer prefix of whole sentences that verifies."""
    draft, shown = "", ""
    for piece in model.stream(prompt):
        draft += piece
        if show is None:
            continue
        ready = _whole_sentences(draft)
        if len(ready) > len(shown) and NOT_ENOUGH not in ready and verify(ready, texts).ok:
            shown = ready
            show(shown)
    return draft.strip()


def _whole_sentences(draft: str) -> str:
    """``draft`` up to the end of its last complete sentence (citations after the stop included)."""
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(draft)]
    return draft[: ends[-1]].strip() if ends else ""


def _window(text: str, quote: str, chars: int) -> str:
    """At most ``chars`` of ``text``, centred on where ``quote`` stands in it."""
    if len(text) <= chars:
        return text
    at = max(text.find(quote[:60]), 0)
    start = max(0, min(at - chars // 3, len(text) - chars))
    return text[start : start + chars]


def _fallback(answer: Answer, why: str) -> Answer:
    log.info("model answer not used for %r: %s", answer.question[:80], why)
    return dataclasses.replace(answer, model_note=why)
