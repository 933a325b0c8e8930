"""A small step chart of a project's monthly progress scores, as SVG. Pure Python (no Django)."""

from __future__ import annotations

import datetime as dt
from html import escape

WIDTH = 320
HEIGHT = 150
LEFT = 30
RIGHT = 8
TOP = 10
BOTTOM = 24
LOW, HIGH = 0.5, 5.0


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def progress_step_svg(points: list[tuple[dt.date, float]], *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """Each month's score held flat until the next month's, on the fixed 0.5–5 IHI scale.

    Months without a score leave the previous level standing, drawn dotted, so a gap is visible.
    """
    points = sorted(points)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def y(score: float) -> float:
        return TOP + plot_h * (HIGH - score) / (HIGH - LOW)

    label = "Progress score by month"
    if points:
        label += ": " + ", ".join(f"{d:%b %Y} {s:g}" for d, s in points)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
           f'font-family="Arial, Helvetica, sans-serif" font-size="10">']
    for level in (1, 2, 3, 4, 5):
        out.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
                   f'stroke="#d8dde0" stroke-width="1" />'
                   f'<text x="{LEFT - 6}" y="{y(level) + 3:.1f}" text-anchor="end" fill="#4c6272">{level}</text>')
    if not points:
        out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
                   f'fill="#4c6272">No scores yet</text></svg>')
        return "".join(out)

    first, last = _month_index(points[0][0]), _month_index(points[-1][0])
    span = last - first + 1

    def x(month: int) -> float:
        return LEFT + plot_w * (month - first) / span

    solid, gaps = [], []
    for i, (day, score) in enumerate(points):
        m = _month_index(day)
        end = _month_index(points[i + 1][0]) if i + 1 < len(points) else m + 1
        solid.append(f"M{x(m):.1f} {y(score):.1f} H{x(m + 1):.1f}")
        if end > m + 1:
            gaps.append(f"M{x(m + 1):.1f} {y(score):.1f} H{x(end):.1f}")
        if i + 1 < len(points):
            solid.append(f"M{x(end):.1f} {y(score):.1f} V{y(points[i + 1][1]):.1f}")
    out.append(f'<path d="{" ".join(solid)}" fill="none" stroke="#005eb8" stroke-width="2.5" />')
    if gaps:
        out.append(f'<path d="{" ".join(gaps)}" fill="none" stroke="#005eb8" stroke-width="1.5" '
                   f'stroke-dasharray="3 3" />')
    for tick in sorted({first, last, *([first + span // 2] if span > 2 else [])}):
        year, month = divmod(tick, 12)
        out.append(f'<text x="{x(tick) + 2:.1f}" y="{height - 8}" fill="#4c6272">'
                   f'{dt.date(year, month + 1, 1):%b %y}</text>')
    out.append("</svg>")
    return "".join(out)
