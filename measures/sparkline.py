"""A tiny inline SVG line of a measure's recent values, built on the server. Pure Python (no Django)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

COLOURS = {"improvement": "#289de0", "concern": "#fab428", "neutral": "#361475", "common": "#7b7d7d",
           "none": "#7b7d7d"}


def sparkline_svg(values: Sequence[float | None], *, reading: str = "common", label: str = "",
                  width: int = 120, height: int = 28, target: float | None = None) -> str:
    """A polyline of the values (missing ones break the line) with the latest point as a dot
    coloured by the reading; a dashed line marks the target when it falls inside the range."""
    pad = 3
    present = [v for v in values if v is not None and not math.isnan(v)]
    title = escape(label or "Recent values", quote=True)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}"><title>{title}</title>')
    if not present:
        return head + "</svg>"
    lo, hi = min(present), max(present)
    span = hi - lo or 1.0
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        y = height - pad - (v - lo) / span * (height - 2 * pad) if hi > lo else height / 2
        return round(pad + i * step, 1), round(y, 1)

    parts: list[str] = []
    segment: list[str] = []
    last = None
    for i, v in enumerate(values):
        if v is None or math.isnan(v):
            if segment:
                parts.append(segment)
                segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{x},{y}")
        last = (x, y)
    if segment:
        parts.append(segment)
    body = []
    if target is not None and lo <= target <= hi and hi > lo:
        _, ty = xy(0, target)
        body.append(f'<line x1="{pad}" x2="{width - pad}" y1="{ty}" y2="{ty}" stroke="#d5281b" '
                    f'stroke-width="1" stroke-dasharray="3 2"/>')
    for seg in parts:
        body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#425563" stroke-width="1.5"/>')
    if last:
        colour = COLOURS.get(reading, COLOURS["common"])
        body.append(f'<circle cx="{last[0]}" cy="{last[1]}" r="3" fill="{colour}" stroke="#212b32" '
                    f'stroke-width="0.75"/>')
    return head + "".join(body) + "</svg>"
