"""Chunks: the passages that are searched and quoted.

A chunk never leaves its section (its section path names where a quote comes from), groups the
section's paragraphs up to a target size, and splits an over-long paragraph only between
sentences. The text is the document's own, verbatim (paragraphs joined by a line break), because
answers quote it. A heading with no text of its own ("III- NHIỆM VỤ, GIẢI PHÁP" followed at once by
"1. …") is carried into the first chunk of its first subsection rather than left as a chunk alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from knowledge.sections import Block, Outline, Section, sentence_spans


@dataclass(frozen=True)
class ChunkSettings:
    """How passages are cut; tuned on the dev set (see bench/), set in ``[knowledge]``."""

    chunk_chars: int = 600  # target size: a chunk closes before the paragraph that would pass it
    max_paragraph_chars: int = 900  # a longer paragraph is split between sentences into ~chunk_chars pieces
    item_chunks: bool = False  # start a new chunk at every numbered/bulleted item


@dataclass(frozen=True)
class Piece:
    """A paragraph, or a run of whole sentences of a long one, as placed into a chunk."""

    block: Block
    text: str
    start: int  # offset of ``text`` in ``block.text``


@dataclass
class Chunk:
    seq: int
    section: Section
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pieces)

    @property
    def section_path(self) -> str:
        return self.section.path

    @property
    def heading(self) -> str:
        return self.section.label

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    def __len__(self) -> int:
        return sum(len(p.text) for p in self.pieces) + max(0, len(self.pieces) - 1)


def text_hash(text: str) -> str:
    """sha256 of a chunk's text: the key that decides whether it must be embedded again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_chunks(outline: Outline, settings: ChunkSettings | None = None) -> list[Chunk]:
    """The chunks of a document, in reading order."""
    settings = settings or ChunkSettings()
    chunks: list[Chunk] = []
    carried: list[Piece] = []  # heading-only pieces waiting for their first subsection
    carried_from: Section | None = None
    for section, blocks in _runs(outline.blocks):
        pieces = [p for b in blocks for p in _pieces(b, settings)]
        if all(b.is_heading for b in blocks):
            if carried_from is not None and not section.is_within(carried_from):
                _flush(chunks, carried)
                carried = []
            carried.extend(pieces)
            carried_from = section
            continue
        if carried:
            if carried_from is not None and section.is_within(carried_from):
                pieces = carried + pieces
            else:
                _flush(chunks, carried)
            carried, carried_from = [], None
        _pack(chunks, section, pieces, settings)
    if carried:
        _flush(chunks, carried)
    return chunks


def _runs(blocks: list[Block]) -> list[tuple[Section, list[Block]]]:
    """Consecutive blocks that share a section."""
    runs: list[tuple[Section, list[Block]]] = []
    for block in blocks:
        if runs and runs[-1][0] is block.section:
            runs[-1][1].append(block)
        else:
            runs.append((block.section, [block]))
    return runs


def _pieces(block: Block, settings: ChunkSettings) -> list[Piece]:
    """The block whole, or (if too long) runs of whole sentences of about ``chunk_chars``."""
    text = block.text
    if len(text) <= settings.max_paragraph_chars:
        return [Piece(block, text, 0)]
    pieces: list[Piece] = []
    start = end = None
    for s, e in sentence_spans(text):
        if start is not None and e - start > settings.chunk_chars:
            pieces.append(Piece(block, text[start:end], start))
            start = None
        if start is None:
            start = s
        end = e
    if start is not None:
        pieces.append(Piece(block, text[start:end], start))
    return pieces


def _pack(chunks: list[Chunk], section: Section, pieces: list[Piece], settings: ChunkSettings) -> None:
    current: Chunk | None = None
    for piece in pieces:
        starts_item = settings.item_chunks and piece.block.is_item and piece.start == 0
        fits = current is not None and len(current) + 1 + len(piece.text) <= settings.chunk_chars
        only_headings = current is not None and all(p.block.is_heading for p in current.pieces)
        if current is None or (not fits and not only_headings) or (starts_item and not only_headings):
            current = Chunk(seq=len(chunks), section=section)
            chunks.append(current)
        current.pieces.append(piece)


def _flush(chunks: list[Chunk], pieces: list[Piece]) -> None:
    """Headings that no subsection followed: a chunk of their own, at the outermost of them."""
    chunks.append(Chunk(seq=len(chunks), section=pieces[0].block.section, pieces=list(pieces)))
