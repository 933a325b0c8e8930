"""The board-pack PDF: the frozen report laid out by WeasyPrint, its charts drawn as SVG on the server
from the same figure data the pages draw with Plotly (measures.svgchart)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string

from measures.svgchart import measure_svg
from ops.pdf import layout, write

from .content import GROUPINGS, choose_grouping, grouped, portfolio_built_on

Progress = Callable[[str, int, int], None]


def _quiet(step: str, done: int, total: int) -> None:
    return None


def build_html(report: dict[str, Any], content: dict[str, Any], *, grouping: str = "domain",
               progress: Progress = _quiet) -> str:
    """The print HTML: contents with page numbers, one block per measure with its static chart, the measures
    grouped by domain or by strategic objective (by domain when the report holds no such grouping)."""
    measures = content.get("measures", [])
    total = len(measures) + 2
    charts = {}
    for i, m in enumerate(measures, start=1):
        if m.get("figure"):
            charts[m["id"]] = measure_svg(m, width=620, height=240)
        if i % 5 == 0 or i == len(measures):
            progress(f"Drawing chart {i} of {len(measures)}", i, total)
    grouping, _ = choose_grouping(content, grouping)
    return render_to_string("board/pdf.html", {"report": report, "content": content, "charts": charts,
                                               "content_groups": grouped(content, grouping),
                                               "grouping_label": GROUPINGS[grouping],
                                               "built_on": portfolio_built_on(content), "pdf": True})


def render_pdf(report: dict[str, Any], content: dict[str, Any], *, grouping: str = "domain",
               progress: Progress = _quiet) -> tuple[bytes, int]:
    """(PDF bytes, number of pages). `report`: title, meeting_date, version, correction_note, published_at.

    progress(step, done, total) is called as charts are drawn and pages laid out."""
    total = len(content.get("measures", [])) + 2
    html = build_html(report, content, grouping=grouping, progress=progress)
    progress("Laying out the pages", total - 1, total)
    document = layout(html)
    pages = len(document.pages)
    progress(f"Writing {pages} pages", total - 1, total)
    data = write(document)
    progress("Done", total, total)
    return data, pages
