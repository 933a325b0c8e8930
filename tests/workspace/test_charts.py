"""The progress step chart is a pure function of (month, score) pairs."""

import datetime as dt
import xml.etree.ElementTree as ET

from workspace.charts import progress_step_svg


def test_no_scores_says_so():
    svg = progress_step_svg([])
    assert "No scores yet" in svg
    ET.fromstring(svg)


def test_scores_are_drawn_as_steps_with_an_accessible_label():
    svg = progress_step_svg([(dt.date(2026, 1, 1), 1.0), (dt.date(2026, 2, 1), 1.5), (dt.date(2026, 3, 1), 2.5)])
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "Progress score by month: Jan 2026 1, Feb 2026 1.5, Mar 2026 2.5"
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1 and paths[0].get("d").count("H") == 3 and paths[0].get("d").count("V") == 2


def test_a_missing_month_is_drawn_dotted():
    svg = progress_step_svg([(dt.date(2026, 1, 1), 2.0), (dt.date(2026, 4, 1), 3.0)])
    assert 'stroke-dasharray="3 3"' in svg
