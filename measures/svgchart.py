"""A static SVG of an SPC chart from the same plain Plotly figure dict the pages draw (spc.figures).

Pure Python, no Django, no browser: WeasyPrint draws the SVG in the board-pack PDF and in a project's
storyboard, and the board report's page shows it before any script runs. It understands what
spc.figures.build_figure emits: line traces (phases broken by None, dashes, "hvh" steps for limits that
vary with the denominator) and marker traces (colour and symbol by reading), and draws a legend so the
chart reads in black and white too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from spc.fmt import fmt_number

DASHES = {"dash": "6 3", "dot": "2 2", "longdash": "10 4", "dashdot": "6 2 2 2"}
FONT = "DejaVu Sans, Arial, sans-serif"
AXIS = "#768692"
TEXT = "#212b32"


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering lo..hi (about n of them)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 0.5 and len(ticks) < 20:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _x_label(value: str) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day:%b %y}"


def _marker(symbol: str, x: float, y: float, size: float, colour: str, line: str = "") -> str:
    r = size / 2
    stroke = line or "#212b32"
    common = f'stroke="{stroke}" stroke-width="0.6"'
    if symbol.endswith("-open"):
        fill = "none"
        common = f'stroke="{line or colour}" stroke-width="1.4"'
        symbol = symbol[:-5]
    else:
        fill = colour
    if symbol == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{size:.1f}" height="{size:.1f}" fill="{fill}" {common}/>'
    if symbol == "diamond":
        return (f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}" '
                f'fill="{fill}" {common}/>')
    if symbol in ("triangle-up", "triangle-down"):
        s = -1 if symbol == "triangle-up" else 1
        return (f'<polygon points="{x:.1f},{y + s * r:.1f} {x + r:.1f},{y - s * r:.1f} {x - r:.1f},{y - s * r:.1f}" '
                f'fill="{fill}" {common}/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" {common}/>'


def _segments(xs: Sequence[Any], ys: Sequence[Any]) -> list[list[tuple[Any, float]]]:
    segs: list[list[tuple[Any, float]]] = [[]]
    for x, y in zip(xs, ys):
        yv = _num(y)
        if x is None or yv is None:
            if segs[-1]:
                segs.append([])
            continue
        segs[-1].append((x, yv))
    return [s for s in segs if s]


def figure_svg(figure: dict[str, Any], *, width: int = 680, height: int = 250, title: str = "",
               description: str = "") -> str:
    """The figure as an SVG string, with <title>/<desc> for screen readers."""
    data = figure.get("data") or []
    layout = figure.get("layout") or {}
    categories: list[Any] = []
    seen: set[Any] = set()
    for trace in data:
        for x in trace.get("x") or []:
            if x is not None and x not in seen:
                seen.add(x)
                categories.append(x)
    categories.sort(key=str)
    pos = {x: i for i, x in enumerate(categories)}
    values = [v for t in data for v in (_num(y) for y in (t.get("y") or [])) if v is not None]
    legend = [t for t in data if t.get("name") and t.get("showlegend", True) is not False]
    label = escape(title or "Chart", quote=True)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" class="spc-chart" '
            f'font-family="{FONT}"><title>{label}</title>'
            + (f"<desc>{escape(description)}</desc>" if description else ""))
    if not categories or not values:
        return head + (f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="12" '
                       f'fill="{TEXT}">No data yet</text></svg>')

    # Legend items flow left to right and wrap, at an estimated text width (DejaVu Sans ~0.6 em a char).
    items, x_at, row = [], 0.0, 0
    for trace in legend:
        name = "Process limits" if trace.get("legendgroup") == "limits" else str(trace.get("name"))
        name = name if len(name) <= 32 else name[:31] + "…"
        w = 21 + len(name) * 10.5 * 0.6 + 14
        if x_at and x_at + w > width - 58:
            x_at, row = 0.0, row + 1
        items.append((trace, name, x_at, row))
        x_at += w
    rows = row + 1
    notes = [n for n in layout.get("annotations") or [] if n.get("x") in pos]
    left, right, top, bottom = 58, 14, 12 + (24 if notes else 0), 30 + 16 * rows
    pw, ph = width - left - right, height - top - bottom
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.06 or (abs(hi) * 0.1 or 1.0)
    ticks = nice_ticks(lo - pad, hi + pad, 4)
    y0, y1 = min(ticks[0], lo - pad), max(ticks[-1], hi + pad)
    n = len(categories)

    def px(x: Any) -> float:
        return left + (pos[x] + 0.5) * pw / n

    def py(y: float) -> float:
        return top + (y1 - y) / (y1 - y0) * ph

    out = [head, f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff"/>']
    unit = ((layout.get("yaxis") or {}).get("title") or {}).get("text") or ""
    for t in ticks:
        if y0 <= t <= y1:
            y = py(t)
            out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e8e8e8"/>')
            out.append(f'<text x="{left - 6}" y="{y + 3.5:.1f}" text-anchor="end" font-size="10.5" '
                       f'fill="{TEXT}">{escape(fmt_number(t))}</text>')
    if unit:
        out.append(f'<text x="12" y="{top + ph / 2:.1f}" font-size="10" fill="{TEXT}" text-anchor="middle" '
                   f'transform="rotate(-90 12 {top + ph / 2:.1f})">{escape(unit)}</text>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="{AXIS}"/>')
    every = max(1, math.ceil(n / 7))  # each SVG text costs a Pango layout in the PDF: few, well spaced
    for i, x in enumerate(categories):
        if (n - 1 - i) % every == 0:
            xx = left + (i + 0.5) * pw / n
            out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="{AXIS}"/>')
            out.append(f'<text x="{xx:.1f}" y="{top + ph + 15}" text-anchor="middle" font-size="10.5" '
                       f'fill="{TEXT}">{escape(_x_label(x))}</text>')

    for trace in data:
        mode = trace.get("mode", "lines")
        xs, ys = trace.get("x") or [], trace.get("y") or []
        if "lines" in mode:
            line = trace.get("line") or {}
            colour = line.get("color", "#425563")
            dash = DASHES.get(line.get("dash", ""), "")
            step = line.get("shape") == "hvh"
            for seg in _segments(xs, ys):
                pts = [(px(x), py(y)) for x, y in seg if x in pos]
                if not pts:
                    continue
                if len(pts) == 1:  # a lone point of a line: a short stub so it still shows
                    (x, y), half = pts[0], pw / n / 2
                    pts = [(x - half, y), (x + half, y)]
                if step:
                    d = [f"M{pts[0][0] - pw / n / 2:.1f},{pts[0][1]:.1f} H{pts[0][0]:.1f}"]
                    for (xa, _ya), (xb, yb) in zip(pts, pts[1:]):
                        mid = (xa + xb) / 2
                        d.append(f"H{mid:.1f} V{yb:.1f} H{xb:.1f}")
                    d.append(f"H{pts[-1][0] + pw / n / 2:.1f}")
                    path = " ".join(d)
                elif trace is not data[0] and len(seg) >= 2 and seg[0][0] == categories[0] \
                        and seg[-1][0] == categories[-1] and len(seg) == 2:
                    # A two-point line from first to last category (the target): span the whole plot.
                    path = f"M{left:.1f},{pts[0][1]:.1f} H{left + pw:.1f}"
                else:
                    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                out.append(f'<path d="{path}" fill="none" stroke="{colour}" '
                           f'stroke-width="{line.get("width", 1.5)}"' + (f' stroke-dasharray="{dash}"' if dash else "")
                           + "/>")
        if "markers" in mode:
            marker = trace.get("marker") or {}
            colour = marker.get("color", "#425563")
            symbol = marker.get("symbol", "circle")
            size = min(float(marker.get("size", 8)), 10) * 0.8
            ring = (marker.get("line") or {}).get("color", "")
            for x, y in zip(xs, ys):
                yv = _num(y)
                if x in pos and yv is not None:
                    out.append(_marker(symbol, px(x), py(yv), size, colour, ring))

    # Annotations (changes tested, limits recalculated): a dotted line at the point and its short label,
    # staggered in two rows; a label that would run into its row's previous one is cut to the room there is
    # (or left out: the line still marks the change), so crowded months stay readable.
    char = 9.5 * 0.6  # DejaVu Sans at 9.5 px, as the legend estimates
    row_end = [-math.inf, -math.inf]
    for k, note in enumerate(notes):
        xx = px(note["x"])
        label = str(note.get("text", "")).replace("<br>", "; ")
        label = label if len(label) <= 28 else label[:27] + "…"
        row = k % 2
        ty = 20 + 11 * row
        anchor = "end" if xx > left + pw * 0.75 else "start"
        dx = -3 if anchor == "end" else 3
        if anchor == "start":
            room = 0.0 if xx + dx < row_end[row] + 4 else width - (xx + dx)
        else:
            room = xx + dx - row_end[row] - 4
        fits = max(0, int(room // char))
        if fits < len(label):
            label = label[:fits - 1].rstrip() + "…" if fits >= 6 else ""
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{ty - 7}" y2="{top + ph}" stroke="#4c6272" '
                   f'stroke-width="0.8" stroke-dasharray="1.5 2"/>')
        if label:
            out.append(f'<text x="{xx + dx:.1f}" y="{ty}" font-size="9.5" fill="#4c6272" text-anchor="{anchor}">'
                       f'{escape(label)}</text>')
            row_end[row] = xx + dx + len(label) * char if anchor == "start" else xx + dx

    # Legend under the axis.
    for trace, name, offset, row in items:
        cx, cy = left + offset, top + ph + 30 + row * 16
        if "markers" in trace.get("mode", ""):
            marker = trace.get("marker") or {}
            out.append(_marker(marker.get("symbol", "circle"), cx + 8, cy - 3, 7, marker.get("color", "#425563"),
                               (marker.get("line") or {}).get("color", "")))
        else:
            line = trace.get("line") or {}
            dash = DASHES.get(line.get("dash", ""), "")
            out.append(f'<line x1="{cx}" x2="{cx + 16}" y1="{cy - 3}" y2="{cy - 3}" stroke="{line.get("color")}" '
                       f'stroke-width="1.5"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        out.append(f'<text x="{cx + 21}" y="{cy}" font-size="10.5" fill="{TEXT}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def measure_svg(measure: dict[str, Any], *, width: int = 680, height: int = 250) -> str:
    """A board measure's chart (its entry in a report's content) as SVG, named and described for screen
    readers by the measure and what its chart says: the same on the report page and in the PDF."""
    return figure_svg(measure["figure"], width=width, height=height, title=f"SPC chart of {measure['name']}",
                      description=measure.get("reading", ""))
