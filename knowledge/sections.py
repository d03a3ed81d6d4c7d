"""The section tree of a Vietnamese document, and a sentence splitter that knows its habits.

Party and state texts number their parts in layers whose order varies from text to text:
"Phần/Chương/Mục/Điều" in laws; "A-", "I.", "1.", "1.1", "a)", "-", "+" in resolutions and plans.
Rather than fix one order, nesting is learnt while reading (the way a reader does): a marker kind
seen before closes everything opened after it (a new "2." closes the "a)" and "-" items under
"1."), a new kind opens a level under the current one. Only the fixed legal layers (Phần > Chương >
Mục > Điều) and Markdown/Word heading levels have a rank of their own.

A numbered line is a *heading* (it opens a section that later paragraphs belong to) when it reads
like a title: no closing punctuation. A numbered line that is a full sentence ("2. Đảng đoàn Quốc
hội lãnh đạo… theo quy định.") is a content item inside the current section. Every block keeps its
text verbatim: chunks and answers quote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from knowledge.text import shorten, strip_marks

LABEL_CHARS = 120  # longest section label shown in a path before "…"
HEADING_MAX_CHARS = 400  # a numbered line longer than this is content even without a final "."
PATH_SEPARATOR = " > "

# Fixed legal layers, outermost first (matched on the line's start without diacritics).
_STRUCTURAL_KINDS = ("part", "chapter", "division", "article")
_STRUCTURAL_RE = re.compile(
    r"(?P<part>phan\s+(?:thu\s+[a-z]+|[IVXLC]+\b|\d+\b))"
    r"|(?P<chapter>chuong\s+(?:[IVXLC]+|\d+)\b)"
    r"|(?P<division>muc\s+(?:[IVXLC]+|\d+)\b)"
    r"|(?P<article>dieu\s+\d+[a-z]?\s*(?:[.:]|$))",
    re.IGNORECASE,
)
_STRUCTURAL_RANK = {kind: rank for rank, kind in enumerate(_STRUCTURAL_KINDS, start=1)}
_STRUCTURAL_PREFIX = 40  # characters of a line enough to recognise "Chương XII", "Điều 125a."

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_STARTS_UPPER = rf"(?=[\"“(«'{_UPPER}\d])"
# Numbering markers on the original line, one alternation: at the line start the first that
# matches wins, so "1.1" is tried before "1." and "II." before "I" as a letter.
_MARKER_RE = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in [
            ("md", r"#{1,6}\s+"),
            ("decimal", rf"\d{{1,2}}(?:\.\d{{1,2}})+\.?\s*[-–)]?\s+{_STARTS_UPPER}"),
            ("roman", rf"[IVX]{{1,6}}\s*[.\-–)/]\s*{_STARTS_UPPER}"),
            ("upper", rf"[A-HJ-UYZĐ]\s*[.\-–)]\s+{_STARTS_UPPER}"),
            ("arabic", rf"\d{{1,3}}\s*[.\-–/]\s*{_STARTS_UPPER}"),
            ("arabic_paren", r"\d{1,3}\)\s+"),
            ("letter", r"[a-zđ]\)\s+"),
            ("letter_dot", rf"[a-zđ]\.\s+{_STARTS_UPPER}"),
            ("dash", r"[-–—]\s+"),
            ("plus", r"\+\s+"),
            ("dot", r"[•●▪■*·]\s*"),
            ("circle", r"[○◦□]\s*"),
        ]
    )
)
_BULLETS = {"dash", "plus", "dot", "circle"}
_ROMAN_RE = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_SEPARATOR_RE = re.compile(r"^[\W_]+$")
# Closing matter ("Nơi nhận:", "T/M BỘ CHÍNH TRỊ") is not part of the last section.
_CLOSING_RE = re.compile(r"^(?:Noi nhan\s*:|T/M\b|TM\.|K/T\b|KT\.)", re.IGNORECASE)
_TERMINAL = ".;:!?…"


@dataclass(eq=False)
class Section:
    """A node of the tree; ``label`` is its heading as shown in a path ("7. Tổ chức thực hiện")."""

    label: str
    kind: str = "root"
    parent: Section | None = None
    children: list[Section] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def path(self) -> str:
        """ "II. Nhiệm vụ và giải pháp > 3. Đổi mới …" (empty for the document root)."""
        return PATH_SEPARATOR.join(s.label for s in self.lineage())

    def lineage(self) -> list[Section]:
        """The sections from the outermost down to this one, root excluded."""
        chain: list[Section] = []
        node: Section | None = self
        while node is not None and node.parent is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def is_within(self, other: Section) -> bool:
        node: Section | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(eq=False)
class Block:
    """One paragraph (line) of the document, verbatim, with its numbering marker if any."""

    text: str
    section: Section
    marker: str = ""  # "1.", "a)", "-", "Điều 5." ... as written
    kind: str = ""  # marker kind: "article", "roman", "arabic", "letter", "dash", ...; "" for plain text
    is_heading: bool = False

    @property
    def is_item(self) -> bool:
        """A numbered or bulleted line that is content (not a heading)."""
        return bool(self.kind) and not self.is_heading


@dataclass
class Outline:
    """A document as blocks in reading order, each attached to its section of the tree."""

    root: Section
    blocks: list[Block]

    def sections(self) -> Iterator[Section]:
        return self.root.walk()


@dataclass
class _Open:
    """An entry of the nesting stack: a marker kind seen and the section it opened (if a heading)."""

    kind: str
    rank: int
    section: Section | None


def parse_outline(text: str) -> Outline:
    """Blocks and the section tree of ``text`` (one block per non-empty line)."""
    root = Section(label="")
    return _parse_into(root, text.splitlines(), True, Outline(root=root, blocks=[]))


def outline_from_articles(articles: Sequence[tuple[str, str]]) -> Outline:
    """An outline whose sections are given: (heading, text) pairs, e.g. the "Điều" of a law."""
    root = Section(label="")
    outline = Outline(root=root, blocks=[])
    for heading, body in articles:
        # The article's own heading is known: its lines all stay in it (markers still recorded).
        _parse_into(_child(root, heading, "article"), body.splitlines(), False, outline)
    return outline


def _parse_into(base: Section, lines: Sequence[str], headings: bool, outline: Outline) -> Outline:
    stack: list[_Open] = []
    pending_title: Block | None = None  # "Chương I" alone on its line: its title follows
    kept = [line.strip() for line in lines if line.strip() and not _SEPARATOR_RE.match(line.strip())]
    classified = [classify_line(line) for line in kept]
    listed = _short_item_runs(classified) if headings else set()
    for i, line in enumerate(kept):
        kind, marker, body = classified[i]
        text = body if kind == "md" else line  # the "#"s are markup, not text to quote
        if pending_title is not None and not kind and _reads_like_title(line):
            pending_title.section.label = shorten(f"{pending_title.section.label}. {line}", LABEL_CHARS)
            _add(outline, Block(line, pending_title.section, is_heading=True))
            pending_title = None
            continue
        pending_title = None
        if headings and _CLOSING_RE.match(strip_marks(line[:_STRUCTURAL_PREFIX])):
            closing = _child(base, shorten(line.rstrip(":"), LABEL_CHARS), "closing")
            stack[:] = [_Open("closing", 0, closing)]
            _add(outline, Block(text, closing, is_heading=True))
            continue
        if not kind:
            _add(outline, Block(text, _deepest_section(stack, base)))
            continue
        rank = _rank(kind, marker)
        _close(stack, kind, rank)
        if headings and i not in listed and _is_heading(kind, body):
            section = _child(_deepest_section(stack, base), shorten(text, LABEL_CHARS), kind)
            stack.append(_Open(kind, rank, section))
            block = Block(text, section, marker, kind, True)
            if kind in _STRUCTURAL_RANK and not body:
                pending_title = block
        else:
            stack.append(_Open(kind, rank, None))
            block = Block(text, _deepest_section(stack, base), marker, kind)
        _add(outline, block)
    return outline


def _short_item_runs(classified: list[tuple[str, str, str]]) -> set[int]:
    """Lines in a run of two or more consecutive title-like items of one kind ("1. Tuyên
    truyền", "2. Tổ chức hội nghị"): a short list, not headings that own what follows."""
    listed: set[int] = set()
    run: list[int] = []
    for i, (kind, _, body) in enumerate([*classified, ("", "", "")]):
        titled = kind and kind not in _STRUCTURAL_RANK and kind != "md" and _reads_like_title(body)
        if run and (not titled or kind != classified[run[0]][0]):
            if len(run) > 1:
                listed.update(run)
            run = []
        if titled:
            run.append(i)
    return listed


def _add(outline: Outline, block: Block) -> None:
    outline.blocks.append(block)
    block.section.blocks.append(block)


def classify_line(line: str) -> tuple[str, str, str]:
    """(kind, marker, body) of a line: "Điều 5. Phạm vi" → ("article", "Điều 5.", "Phạm vi"); kind "" for plain text."""
    m = _STRUCTURAL_RE.match(strip_marks(line[:_STRUCTURAL_PREFIX]))
    if m:
        return m.lastgroup or "", line[: m.end()].strip(), line[m.end() :].strip()
    m = _MARKER_RE.match(line)
    if not m:
        return "", "", line
    kind, marker, body = m.lastgroup or "", line[: m.end()].strip(), line[m.end() :].strip()
    if kind == "md":
        return kind, marker, body
    if kind == "roman" and not _ROMAN_RE.match(marker.rstrip(".-–)/ ")):
        return "", "", line
    if kind == "decimal":  # "1.1" and "1.1.1" are different layers
        kind = f"decimal{marker.rstrip('.-–) ').count('.') + 1}"
    return kind, marker, body


def _rank(kind: str, marker: str) -> int:
    """Fixed rank for ranked kinds (lower = outer); 0 for kinds nested by order of appearance."""
    if kind in _STRUCTURAL_RANK:
        return _STRUCTURAL_RANK[kind]
    if kind == "md":
        return 10 + len(marker)  # "#" outer to "######"
    return 0


def _close(stack: list[_Open], kind: str, rank: int) -> None:
    """Pop what a new marker of ``kind`` ends: its previous sibling and everything under it."""
    if rank:
        markdown = rank >= 10
        while stack:
            top = stack[-1]
            if top.rank and (top.rank >= 10) == markdown and top.rank < rank:
                break  # an outer layer of the same family stays open
            if top.rank >= 10 and not markdown:
                break  # "Điều" inside a Markdown section stays inside it
            stack.pop()
        return
    for i in range(len(stack) - 1, -1, -1):
        if stack[i].rank:
            return  # not seen inside the current ranked layer: a new level
        if stack[i].kind == kind:
            del stack[i:]
            return


def _deepest_section(stack: list[_Open], base: Section) -> Section:
    for entry in reversed(stack):
        if entry.section is not None:
            return entry.section
    return base


def _child(parent: Section, label: str, kind: str) -> Section:
    section = Section(label=label, kind=kind, parent=parent)
    parent.children.append(section)
    return section


def _is_heading(kind: str, body: str) -> bool:
    if kind in _STRUCTURAL_RANK or kind == "md":
        return True
    if kind in _BULLETS or kind in {"arabic_paren", "letter_dot", "letter"}:
        return False
    return _reads_like_title(body)


def _reads_like_title(text: str) -> bool:
    return 0 < len(text) <= HEADING_MAX_CHARS and text.rstrip()[-1] not in _TERMINAL


# ----------------------------------------------------------------------------- sentences

# Tokens after which a period does not end a sentence (compared without marks, lowercase).
ABBREVIATIONS = frozenset(
    """tp tx tt ts ths pgs gs bs ks ls ncs cn th kts mr mrs ms dr st nxb tr vd v.v vv v/v q p
    no sđt đt ct ubnd""".replace("đ", "d").split()
)
_MARKER_PREFIX_CHARS = 16  # "Khoản 12.3" at most
_ABBREVIATION_CHARS = 10  # "(PGS.TS" at most
_BOUNDARY_RE = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s)")
_MARKER_PREFIX_RE = re.compile(
    r"^(?:(?:dieu|khoan|chuong|muc|phan|diem)\s+)?(?:\d{1,3}(?:\.\d{1,2})*|[IVX]{1,6}|[A-Za-z])$", re.IGNORECASE
)
_STARTS_SENTENCE_RE = re.compile(rf"[\"“(«'{_UPPER}\d\-–+•]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; a line break always ends a sentence."""
    spans: list[tuple[int, int]] = []
    for line_match in re.finditer(r"[^\n]+", text):
        line, offset = line_match.group(), line_match.start()
        start = _skip_space(line, 0)
        for m in _BOUNDARY_RE.finditer(line):
            nxt = _skip_space(line, m.end())
            if nxt >= len(line) or not _STARTS_SENTENCE_RE.match(line, nxt):
                continue
            if not _ends_sentence(line, start, m.start()):
                continue
            spans.append((offset + start, offset + m.end()))
            start = nxt
        end = len(line.rstrip())
        if start < end:
            spans.append((offset + start, offset + end))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, verbatim. Knows "TP.", "TS.", "PGS.", "v.v.", "1.1", dates,
    "69-KL/TW" and list markers ("1. Thành lập…" is one sentence, not "1." and the rest)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def _skip_space(line: str, i: int) -> int:
    while i < len(line) and line[i].isspace():
        i += 1
    return i


def _ends_sentence(line: str, sentence_start: int, punct_at: int) -> bool:
    if punct_at - sentence_start <= _MARKER_PREFIX_CHARS and _MARKER_PREFIX_RE.match(
        strip_marks(line[sentence_start:punct_at])
    ):
        return False  # "1." / "II." / "Điều 5." opening a list item or an article
    token_start = max(line.rfind(" ", 0, punct_at), line.rfind("\t", 0, punct_at)) + 1
    token = line[token_start:punct_at]
    if not token:
        return True
    if len(token) == 1 and token.isupper():
        return False  # an initial: "H. Quang"
    if len(token) <= _ABBREVIATION_CHARS:
        key = strip_marks(token).lower().strip('("“')
        if key in ABBREVIATIONS or key.rsplit(".", 1)[-1] in ABBREVIATIONS:
            return False
    return True
