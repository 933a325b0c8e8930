"""The static SVG chart is drawn from the same figure dict as the pages, with no Django and no browser."""

import xml.etree.ElementTree as ET

import spc
from measures.svgchart import figure_svg, nice_ticks
from spc.figures import build_figure

SVG = "{http://www.w3.org/2000/svg}"
X = [f"2024-{m:02d}-01" for m in range(1, 13)] + [f"2025-{m:02d}-01" for m in range(1, 13)]
VALUES = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10, 9, 10, 11, 12, 10, 11, 9, 10, 11, 30]


def figure(values=VALUES, target=None):
    result = spc.analyse(values, chart="i", improvement="decrease", target=target)
    return build_figure(result, X[:len(values)], unit="incidents", target=target)


def test_the_svg_is_well_formed_and_titled_for_screen_readers():
    svg = figure_svg(figure(), title="SPC chart of violence", description="One point above the limit.")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "SPC chart of violence"
    assert root.find(f"{SVG}desc").text == "One point above the limit."


def test_points_are_coloured_by_reading_and_the_limits_and_target_are_drawn():
    svg = figure_svg(figure(target=8))
    assert svg.count("<circle") >= 23  # the common-cause points
    assert 'fill="#fab428"' in svg  # the special-cause concern (orange square) of the last point
    assert 'stroke="#d5281b"' in svg  # the target line
    assert 'stroke-dasharray="6 3"' in svg  # the process limits
    assert "Process limits" in svg and "Target 8 incidents" in svg
    assert "Jan 24" in svg or "Dec 25" in svg or "Dec 24" in svg


def test_a_chart_with_no_points_says_so():
    assert "No data yet" in figure_svg({"data": [], "layout": {}}, title="Empty")


def test_missing_values_break_the_line_instead_of_failing():
    values = VALUES[:10] + [None] + VALUES[11:]
    svg = figure_svg(figure(values))
    ET.fromstring(svg)


def test_nice_ticks_cover_the_range_with_round_numbers():
    ticks = nice_ticks(3.2, 47.9)
    assert ticks[0] <= 3.2 and ticks[-1] >= 47.9
    assert all(t == round(t) for t in ticks)


def test_annotations_mark_the_changes_tested():
    fig = figure()
    fig["layout"]["annotations"] = [{"x": X[5], "y": 11, "text": "PDSA 1: safety huddle"}]
    svg = figure_svg(fig)
    ET.fromstring(svg)
    assert "PDSA 1: safety huddle" in svg


def test_crowded_annotations_are_cut_to_the_room_there_is_and_every_change_keeps_its_line():
    fig = figure()
    fig["layout"]["annotations"] = [{"x": X[i], "y": 11, "text": f"PDSA {i}: a change with a long name"}
                                    for i in (3, 4, 5, 6, 12)]
    svg = figure_svg(fig, width=470, height=210)
    root = ET.fromstring(svg)
    notes = [t for t in root.iter(f"{SVG}text") if t.get("font-size") == "9.5"]
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "1.5 2"]
    assert len(lines) == 5
    assert notes[0].text == "PDSA 3: a change with a lon…"  # the first in its row keeps its label
    rows: dict[str, list[tuple[float, float]]] = {}
    for t in notes:  # no two labels of a row overlap (start-anchored, about 0.6 em a character)
        x = float(t.get("x"))
        rows.setdefault(t.get("y"), []).append((x, x + len(t.text) * 9.5 * 0.6))
    for spans in rows.values():
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
