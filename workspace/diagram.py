"""The driver diagram as an SVG: aim → primary drivers → secondary drivers → change ideas, left to right.

Pure Python (no Django), so it is tested without a database and can be printed or exported as is.
A change idea hangs off every secondary driver it serves: it is drawn once, beside the first of them,
with a connector from each.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from html import escape

COLUMN_WIDTH = 210
GAP = 46
PADDING = 10
LINE_HEIGHT = 16
FONT_SIZE = 13
CHARS_PER_LINE = 29
ROW_GAP = 12
HEADER = 34
MARGIN = 8

FONT = "Arial, Helvetica, sans-serif"
# DejaVu Sans is wider than Arial; its condensed cut is about Arial's width, so the text stays in its boxes.
PRINT_FONT = "DejaVu Sans Condensed, Arial Narrow, Arial, sans-serif"

COLUMNS = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")
FILL = {"aim": "#003087", "primary": "#005eb8", "secondary": "#d6e6f5", "idea": "#ffffff"}
TEXT = {"aim": "#ffffff", "primary": "#ffffff", "secondary": "#212b32", "idea": "#212b32"}
# The idea's border says how its testing went; the legend repeats it in words.
STATUS_STROKE = {"not_tested": "#768692", "testing": "#b27a00", "adopted": "#007f3b", "adapted": "#005eb8",
                 "abandoned": "#8a1538"}
STATUS_LABEL = {"not_tested": "not yet tested", "testing": "testing", "adopted": "adopted", "adapted": "adapted",
                "abandoned": "abandoned"}


@dataclass
class DriverNode:
    id: int
    text: str
    children: list[DriverNode] = field(default_factory=list)


@dataclass
class IdeaNode:
    id: int
    text: str
    driver_ids: list[int] = field(default_factory=list)
    status: str = "not_tested"


@dataclass
class Box:
    kind: str
    key: str
    lines: list[str]
    x: float
    y: float
    width: float = COLUMN_WIDTH
    status: str = ""

    @property
    def height(self) -> float:
        return box_height(self.lines)

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    boxes: list[Box]
    connectors: list[tuple[Box, Box]]
    width: float
    height: float


def wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True) or [""]


def box_height(lines: list[str]) -> float:
    return len(lines) * LINE_HEIGHT + 2 * PADDING


def column_x(index: int) -> float:
    return MARGIN + index * (COLUMN_WIDTH + GAP)


def layout(aim: str, primaries: list[DriverNode], ideas: list[IdeaNode]) -> Layout:
    """Place every box: each secondary driver gets a band tall enough for itself and the ideas drawn beside it."""
    secondary_rank: dict[int, int] = {}
    for primary in primaries:
        for secondary in primary.children:
            secondary_rank.setdefault(secondary.id, len(secondary_rank))
    beside: dict[int, list[IdeaNode]] = {}
    loose: list[IdeaNode] = []
    for idea in ideas:
        linked = [d for d in idea.driver_ids if d in secondary_rank]
        if linked:
            beside.setdefault(min(linked, key=secondary_rank.__getitem__), []).append(idea)
        else:
            loose.append(idea)

    boxes: list[Box] = []
    connectors: list[tuple[Box, Box]] = []
    by_secondary: dict[int, Box] = {}
    ideas_placed: list[tuple[IdeaNode, Box]] = []
    y = HEADER + MARGIN
    primary_boxes: list[Box] = []
    for primary in primaries:
        band_top = y
        child_boxes: list[Box] = []
        for secondary in primary.children:
            sec = Box("secondary", f"d{secondary.id}", wrap(secondary.text), column_x(2), y)
            idea_boxes = []
            iy = y
            for idea in beside.get(secondary.id, []):
                box = Box("idea", f"i{idea.id}", wrap(idea.text), column_x(3), iy, status=idea.status)
                idea_boxes.append(box)
                ideas_placed.append((idea, box))
                iy += box.height + ROW_GAP
            ideas_height = iy - y - ROW_GAP if idea_boxes else 0
            band = max(sec.height, ideas_height)
            sec.y = y + (band - sec.height) / 2
            boxes.append(sec)
            boxes.extend(idea_boxes)
            by_secondary[secondary.id] = sec
            child_boxes.append(sec)
            y += band + ROW_GAP
        lines = wrap(primary.text)
        if child_boxes:
            centre = (child_boxes[0].mid_y + child_boxes[-1].mid_y) / 2
            top = max(band_top, centre - box_height(lines) / 2)
        else:
            top = y
            y += box_height(lines) + ROW_GAP
        pbox = Box("primary", f"d{primary.id}", lines, column_x(1), top)
        y = max(y, pbox.y + pbox.height + ROW_GAP)
        boxes.append(pbox)
        primary_boxes.append(pbox)
        connectors.extend((pbox, child) for child in child_boxes)
        y += ROW_GAP  # a little air between the primary drivers' bands

    for idea in loose:
        box = Box("idea", f"i{idea.id}", wrap(idea.text), column_x(3), y, status=idea.status)
        boxes.append(box)
        y += box.height + ROW_GAP

    aim_lines = wrap(aim or "No aim yet")
    if primary_boxes:
        centre = (primary_boxes[0].mid_y + primary_boxes[-1].mid_y) / 2
    else:
        centre = HEADER + MARGIN + box_height(aim_lines) / 2
    aim_box = Box("aim", "aim", aim_lines, column_x(0), max(HEADER + MARGIN, centre - box_height(aim_lines) / 2))
    boxes.insert(0, aim_box)
    connectors[:0] = [(aim_box, p) for p in primary_boxes]
    for idea, box in ideas_placed:
        connectors.extend((by_secondary[d], box) for d in idea.driver_ids if d in by_secondary)

    height = max([b.y + b.height for b in boxes] + [y]) + MARGIN
    width = column_x(3) + COLUMN_WIDTH + MARGIN
    return Layout(boxes, connectors, width, height)


def _connector(a: Box, b: Box) -> str:
    x1, y1 = a.x + a.width, a.mid_y
    x2, y2 = b.x, b.mid_y
    mid = x1 + GAP / 2
    return f'<path d="M{x1:.1f} {y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}" />'


def _box(box: Box) -> str:
    stroke = STATUS_STROKE.get(box.status, "#005eb8") if box.kind == "idea" else FILL[box.kind]
    dash = ' stroke-dasharray="5 3"' if box.status == "abandoned" else ""
    width = 2.5 if box.kind == "idea" else 1
    weight = ' font-weight="600"' if box.kind in ("aim", "primary") else ""
    parts = [f'<g class="dd-{box.kind}" data-key="{box.key}">',
             f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width}" height="{box.height:.1f}" rx="6" '
             f'fill="{FILL[box.kind]}" stroke="{stroke}" stroke-width="{width}"{dash} />',
             f'<text x="{box.x + PADDING:.1f}" y="{box.y + PADDING + FONT_SIZE - 1:.1f}" fill="{TEXT[box.kind]}" '
             f'font-size="{FONT_SIZE}"{weight}>']
    for i, line in enumerate(box.lines):
        dy = 0 if i == 0 else LINE_HEIGHT
        parts.append(f'<tspan x="{box.x + PADDING:.1f}" dy="{dy}">{escape(line)}</tspan>')
    parts.append("</text>")
    if box.kind == "idea" and box.status:
        parts.append(f"<title>{escape(' '.join(box.lines))} ({STATUS_LABEL.get(box.status, box.status)})</title>")
    parts.append("</g>")
    return "".join(parts)


def driver_diagram_svg(aim: str, primaries: list[DriverNode], ideas: list[IdeaNode], *,
                       title: str = "Driver diagram", font: str = FONT) -> str:
    """The whole diagram as one standalone SVG element, scaled by its viewBox to the space it is given.
    Text is wrapped for `font`; PRINT_FONT fits the same boxes where only DejaVu is installed (WeasyPrint)."""
    plan = layout(aim, primaries, ideas)
    n_primary = len(primaries)
    n_secondary = sum(len(p.children) for p in primaries)
    description = (f"Aim: {aim}. {n_primary} primary driver{'s' if n_primary != 1 else ''}, "
                   f"{n_secondary} secondary driver{'s' if n_secondary != 1 else ''}, "
                   f"{len(ideas)} change idea{'s' if len(ideas) != 1 else ''}.")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="driver-diagram" viewBox="0 0 {plan.width:.0f} '
           f'{plan.height:.0f}" width="{plan.width:.0f}" height="{plan.height:.0f}" role="img" '
           f'aria-labelledby="dd-title dd-desc" font-family="{escape(font)}">',
           f'<title id="dd-title">{escape(title)}</title><desc id="dd-desc">{escape(description)}</desc>']
    for i, heading in enumerate(COLUMNS):
        out.append(f'<text x="{column_x(i):.1f}" y="{HEADER - 12}" font-size="14" font-weight="700" '
                   f'fill="#4c6272">{heading}</text>')
    out.append('<g class="dd-connectors" fill="none" stroke="#768692" stroke-width="1.5">')
    out.extend(_connector(a, b) for a, b in plan.connectors)
    out.append("</g>")
    out.extend(_box(b) for b in plan.boxes)
    out.append("</svg>")
    return "".join(out)
