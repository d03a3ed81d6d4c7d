"""Dates, deadlines and recurring periods in Vietnamese text.

Plans say "trước ngày 15/4/2024", "chậm nhất ngày 30 tháng 4 năm 2024", "trong năm 2025",
"quý I/2025", "đến năm 2030", "giai đoạn 2021 - 2030", "định kỳ 6 tháng", "hằng năm". Duties and
answers need the day behind the words (to say "còn 12 ngày" or "đã quá 3 ngày") *and* the words
themselves (an answer quotes the text). Matching runs on the text without diacritics
(:func:`knowledge.text.strip_marks`, which keeps offsets), so a query typed without marks
("truoc ngay 15/4/2024") is understood the same way; the mention quotes the original characters.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from knowledge.text import strip_marks


def _year(name: str) -> str:
    return rf"(?P<{name}>(?:19|20)\d{{2}})(?![\d/])"


_ROMAN_QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4}

# One alternation, most specific first: at a given position the first alternative that matches
# wins, and ``finditer`` keeps mentions from overlapping.
_DATE_RE = re.compile(
    "|".join(
        [
            # giai đoạn 2021 - 2030, từ năm 2021 đến năm 2025
            r"(?P<range>(?:tu\s+)?(?:nam\s+)?(?<![\d/.-])(?P<r1>(?:19|20)\d{2})\s*(?:-|–|—|den)\s*(?:nam\s+)?(?P<r2>(?:19|20)\d{2})(?![\d/]))",
            # 15/4/2024, 15-04-2024, 15.4.2024 (same separator twice), optionally after "ngày"
            r"(?P<dmy>(?:ngay\s+)?(?<![\d/.-])(?P<d1>\d{1,2})(?P<sep>[/.-])(?P<m1>\d{1,2})(?P=sep)(?P<y1>(?:19|20)\d{2})(?![\d/]))",
            # ngày 15 tháng 4 năm 2024
            rf"(?P<words>(?:ngay\s+)?(?<!\d)(?P<d2>\d{{1,2}})\s+thang\s+(?P<m2>\d{{1,2}})\s*,?\s+nam\s+{_year('y2')})",
            # ngày 15/4 (no year: only with a default year)
            r"(?P<dm>ngay\s+(?P<d3>\d{1,2})[/.-](?P<m3>\d{1,2})(?![\d/.-]))",
            # 6 tháng đầu năm 2025
            rf"(?P<half>6\s+thang\s+(?P<which>dau|cuoi)\s+nam\s+{_year('y5')})",
            # quý I/2025, quý 2 năm 2025
            rf"(?P<quarter>quy\s+(?P<q>IV|I{{1,3}}|[1-4])\s*(?:[/-]\s*|\s+(?:cua\s+)?nam\s+){_year('y4')})",
            # tháng 4/2024, tháng 04-2024, tháng 4 năm 2024
            rf"(?P<month>thang\s+(?P<m4>\d{{1,2}})\s*(?:[/.-]\s*|\s+nam\s+){_year('y3')})",
            # năm 2025, cuối năm 2025
            rf"(?P<year>(?:(?:cuoi|dau|giua)\s+)?nam\s+{_year('y6')})",
            # định kỳ 6 tháng, định kỳ hằng năm, hằng quý, 6 tháng một lần
            r"(?P<period>dinh\s+ky(?:\s+(?:hang\s+(?P<pu1>nam|quy|thang|tuan)|(?:moi\s+)?(?P<pn1>\d{1,2})\s+(?P<pu2>thang|nam|quy|tuan)(?:\s+(?:mot|1)\s+lan)?))?"
            r"|hang\s+(?P<pu3>nam|quy|thang|tuan|ngay)\b"
            r"|(?P<pn2>\d{1,2})\s+(?P<pu4>thang|nam|quy|tuan)\s+(?:mot|1)\s+lan)",
        ]
    ),
    re.IGNORECASE,
)

# Words right before a date that make it a deadline ("trước ngày", "chậm nhất", "trong năm").
_CUE_RE = re.compile(
    r"(?:^|(?<=[^\w]))(?P<cue>truoc|cham\s+nhat(?:\s+la)?(?:\s+(?:vao|den|trong|truoc))?|han\s+chot(?:\s+la)?"
    r"|thoi\s+han(?:\s+la)?|han(?:\s+la)?|den\s+het|den|toi|trong|khong\s+qua|khong\s+muon\s+hon)\s+$",
    re.IGNORECASE,
)
_CUE_WINDOW = 32
# Every mention has a digit or a recurrence word: texts without either are skipped at once.
_HINT_RE = re.compile(r"\d|h[aàằ]ng\s|[đd][iị]nh\s+k", re.IGNORECASE)
_UNIT_MONTHS = {"ngay": 0, "tuan": 0, "thang": 1, "quy": 3, "nam": 12}


@dataclass(frozen=True)
class DateMention:
    """One date, deadline, span or recurring period found in a text.

    ``last`` is the day by which something is due: the day itself for "15/4/2024", the last day of
    the month/quarter/year for coarser mentions ("trong năm 2025" → 2025-12-31), the end of a
    range. ``first`` is the first day named. Periods ("định kỳ 6 tháng") carry no day.
    """

    text: str  # the words as written, cue included: "trước ngày 15/4/2024"
    kind: str  # "deadline" | "date" | "range" | "period"
    span: tuple[int, int]  # offsets of ``text`` in the searched string
    first: date | None = None
    last: date | None = None
    precision: str = ""  # "day" | "month" | "quarter" | "half" | "year" | "" (periods)
    cue: str = ""  # the deadline cue as written: "trước", "chậm nhất", "trong", "đến"
    every_months: int | None = None  # periods: 6 for "định kỳ 6 tháng", 12 for "hằng năm"; None if unsaid

    @property
    def date(self) -> date | None:
        """The day that matters: the due day for a deadline, the last day of a coarser mention."""
        return self.last

    @property
    def iso(self) -> str | None:
        return self.last.isoformat() if self.last else None

    @property
    def is_deadline(self) -> bool:
        return self.kind == "deadline"


def find_dates(text: str, default_year: int | None = None) -> list[DateMention]:
    """Every date-like mention in ``text``, in order; impossible dates (31/2/2024) are skipped.

    ``default_year`` completes "ngày 15/4" (no year); without it such mentions are ignored.
    """
    if not _HINT_RE.search(text):
        return []
    plain = strip_marks(text)
    found: list[DateMention] = []
    for match in _DATE_RE.finditer(plain):
        mention = _mention(match, default_year)
        if mention is None:
            continue
        start, end = match.span()
        kind, cue = mention[0], ""
        if kind == "date":
            cue_match = _CUE_RE.search(plain, max(0, start - _CUE_WINDOW), start)
            if cue_match:
                kind, cue = "deadline", text[cue_match.start("cue") : cue_match.end("cue")]
                start = cue_match.start("cue")
        _, first, last, precision, every = mention
        found.append(
            DateMention(
                text=text[start:end],
                kind=kind,
                span=(start, end),
                first=first,
                last=last,
                precision=precision,
                cue=cue,
                every_months=every,
            )
        )
    return found


def parse_date(text: str, default_year: int | None = None) -> date | None:
    """The first day-precision date in ``text`` ("ngày 11 tháng 01 năm 2024" → 2024-01-11), if any."""
    for mention in find_dates(text, default_year):
        if mention.precision == "day":
            return mention.first
    return None


def deadlines(text: str, default_year: int | None = None) -> list[DateMention]:
    """Only the mentions that say by when something is due."""
    return [m for m in find_dates(text, default_year) if m.kind == "deadline"]


def _mention(
    m: re.Match[str], default_year: int | None
) -> tuple[str, date | None, date | None, str, int | None] | None:
    """(kind, first, last, precision, every_months) for one regex match, or None if impossible."""
    g = m.group
    try:
        if g("range"):
            y1, y2 = int(g("r1")), int(g("r2"))
            if y2 <= y1:
                return None
            return "range", date(y1, 1, 1), date(y2, 12, 31), "year", None
        if g("dmy"):
            day = date(int(g("y1")), int(g("m1")), int(g("d1")))
            return "date", day, day, "day", None
        if g("words"):
            day = date(int(g("y2")), int(g("m2")), int(g("d2")))
            return "date", day, day, "day", None
        if g("dm"):
            if default_year is None:
                return None
            day = date(default_year, int(g("m3")), int(g("d3")))
            return "date", day, day, "day", None
        if g("half"):
            year = int(g("y5"))
            if g("which").lower() == "dau":
                return "date", date(year, 1, 1), date(year, 6, 30), "half", None
            return "date", date(year, 7, 1), date(year, 12, 31), "half", None
        if g("quarter"):
            q = g("q").upper()
            quarter = _ROMAN_QUARTERS.get(q) or int(q)
            return "date", *_month_span(int(g("y4")), 3 * quarter - 2, 3 * quarter), "quarter", None
        if g("month"):
            month = int(g("m4"))
            return "date", *_month_span(int(g("y3")), month, month), "month", None
        if g("year"):
            year = int(g("y6"))
            return "date", date(year, 1, 1), date(year, 12, 31), "year", None
    except ValueError:  # 31/2/2024, tháng 13/2024
        return None
    return "period", None, None, "", _period_months(m)


def _month_span(year: int, first_month: int, last_month: int) -> tuple[date, date]:
    last_day = calendar.monthrange(year, last_month)[1]
    return date(year, first_month, 1), date(year, last_month, last_day)


def _period_months(m: re.Match[str]) -> int | None:
    unit = (m.group("pu1") or m.group("pu2") or m.group("pu3") or m.group("pu4") or "").lower()
    if not unit or not _UNIT_MONTHS[unit]:
        return None
    count = int(m.group("pn1") or m.group("pn2") or 1)
    return count * _UNIT_MONTHS[unit]
