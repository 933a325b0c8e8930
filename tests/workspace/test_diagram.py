"""The driver diagram is drawn by a pure function: no database needed."""

import re
import xml.etree.ElementTree as ET

from workspace.diagram import COLUMN_WIDTH, DriverNode, IdeaNode, column_x, driver_diagram_svg, layout, wrap

SVG = "{http://www.w3.org/2000/svg}"


def sample():
    primaries = [
        DriverNode(1, "A calm, predictable ward day",
                   [DriverNode(11, "Evening activities"), DriverNode(12, "Clear routine")]),
        DriverNode(2, "Spotting distress early",
                   [DriverNode(21, "Safety huddle every shift"), DriverNode(22, "Triggers")]),
    ]
    ideas = [IdeaNode(100, "Safety huddle at 10:00 and 18:00", [21], "adopted"),
             IdeaNode(101, "Calm boxes on each corridor", [11, 22], "testing"),
             IdeaNode(102, "An idea not linked yet", [], "not_tested")]
    return primaries, ideas


def test_the_diagram_is_well_formed_svg_with_a_title_and_description():
    primaries, ideas = sample()
    svg = driver_diagram_svg("Reduce violence by 40% by June 2027", primaries, ideas, title="Driver diagram")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Driver diagram"
    assert "2 primary drivers, 4 secondary drivers, 3 change ideas" in root.find(f"{SVG}desc").text


def test_columns_run_left_to_right_aim_primary_secondary_ideas():
    primaries, ideas = sample()
    plan = layout("Aim", primaries, ideas)
    x = {b.key: b.x for b in plan.boxes}
    assert x["aim"] < x["d1"] < x["d11"] < x["i100"]
    assert x["d1"] == column_x(1) and x["i101"] == column_x(3)


def test_an_idea_on_two_secondary_drivers_is_drawn_once_with_two_connectors():
    primaries, ideas = sample()
    plan = layout("Aim", primaries, ideas)
    assert [b.key for b in plan.boxes].count("i101") == 1
    into_101 = [(a.key, b.key) for a, b in plan.connectors if b.key == "i101"]
    assert sorted(into_101) == [("d11", "i101"), ("d22", "i101")]
    # aim → 2 primaries, primaries → 4 secondaries, and 3 links to ideas (the unlinked idea has none)
    assert len(plan.connectors) == 2 + 4 + 3


def test_boxes_in_a_column_never_overlap():
    primaries, ideas = sample()
    ideas += [IdeaNode(200 + n, f"Another idea with a fairly long title number {n} to wrap", [11]) for n in range(5)]
    plan = layout("Aim", primaries, ideas)
    for column in {b.x for b in plan.boxes}:
        boxes = sorted((b for b in plan.boxes if b.x == column), key=lambda b: b.y)
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper.y + upper.height <= lower.y, (upper.key, lower.key)
    assert plan.height >= max(b.y + b.height for b in plan.boxes)


def test_long_text_is_wrapped_to_fit_the_box_and_escaped():
    lines = wrap("Five minutes, standing, at the nurses' station: who is unsettled, who needs what tonight")
    assert len(lines) > 1 and all(len(line) <= 29 for line in lines)
    svg = driver_diagram_svg("Aim <b>& more</b>", [DriverNode(1, "Staff & patients <together>")], [])
    assert "&lt;b&gt;&amp; more&lt;/b&gt;" in svg and "Staff &amp; patients &lt;together&gt;" in svg
    ET.fromstring(svg)


def test_idea_borders_show_their_status_and_an_empty_diagram_still_draws_the_aim():
    primaries, ideas = sample()
    svg = driver_diagram_svg("Aim", primaries, ideas)
    assert re.search(r'data-key="i100"><rect[^>]*stroke="#007f3b"', svg)  # adopted: green
    empty = driver_diagram_svg("Reduce falls by 30%", [], [])
    assert "Reduce falls by 30%" in empty
    assert float(ET.fromstring(empty).get("width")) == column_x(3) + COLUMN_WIDTH + 8
