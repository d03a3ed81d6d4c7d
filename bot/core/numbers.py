"""Numbers as Vietnamese readers write them: "1.234" and "33,3 %" (not "1,234" and "33.3%").

One place for the format (the digits themselves: :func:`knowledge.text.format_number`), so a page, a chat reply and an export say the same figure the same way.
"""

from __future__ import annotations

from knowledge.text import format_number  # the libraries print counts too (ingest): defined there

__all__ = ["format_number", "format_percent"]


def format_percent(value: float) -> str:
    """ "33,3 %" for 33.3, "100 %" for 100.0 (one decimal at most, none when it is zero)."""
    rounded = round(value, 1)
    text = format_number(rounded, 0 if rounded == int(rounded) else 1)
    return f"{text}\u00a0%"  # a no-break space keeps the sign with its number
