"""Icons, Plotly figure dicts and plain-language readings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from spc import SPCSettings, analyse
from spc.figures import build_figure
from spc.icons import ASSURANCE_ICON_SVG, ICON_TEXT, VARIATION_ICON_SVG, VARIATION_ICONS, icon_svg
from spc.reading import describe

STABLE = [12.1, 11.8, 13.0, 12.4, 12.9, 11.5, 12.2, 12.8, 12.0, 12.6, 11.9, 12.3, 12.7, 12.5, 11.7, 12.4]
SHIFTED = STABLE + [14.1, 14.5, 13.9, 14.8, 14.2, 14.6, 14.0, 14.4]
MONTHS = [f"{m} {y}" for y in (2024, 2025, 2026) for m in
          ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]


@pytest.mark.parametrize("name", [*VARIATION_ICONS, "pass", "fail", "inconsistent"])
def test_icons_are_accessible_svg(name: str) -> None:
    svg = icon_svg(name)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert root.get("aria-label") == ICON_TEXT[name]
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == ICON_TEXT[name]
    assert len(svg) < 1200


def test_icon_tables_complete() -> None:
    assert set(VARIATION_ICON_SVG) == set(VARIATION_ICONS)
    assert set(ASSURANCE_ICON_SVG) == {"pass", "fail", "inconsistent"}
    assert "#289de0" in VARIATION_ICON_SVG["improvement_high"] and "#fab428" in VARIATION_ICON_SVG["concern_low"]
    assert ">P<" in ASSURANCE_ICON_SVG["pass"] and ">F<" in ASSURANCE_ICON_SVG["fail"]


def test_figure_is_small_plain_json() -> None:
    r = analyse(SHIFTED, chart="i", phase_starts=[16], target=13, exclude=[3])
    x = [f"2024-{i % 12 + 1:02d}-01" for i in range(len(SHIFTED))]
    fig = build_figure(r, x, measure_name="Waiting time", unit="days", target=13,
                       annotations=[(x[16], "PDSA 2: new triage")], show_2sigma=True)
    text = json.dumps(fig)
    assert fig["layout"]["template"] is None
    assert len(text) < 8000
    names = [t["name"] for t in fig["data"]]
    assert "Mean" in names and "Upper process limit" in names and "2-sigma" in names
    centre = next(t for t in fig["data"] if t["name"] == "Mean")
    assert None in centre["y"]  # the line breaks between phases
    assert "Excluded from calculations" in names
    markers = [t for t in fig["data"] if t.get("mode") == "markers"]
    assert len({t["marker"]["symbol"] for t in markers}) == len(markers)  # symbol differs, not only colour
    assert fig["layout"]["annotations"][0]["text"] == "PDSA 2: new triage"


def test_figure_run_chart_has_no_limits() -> None:
    r = analyse(STABLE, chart="run", settings=SPCSettings.anhoej())
    fig = build_figure(r, MONTHS[:len(STABLE)])
    names = [t["name"] for t in fig["data"]]
    assert "Median" in names and "Upper process limit" not in names


def test_reading_special_cause_since() -> None:
    r = analyse(SHIFTED, chart="i", target=10)
    text = describe(r, MONTHS[:len(SHIFTED)], measure_name="Waiting time")
    assert text.startswith("Waiting time: Special cause improvement since May 2025: 8 points above the mean.")
    assert "target of 10" in text


def test_reading_common_cause_and_target_inside() -> None:
    r = analyse(STABLE, chart="i", target=12.3)
    text = describe(r, MONTHS[:len(STABLE)])
    assert "Common cause variation: the process is stable around 12.3" in text
    assert "not reliably met (it sits inside the limits)" in text


def test_reading_run_chart_and_trial_limits() -> None:
    y = [5, 6, 4, 5, 7, 3, 6, 4] + [9] * 9 + [5, 3, 6, 4]
    r = analyse(y, chart="run", settings=SPCSettings.anhoej())
    assert "Non-random variation: a run of 9 points above the median" in describe(r, MONTHS[:len(y)])
    r = analyse(STABLE[:8], chart="i")
    assert describe(r, MONTHS[:8]).startswith("Too few points for limits yet")


def test_reading_empty() -> None:
    assert describe(analyse([], chart="i"), []) == "No data yet."
    assert describe(analyse([None, None], chart="i"), ["a", "b"]) == "No data yet."
