"""Completion charts as inline SVG, drawn on the server.

No chart library and no script: the page works with JavaScript off, prints well, and loads nothing
from anywhere. Bars are SVG attributes (not inline styles), which the pages' Content-Security-Policy
allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from bot.core.numbers import format_percent

ROW_HEIGHT = 30
LABEL_WIDTH = 230
BAR_WIDTH = 330
WIDTH = LABEL_WIDTH + BAR_WIDTH + 110
LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float  # 0..100
    detail: str  # "45/60"
    href: str | None = None
    depth: int = 0


COLORS = {"high": "#15803d", "mid": "#d97706", "low": "#b91c1c"}  # as .meter.* in admin.css


def level(percent: float) -> str:
    """ "high" (≥ 80 %), "mid" (≥ 50 %) or "low": one scale for the charts and the list meters."""
    return "high" if percent >= 80 else "mid" if percent >= 50 else "low"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def completion_chart(bars: list[Bar], title: str) -> Markup:
    """A horizontal bar chart: one row per unit (top-level units in bold), its completion, and a
    link to its people who have not confirmed."""
    height = max(1, len(bars)) * ROW_HEIGHT + 28
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 50, 100):
        x = LABEL_WIDTH + BAR_WIDTH * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="#e4e7ec" '
            f'stroke-dasharray="{"0" if tick == 0 else "3 3"}"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#667085" font-size="11">{format_percent(tick)}</text>'
        )
    for i, bar in enumerate(bars):
        y = 6 + i * ROW_HEIGHT
        percent = max(0.0, min(100.0, bar.percent))
        width = BAR_WIDTH * percent / 100
        label = escape(_short(bar.label, LABEL_CHARS))
        weight = "700" if bar.depth == 0 else "400"
        row = (
            f'<text x="{LABEL_WIDTH - 10}" y="{y + 15}" text-anchor="end" fill="#1f2328" '
            f'font-weight="{weight}">{label}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{BAR_WIDTH}" height="18" rx="4" fill="#f2f3f5"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width:.1f}" height="18" rx="4" fill="{COLORS[level(percent)]}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}" fill="#1f2328" font-weight="600">'
            f'{format_percent(percent)}<tspan fill="#667085" font-weight="400"> · {escape(bar.detail)}</tspan></text>'
        )
        if bar.href:
            row = f'<a href="{escape(bar.href)}"><title>{escape(bar.label)}</title>{row}</a>'
        parts.append(row)
    parts.append("</svg>")
    return Markup("".join(parts))
