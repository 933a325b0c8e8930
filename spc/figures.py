"""Plotly figure data as plain dicts (no plotly import, no template: the default template costs
about 6 KB per chart). The front end passes the dict to Plotly.newPlot as it is.

Points are coloured by their reading with the Making Data Count colours AND told apart by marker
symbol, so the chart reads without colour too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .engine import COMMON, CONCERN, IMPROVEMENT, NEUTRAL_HIGH, NEUTRAL_LOW, SPCResult
from .fmt import fmt_number
from .icons import BLUE, GREY, ORANGE, PURPLE

LINE = "#425563"  # data line
CENTRE = "#231f20"
LIMIT = "#768692"
TARGET = "#d5281b"


def _num(v: float) -> float | None:
    """Round for transport: 8 significant digits is beyond what any chart can show."""
    if math.isnan(v):
        return None
    return float(f"{v:.8g}")


def _nums(values: Sequence[float]) -> list[float | None]:
    """_num of each value; a line repeats its value along a phase, so a repeat is not formatted again."""
    out: list[float | None] = []
    last, prev = None, None
    for v in values:
        if v != prev:  # NaN is never equal: formatted (cheaply) each time
            prev, last = v, _num(v)
        out.append(last)
    return out


def _category(result: SPCResult, i: int) -> str:
    return result.point_type[i]


def _style(ptype: str, improvement: str) -> tuple[str, str, str]:
    """(label, colour, marker symbol) for a point type."""
    up = "triangle-up" if improvement != "decrease" else "triangle-down"
    return {
        IMPROVEMENT: ("Special cause – improvement", BLUE, up),
        CONCERN: ("Special cause – concern", ORANGE, "square"),
        NEUTRAL_HIGH: ("Special cause – neutral (high)", PURPLE, "diamond"),
        NEUTRAL_LOW: ("Special cause – neutral (low)", PURPLE, "diamond-open"),
        COMMON: ("Common cause", GREY, "circle"),
    }[ptype]


def _phase_line(result: SPCResult, x: Sequence[str], values: Sequence[float]) -> tuple[list, list]:
    """One segment per phase, separated by None so that lines break at a rebase."""
    xs: list[Any] = []
    ys: list[Any] = []
    for p in result.phases:
        if p.stop <= p.start:
            continue
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(x[p.start:p.stop])
        ys.extend(_nums(values[p.start:p.stop]))
    return xs, ys


def build_figure(
    result: SPCResult,
    x: Sequence[str],
    *,
    measure_name: str = "",
    unit: str = "",
    target: float | None = None,
    annotations: Sequence[tuple[str, str]] = (),
    show_2sigma: bool = False,
) -> dict[str, Any]:
    """Figure dict {"data": [...], "layout": {...}} for one analysed series.

    x: one label per point (ISO dates as strings); annotations: [(x, text)], e.g. PDSA cycles.
    """
    if len(x) != len(result):
        raise ValueError(f"{len(x)} x labels for {len(result)} points")
    xl = list(x)
    y = result.y.tolist()
    ys = [_num(v) for v in y]
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines", "name": measure_name or "Value", "x": xl,
        "y": ys, "line": {"color": LINE, "width": 1.5}, "hoverinfo": "skip",
        "showlegend": False,
    }]
    data += _point_traces(result, xl, ys, unit)
    data += _line_traces(result, xl, show_2sigma)
    if target is not None and xl:
        data.append({"type": "scatter", "mode": "lines", "name": f"Target {fmt_number(target, unit)}",
                     "x": [xl[0], xl[-1]], "y": [target, target],
                     "line": {"color": TARGET, "width": 1.5, "dash": "longdash"}, "hoverinfo": "skip"})
    layout: dict[str, Any] = {
        "template": None,
        "margin": {"l": 56, "r": 16, "t": 40 if measure_name else 16, "b": 48},
        "showlegend": True, "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest", "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "xaxis": {"showgrid": False, "linecolor": LIMIT},
        "yaxis": {"title": {"text": unit}, "gridcolor": "#eeeeee", "zeroline": False},
        "annotations": _notes(result, xl, y, annotations),
    }
    if measure_name:
        layout["title"] = {"text": measure_name, "x": 0, "font": {"size": 15}}
    return {"data": data, "layout": layout}


def _point_traces(result: SPCResult, xl: list[str], ys: list[float | None], unit: str) -> list[dict[str, Any]]:
    """One marker trace per point type, and rings around excluded points."""
    data = []
    groups: dict[str, list[int]] = {}
    for i in range(len(result)):
        if not result.missing[i]:
            groups.setdefault(_category(result, i), []).append(i)
    for ptype in (COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW):
        idx = groups.get(ptype)
        if not idx:
            continue
        label, colour, symbol = _style(ptype, result.improvement)
        trace: dict[str, Any] = {
            "type": "scatter", "mode": "markers", "name": label,
            "x": [xl[i] for i in idx], "y": [ys[i] for i in idx],
            "marker": {"color": colour, "symbol": symbol, "size": 8 if ptype == COMMON else 10},
            "hovertemplate": "%{x}: %{y}" + (f" {unit}" if unit and unit != "%" else unit) + f"<extra>{label}</extra>",
        }
        if ptype != COMMON:
            trace["text"] = [result.rule[i] for i in idx]
            trace["hovertemplate"] = "%{x}: %{y}<br>%{text}" + f"<extra>{label}</extra>"
        data.append(trace)
    excluded = [i for i in range(len(result)) if not result.included[i] and not result.missing[i]]
    if excluded:
        # A ring around points left out of the calculations (they stay on the chart).
        data.append({"type": "scatter", "mode": "markers", "name": "Excluded from calculations",
                     "x": [xl[i] for i in excluded], "y": [ys[i] for i in excluded],
                     "marker": {"color": "rgba(0,0,0,0)", "size": 16, "symbol": "circle-open",
                                "line": {"color": CENTRE, "width": 1.5}}, "hoverinfo": "skip"})
    return data


def _line_traces(result: SPCResult, xl: list[str], show_2sigma: bool) -> list[dict[str, Any]]:
    """The centre line and the limits, broken at each phase."""
    centre = "Median" if result.chart in ("run", "g") else "Mean"
    cx, cy = _phase_line(result, xl, result.cl.tolist())
    data = [{"type": "scatter", "mode": "lines", "name": centre, "x": cx, "y": cy,
             "line": {"color": CENTRE, "width": 1.5}, "hoverinfo": "skip"}]
    if all(math.isnan(v) for v in result.ucl.tolist()):
        return data
    shape = "hvh" if result.chart in ("p", "pp", "u", "up", "xbar", "s", "ip") else "linear"
    lines = [("Upper process limit", result.ucl, "dash", "limits"),
             ("Lower process limit", result.lcl, "dash", "limits")]
    if show_2sigma:
        lines += [("2-sigma", result.ucl_95, "dot", "sigma2"), ("2-sigma (lower)", result.lcl_95, "dot", "sigma2")]
    for name, arr, dash, group in lines:
        lx, ly = _phase_line(result, xl, arr.tolist())
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": lx, "y": ly,
                     "line": {"color": LIMIT, "width": 1, "dash": dash, "shape": shape}, "hoverinfo": "skip",
                     "legendgroup": group, "showlegend": name in ("Upper process limit", "2-sigma")})
    return data


def _notes(result: SPCResult, xl: list[str], y: list[float], annotations: Sequence[tuple[str, str]]
           ) -> list[dict[str, Any]]:
    notes = []
    pos = {v: i for i, v in enumerate(xl)}
    for ax, text in annotations:
        i = pos.get(ax)
        if i is None:
            continue
        yy = y[i] if not math.isnan(y[i]) else result.cl[i]
        notes.append({"x": ax, "y": _num(yy) if not math.isnan(yy) else None, "text": text, "showarrow": True,
                      "arrowhead": 2, "ax": 0, "ay": -36, "font": {"size": 11}, "bgcolor": "#ffffff",
                      "bordercolor": LIMIT})
    return notes
