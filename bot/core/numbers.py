"""Numbers as Vietnamese readers write them: "1.234" and "33,3 %" (not "1,234" and "33.3%").

One place for the format, so a page, a chat reply and an export say the same figure the same way.
"""

from __future__ import annotations


def format_number(value: int | float, decimals: int = 0) -> str:
    """ "12.345" for 12345, "12.345,7" with one decimal: dot between thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(value: float) -> str:
    """ "33,3 %" for 33.3, "100 %" for 100.0 (one decimal at most, none when it is zero)."""
    rounded = round(value, 1)
    text = format_number(rounded, 0 if rounded == int(rounded) else 1)
    return f"{text}\u00a0%"  # a no-break space keeps the sign with its number
