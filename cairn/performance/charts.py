"""Bar charts as server-rendered SVG: no JavaScript, no inline styles (the CSP allows none).

The chart is one image to assistive technology (``role="img"`` named by its
``<title>`` and described by its ``<desc>``); the page puts a table with the
same numbers beside it, which is where a screen reader user reads the values.
Colours are presentation attributes, so they need no style-src.
"""

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 44
BAR = "#0065bd"  # the design system's blue: 6.4:1 on white
INK = "#333333"
RULE = "#b3b3b3"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (axis tops people can read)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
) -> SafeString:
    """An SVG bar per (label, value); a value of None leaves a gap (no data that day).

    Labels appear under the first, middle and last bars so they never overlap.
    """
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((value or 0 for _label, value in bars), default=0))
    slot = plot_width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'focusable="false" class="cairn-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(_number(top * fraction))}</text>'
        )
    for index, (_label, value) in enumerate(bars):
        if value:
            height = plot_height * value / top
            parts.append(
                f'<rect x="{LEFT + index * slot + slot * 0.15:.1f}" '
                f'y="{TOP + plot_height - height:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{BAR}"/>'
            )
    labelled = sorted({0, len(bars) // 2, len(bars) - 1}) if bars else []
    for index in labelled:
        anchor = "start" if index == 0 else "end" if index == len(bars) - 1 else "middle"
        offset = {"start": 0, "middle": slot / 2, "end": slot}[anchor]
        x = LEFT + index * slot + offset
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}" '
            f'font-size="12" fill="{INK}">{escape(bars[index][0])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
