"""Cut a long answer into messages a platform accepts, at the cleanest boundary available.

Zalo refuses messages over 2000 characters, and an answer with its quoted sources can be longer.
A cut in the middle of a word or of a quotation makes a legal text unreadable (and a cut quote can
change its meaning), so the text is cut at paragraphs first, then lines, then sentences, then
clauses (";"), and only then between words. Pieces are packed greedily, so a message is as full as
possible without breaking a smaller unit. The sources block at the end of an answer ("Nguồn: …")
is kept whole in one message whenever it fits, so a quote never arrives without its reference.
Sentence ends are the catalogue's own (:func:`knowledge.sections.sentence_spans`, which knows "TP.",
"TS.", "v.v.", list markers and dates): one definition of a sentence for chunks, quotes and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.sections import sentence_spans

_PARAGRAPH_END = re.compile("\n\n")
_LINE_END = re.compile("\n")
_CLAUSE_END = re.compile(r"[;:]\s+")
_WORD_END = re.compile(r"\s+")
# Where the sources block of an answer starts: a line opening with one of these words.
SOURCES_MARKER = re.compile(r"^[ \t]*(?:[📄📌📚🔖]\s*)?(?:Nguồn|Trích dẫn|Căn cứ|Tài liệu)\b", re.M)


def _after_pattern(pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    """Split after each match of ``pattern`` (the match stays with the piece before it)."""

    def split(text: str) -> list[str]:
        pieces, start = [], 0
        for match in pattern.finditer(text):
            pieces.append(text[start : match.end()])
            start = match.end()
        pieces.append(text[start:])
        return pieces

    return split


def _after_sentences(text: str) -> list[str]:
    """Split where each sentence starts (the white space stays with the sentence before)."""
    bounds = [0, *(start for start, _ in sentence_spans(text)[1:]), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


_LEVELS: tuple[Callable[[str], list[str]], ...] = (
    _after_pattern(_PARAGRAPH_END),
    _after_pattern(_LINE_END),
    _after_sentences,
    _after_pattern(_CLAUSE_END),
    _after_pattern(_WORD_END),
)


def split_message(text: str, limit: int = 2000, keep_together: re.Pattern[str] | None = SOURCES_MARKER) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, none empty, in order.

    ``keep_together`` marks where a trailing block starts (by default the sources of an answer);
    that block is never split when it fits in one message. Only a single "word" longer than
    ``limit`` (a very long link) is cut inside.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    tail = _tail_block(text, limit, keep_together)
    if tail is not None:
        head = split_message(text[: len(text) - len(tail)], limit, None)
        if head and len(head[-1]) + 2 + len(tail) <= limit:
            return [*head[:-1], head[-1] + "\n\n" + tail]
        return [*head, tail]
    return [p for p in (piece.strip() for piece in _split(text, limit, 0)) if p]


def _tail_block(text: str, limit: int, marker: re.Pattern[str] | None) -> str | None:
    """The trailing block from the first ``marker`` line to the end, when it fits in one message."""
    if marker is None:
        return None
    matches = list(marker.finditer(text))
    if not matches or matches[0].start() == 0:
        return None
    tail = text[matches[0].start() :].strip()
    return tail if 0 < len(tail) <= limit else None


def _split(text: str, limit: int, level: int) -> list[str]:
    """Pack the pieces of ``text`` at ``level`` into chunks ≤ ``limit``; oversize pieces go down a level."""
    if len(text.strip()) <= limit:
        return [text]
    if level == len(_LEVELS):
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    chunks: list[str] = []
    current = ""
    for piece in _LEVELS[level](text):
        if len(piece.strip()) > limit:
            if current.strip():
                chunks.append(current)
            current = ""
            chunks.extend(_split(piece, limit, level + 1))
        elif len((current + piece).strip()) <= limit:
            current += piece
        else:
            if current.strip():
                chunks.append(current)
            current = piece
    if current.strip():
        chunks.append(current)
    return chunks
