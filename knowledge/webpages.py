"""Web pages: HTML to paragraphs, and the page furniture that is not the article.

A saved news page carries, around the article, a breadcrumb, the headline, a byline with date and
time, share/print links, a comment counter, "Mới nhất"/"Tin liên quan" lists of other headlines
and a CMS footer. The rules below are general (none names a site): navigation labels on short
lines go; a byline (a short line with a date *and* a time) in the preamble marks the end of the
page header (the line above it is the headline); and once the article has started, a comment
counter, a related-articles label or a footer line starts the trailer, which goes entirely
provided it is made of short lines only (headlines, never paragraphs of the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from knowledge.dates import parse_date
from knowledge.text import fold

LONG_PARAGRAPH = 200  # characters: a paragraph of the article, not a headline or a label
SHORT_LINE = 160  # the trailer (related headlines, footer) is made of lines at most this long

# Labels of page furniture, compared folded (no marks, lowercase), at the start of a short line.
_NAV_LABELS = (
    "moi nhat",
    "noi bat",
    "doc nhieu",
    "xem nhieu",
    "tin lien quan",
    "bai lien quan",
    "tin cung chuyen muc",
    "cung chuyen muc",
    "tin khac",
    "cac tin khac",
    "tin moi",
    "xem them",
    "chia se",
    "in bai",
    "ban in",
    "gui bai",
    "gui email",
    "binh luan",
    "y kien ban doc",
    "quay lai",
    "ve dau trang",
    "len dau trang",
    "trang chu",
    "dang nhap",
    "dang ky nhan tin",
    "tags",
    "tu khoa",
    "theo doi chung toi",
    "lien he quang cao",
    "quang cao",
    "powered by",
    "ban quyen",
    "copyright",
    "©",
    "facebook",
    "zalo",
    "twitter",
    "email",
    "print",
    "share",
    "co chu",
    "nghe doc bai",
    "luu bai",
)
# Labels after which the rest of the page is trailer (when it is all short lines).
_TRAILER_LABELS = (
    "binh luan",
    "y kien ban doc",
    "tin lien quan",
    "bai lien quan",
    "tin cung chuyen muc",
    "cung chuyen muc",
    "tin khac",
    "cac tin khac",
    "moi nhat",
    "doc nhieu",
    "xem nhieu",
    "powered by",
    "ban quyen",
    "copyright",
    "©",
    "tags",
    "tu khoa",
)
_COUNTER_RE = re.compile(
    r"^\(?\d[\d.,]*\)?\s*(?:binh luan|luot xem|luot thich|chia se|comments?|views?|likes?)$"
    r"|^(?:binh luan|luot xem|luot thich|comments?|views?)\s*[:(]?\s*\d[\d.,]*\)?$"
)
_BYLINE_RE = re.compile(
    r"(?P<date>\d{1,2}/\d{1,2}/\d{4})\s*[-,|]?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)"
    r"|(?:thu\s+(?:hai|ba|tu|nam|sau|bay)|chu\s+nhat)\s*,?\s*(?P<date2>\d{1,2}/\d{1,2}/\d{4})"
)
_LABEL_TAIL_CHARS = 40
_BYLINE_CHARS = 80


@dataclass
class PageMeta:
    """What the page furniture said about the article before it was removed."""

    title: str | None = None
    issued: str | None = None  # ISO date of the byline
    author: str | None = None


def _nav_key(line: str) -> str:
    return fold(line).strip(" |:·")


def _is_nav(line: str) -> bool:
    key = _nav_key(line)
    if _COUNTER_RE.match(key):
        return True
    for label in _NAV_LABELS:
        if key.startswith(label):
            rest = key[len(label) :]
            if rest and rest[0].isalnum() and label[-1].isalnum():
                continue  # "emailing" is not "email"
            return len(rest) <= _LABEL_TAIL_CHARS and not line.rstrip().endswith((".", ";"))
    return False


def _starts_trailer(line: str) -> bool:
    key = _nav_key(line)
    return bool(_COUNTER_RE.match(key)) or (
        len(line) <= SHORT_LINE and any(key.startswith(label) for label in _TRAILER_LABELS)
    )


def strip_chrome(text: str, is_page: bool = False) -> tuple[str, PageMeta]:
    """The article without page furniture, and what the furniture told (headline, byline).

    A text that shows no sign of being a saved page (no byline, no trailer) and is not known to
    come from HTML (``is_page``) is returned unchanged: a plan's "Email: …" line is content.
    """
    lines = text.splitlines()
    meta = PageMeta()
    body = _strip_trailer(_strip_preamble(lines, meta))
    if not is_page and len(body) == len(lines):
        return text, meta
    kept = [line for line in body if not (line.strip() and _is_nav(line.strip()))]
    return "\n".join(kept).strip("\n"), meta


def _strip_preamble(lines: list[str], meta: PageMeta) -> list[str]:
    """Drop breadcrumb, headline and byline before the article, keeping headline and date."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped) >= LONG_PARAGRAPH:
            return lines  # the article started without a byline: nothing to strip
        m = _BYLINE_RE.search(fold(stripped)) if len(stripped) <= _BYLINE_CHARS else None
        if not m:
            continue
        day = parse_date(m.group("date") or m.group("date2"))
        meta.issued = day.isoformat() if day else None
        author = stripped[: m.start()].strip(" -|,·")
        meta.author = author if author and len(author.split()) <= 6 else None
        before = [x.strip() for x in lines[:i] if x.strip() and not _is_nav(x.strip())]
        titles = [x for x in before if len(x.split()) >= 4]
        meta.title = titles[-1] if titles else (before[-1] if before else None)
        return lines[i + 1 :]
    return lines


def _strip_trailer(lines: list[str]) -> list[str]:
    seen_article = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped) >= LONG_PARAGRAPH:
            seen_article = True
            continue
        if (
            seen_article
            and stripped
            and _starts_trailer(stripped)
            and all(len(x.strip()) <= SHORT_LINE for x in lines[i:])
        ):
            return lines[:i]
    return lines


# ----------------------------------------------------------------------------- HTML

_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "figure",
    "object",
    "canvas",
    "video",
    "audio",
}
_SKIP_CLASS_RE = re.compile(
    r"comment|related|share|social|breadcrumb|menu|sidebar|footer|header|advert|banner|popup|cookie|"
    r"newsletter|tag-?list|navigation|\bnav\b|\bads?\b",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "hr",
    "address",
    "center",
}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col"}
_SCOPE_TAGS = ("article", "main")


@dataclass
class HtmlPage:
    title: str | None
    text: str
    meta: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    """Collects the visible text of a page as lines, Markdown-style headings and list bullets."""

    def __init__(self, scope: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.scope = scope
        self.scope_depth = 0
        self.scopes: list[list[str]] = []  # text of each top-level scope element (e.g. <article>)
        self.outside: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.title_parts: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]

    @property
    def out(self) -> list[str]:
        if self.scope and self.scope_depth:
            return self.scopes[-1]
        return self.outside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta[key] = a["content"]
        if tag in _SKIP_TAGS or (
            tag not in _VOID_TAGS and _SKIP_CLASS_RE.search(f"{a.get('class', '')} {a.get('id', '')}")
        ):
            if tag not in _VOID_TAGS and tag != "body":
                self.skip_tag, self.skip_depth = tag, 1
            return
        if tag == self.scope:
            if self.scope_depth == 0:
                self.scopes.append([])
            self.scope_depth += 1
        if tag in {"ul", "ol"}:
            self.lists.append([tag == "ol", 0])
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.out.append("#" * int(tag[1]) + " ")
        elif tag == "li":
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self.out.append(f"{self.lists[-1][1]}. ")
            else:
                self.out.append("- ")
        elif tag in {"td", "th"}:
            self.out.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag == "title":
            self.in_title = False
        if tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        if tag == self.scope and self.scope_depth:
            self.scope_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip_tag:
            self.out.append(data)


def html_to_text(markup: str) -> HtmlPage:
    """Visible text of the page's main content (the longest <article>, else <main>, else body)."""
    lowered = markup.lower()
    scope = next((t for t in _SCOPE_TAGS if f"<{t}" in lowered), None)
    parser = _PageParser(scope)
    parser.feed(markup)
    parser.close()
    pieces = max(parser.scopes, key=lambda p: len("".join(p)), default=None) if parser.scopes else None
    raw = "".join(pieces if pieces and "".join(pieces).strip() else parser.outside)
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in raw.split("\n")]
    lines = [line.strip(" |") if line.startswith(" |") else line for line in lines]
    text = "\n\n".join(line for line in lines if line and line not in {"-", "#"})
    title = " ".join("".join(parser.title_parts).split()) or None
    meta = parser.meta
    heading = re.search(r"^# (.+)$", text, re.MULTILINE)
    if heading:
        # The page's own headline beats the <title> (which usually carries the site name).
        title = heading.group(1).strip()
        text = (text[: heading.start()] + text[heading.end() :]).strip()
    elif title and re.search(r"\s[|–—-]\s", title):
        title = re.split(r"\s+[|–—-]\s+(?=[^|–—-]*$)", title)[0]  # "Headline - Site name"
    return HtmlPage(title=title or meta.get("og:title"), text=text, meta=meta)
