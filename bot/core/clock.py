"""Local time for people: the store keeps UTC ISO strings, Vietnamese users read Asia/Ho_Chi_Minh.

One place for the zone and the formats, so a confirmation time reads the same in a chat reply
("08:15 ngày 02/04/2024") as in the evidence export ("02/04/2024 08:15"), and "on time" means
"by the end of the due day in Vietnam" everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: datetime | str) -> datetime:
    """A stored UTC ISO string (or an aware datetime) in Vietnam time."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def format_datetime(moment: datetime | str) -> str:
    """ "02/04/2024 08:15": the form used in tables and exports."""
    return local(moment).strftime("%d/%m/%Y %H:%M")


def format_spoken(moment: datetime | str) -> str:
    """ "08:15 ngày 02/04/2024": the form used in chat sentences."""
    return local(moment).strftime("%H:%M ngày %d/%m/%Y")


def format_date(day: date | str) -> str:
    """ "15/04/2024" from a date or an ISO date string."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return day.strftime("%d/%m/%Y")


def local_today(now: datetime) -> date:
    return local(now).date()


def day_end_utc(day: date | str) -> str:
    """The first instant after ``day`` ends in Vietnam, as a stored UTC ISO string.

    Something done "by 15/04/2024" is on time when its stored time is < this value; comparing the
    ISO strings in SQL is valid because every stored time has the same format and offset.
    """
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    start_next = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    return start_next.astimezone(UTC).isoformat(timespec="seconds")
