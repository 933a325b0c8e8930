"""Reading a measure: its chart, icons and words, and the summary row of many measures.

Pure functions of what they are given (a measure, its points, phases and marks, the SPC configuration): no
queries, so the measure page, the summary, the nightly snapshots and the board report all read a measure the
same way. `ChartOutput.snapshot()` is what a snapshot keeps.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import spc
from spc.batch import ASSURANCE_CODES, BATCH_CHARTS, BatchResult, analyse_many
from spc.figures import build_figure
from spc.icons import ASSURANCE_ICON, VARIATION_ICONS
from spc.reading import describe

from . import periods
from .models import ChartType, DataPoint, Measure, MeasureMethod, MeasurePhase, PhaseKind, SPCConfig
from .sparkline import sparkline_svg

SPARK_POINTS = 24


def settings_for(measure: Measure, config: SPCConfig) -> spc.SPCSettings:
    method = measure.method or config.method
    if method == MeasureMethod.IHI and measure.chart_type == ChartType.RUN:
        # The IHI rules fix their own lengths (shift 6, trend 5): the organisation's MDC lengths do not apply.
        return spc.SPCSettings.ihi(show_2sigma=measure.show_2sigma)
    if method == MeasureMethod.IHI:
        method = config.method
    base = spc.SPCSettings.mdc() if method == "mdc" else spc.SPCSettings.anhoej()
    return replace(base, shift_length=config.shift_length, trend_length=config.trend_length,
                   screen_moving_ranges=config.screen_moving_ranges, two_of_three=config.two_of_three,
                   show_2sigma=measure.show_2sigma)


def reading_of(variation_icon: str | None) -> str:
    """The summary's reading filter: improvement / concern / neutral / common / none (no data)."""
    if not variation_icon:
        return "none"
    if variation_icon == "common_cause":
        return "common"
    return variation_icon.split("_")[0]


READING_LABELS = {"improvement": "Special cause improvement", "concern": "Special cause concern",
                  "neutral": "Special cause (neither better nor worse)", "common": "Common cause",
                  "none": "No data yet"}


@dataclass
class ChartOutput:
    """Everything a measure's page shows about its chart; `snapshot()` is the JSON a snapshot keeps."""

    result: spc.SPCResult | None
    figure: dict[str, Any] | None
    reading: str
    variation_icon: str | None
    assurance_icon: str | None
    latest_value: float | None
    latest_period: dt.date | None
    trial_limits: bool = False
    error: str = ""
    point_types: list[str] = field(default_factory=list)
    method: str = ""
    ys: list[float | None] = field(default_factory=list)  # the plotted value of each point (None: missing)

    @property
    def reading_kind(self) -> str:
        return reading_of(self.variation_icon)

    def snapshot(self) -> dict[str, Any]:
        return {
            "result": self.result.to_dict() if self.result is not None else None,
            "figure": self.figure, "reading": self.reading, "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon, "latest_value": self.latest_value,
            "latest_period": self.latest_period.isoformat() if self.latest_period else None,
            "trial_limits": self.trial_limits, "error": self.error,
        }


def _series(measure: Measure, points: Sequence[DataPoint]) -> dict[str, Any]:
    """The engine's arguments for a run of points."""
    if measure.is_ratio:
        return {"values": [p.numerator for p in points], "denominators": [p.denominator for p in points]}
    if measure.has_subgroups:
        values, labels = [], []
        for i, p in enumerate(points):
            obs = p.observations or ([p.value] if p.value is not None else [None])
            values.extend(obs)
            labels.extend([i] * len(obs))
        return {"values": values, "subgroups": labels}
    return {"values": [p.value for p in points]}


def _segments(points: Sequence[DataPoint], phases: Sequence[MeasurePhase]) -> list[tuple[int, int | None]]:
    """(first row, frozen baseline points or None) of each stretch between phase breaks."""
    starts = [p.period_start for p in points]
    out: dict[int, int | None] = {0: None}
    for ph in sorted(phases, key=lambda p: p.starts_on):
        i = bisect.bisect_left(starts, ph.starts_on)
        if i >= len(points):
            continue
        out[i] = ph.n_points if ph.kind == PhaseKind.BASELINE else None
    return sorted(out.items())


def _merge(parts: list[spc.SPCResult], offsets: list[int], settings: spc.SPCSettings) -> spc.SPCResult:
    """Join per-phase analyses into one result. Limits, rules and runs are read within each phase by the
    engine anyway, so analysing phase by phase is what one call with phase_starts does, and lets each
    phase have its own frozen baseline."""
    if len(parts) == 1:
        return parts[0]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    phases, phase_arr, rule, ptype = [], [], [], []
    for part, off in zip(parts, offsets):
        for ph in part.phases:
            phases.append(replace(ph, index=len(phases), start=ph.start + off, stop=ph.stop + off))
        phase_arr.append(np.full(len(part), len(phases) - 1, dtype=np.int64))
        rule.extend(part.rule)
        ptype.extend(part.point_type)
    icon_part, icon_off = parts[-1], offsets[-1]
    for part, off in zip(reversed(parts), reversed(offsets)):
        if part.last_index is not None:
            icon_part, icon_off = part, off
            break
    warnings = [f"Phase {p.index + 1} has {p.n_baseline} points for its limits (fewer than "
                f"{settings.min_points_for_limits}): trial limits." for p in phases if p.trial_limits and p.n_points]
    first = parts[0]
    return spc.SPCResult(
        chart=first.chart, method=first.method, improvement=first.improvement, target=first.target,
        multiply=first.multiply, y=cat("y"), n=cat("n"), cl=cat("cl"), lcl=cat("lcl"), ucl=cat("ucl"),
        lcl_95=cat("lcl_95"), ucl_95=cat("ucl_95"), phase=np.concatenate(phase_arr), baseline=cat("baseline"),
        included=cat("included"), missing=cat("missing"), relative_to_mean=cat("relative_to_mean"),
        outside=cat("outside"), close_to_limits=cat("close_to_limits"), sigma_signal=cat("sigma_signal"),
        runs_signal=cat("runs_signal"), signal=cat("signal"), rule=rule, point_type=ptype, phases=phases,
        variation_type=icon_part.variation_type, variation_icon=icon_part.variation_icon,
        assurance_type=icon_part.assurance_type, assurance_icon=icon_part.assurance_icon,
        last_index=None if icon_part.last_index is None else icon_part.last_index + icon_off, warnings=warnings,
    )


def analyse_points(measure: Measure, points: Sequence[DataPoint], phases: Sequence[MeasurePhase],
                   settings: spc.SPCSettings) -> spc.SPCResult:
    parts, offsets = [], []
    segs = _segments(points, phases)
    bounds = [s for s, _ in segs] + [len(points)]
    for (start, freeze), stop in zip(segs, bounds[1:]):
        chunk = points[start:stop]
        parts.append(spc.analyse(
            **_series(measure, chunk), chart=measure.chart_type, settings=settings, freeze=freeze,
            exclude=[i for i, p in enumerate(chunk) if p.excluded], improvement=measure.improvement,
            target=measure.target, multiply=measure.multiplier))
        offsets.append(start)
    return _merge(parts, offsets, settings)


def _annotation_marks(measure: Measure, points: Sequence[DataPoint], phases: Sequence[MeasurePhase],
                      annotations: Iterable[tuple[dt.date, str]]) -> list[tuple[str, str]]:
    """Annotations placed on the point whose period holds their date; several on one point are joined."""
    starts = [p.period_start for p in points]
    if not starts:
        return []
    end = periods.next_period(starts[-1], measure.period)
    notes: dict[int, list[str]] = defaultdict(list)
    marks = [(ph.starts_on, ("Baseline frozen: " + f"{ph.n_points} points" if ph.kind == PhaseKind.BASELINE
                             else "Limits recalculated") + (f" – {ph.note}" if ph.note else ""))
             for ph in phases]
    for day, text in sorted([*marks, *annotations], key=lambda a: a[0]):
        i = bisect.bisect_right(starts, day) - 1
        if i < 0 or day >= end:
            continue
        notes[i].append(text)
    return [(starts[i].isoformat(), "<br>".join(texts)) for i, texts in sorted(notes.items())]


def chart_for(measure: Measure, points: Sequence[DataPoint], phases: Sequence[MeasurePhase], config: SPCConfig,
              annotations: Iterable[tuple[dt.date, str]] = (), *, with_figure: bool = True,
              result: spc.SPCResult | None = None) -> ChartOutput:
    """Analyse a measure's points (ordered by period) and build its figure and reading.

    annotations: (date, text) pairs, free annotations and PDSA cycles alike (see `annotations_for`).
    result: the analysis when already made (by `analyse_simple`, many measures at once).
    """
    points = sorted(points, key=lambda p: p.period_start)
    settings = settings_for(measure, config)
    if not points:
        return ChartOutput(None, None, "No data yet.", None, None, None, None)
    try:
        result = result or analyse_points(measure, points, phases, settings)
    except spc.SPCValidationError as e:
        return ChartOutput(None, None, "", None, None, None, None, error=str(e))
    labels = [periods.label(p.period_start, measure.period) for p in points]
    x = [p.period_start.isoformat() for p in points]
    figure = None
    if with_figure:
        figure = build_figure(result, x, unit=measure.unit, target=measure.target,
                              annotations=_annotation_marks(measure, points, phases, annotations),
                              show_2sigma=measure.show_2sigma)
        figure["layout"]["xaxis"]["type"] = "date"
        _tidy_annotations(figure)
    last = result.last_index
    latest = None if last is None or math.isnan(result.y[last]) else float(result.y[last])
    trial = result.chart != "run" and bool(result.phases) and result.phases[-1].trial_limits
    return ChartOutput(
        result=result, figure=figure, reading=describe(result, labels, unit=measure.unit),
        variation_icon=result.variation_icon, assurance_icon=result.assurance_icon, latest_value=latest,
        latest_period=points[last].period_start if last is not None else None, trial_limits=trial,
        point_types=list(result.point_type), method=result.method,
        ys=[None if v != v else v for v in result.y.tolist()],
    )


def _short(texts: list[str]) -> str:
    if len(texts) > 1:
        kinds = "PDSA cycles" if all(t.startswith("PDSA ") for t in texts) else "changes"
        return f"{len(texts)} {kinds}"
    text = texts[0]
    return text if len(text) <= 26 else text[:24].rstrip() + "…"


def _tidy_annotations(figure: dict[str, Any]) -> None:
    """Short labels on the chart (the full text shows on hover), staggered so that neighbours do not
    overlap: PDSA cycles come in bursts."""
    for i, note in enumerate(figure["layout"].get("annotations", [])):
        full = note["text"]
        note["hovertext"] = full
        note["text"] = _short(full.split("<br>"))
        note["ay"] = -28 - 22 * (i % 4)
        note["captureevents"] = True


# --------------------------------------------------------------------------- the summary of many measures


@dataclass
class SummaryRow:
    measure: Measure
    latest_value: float | None
    latest_period: dt.date | None
    variation_icon: str | None
    assurance_icon: str | None
    n_points: int
    trial_limits: bool
    recent: list[float | None]
    error: str = ""

    @property
    def reading(self) -> str:
        return reading_of(self.variation_icon)

    @property
    def reading_label(self) -> str:
        return READING_LABELS[self.reading]

    @property
    def sparkline(self) -> str:
        """Drawn only for the rows a page shows."""
        m, n = self.measure, len(self.recent)
        label = (f"{m.name}: last {n} value{'s' if n != 1 else ''}" +
                 (f", latest {self.latest_value:.3g}" if self.latest_value is not None else ""))
        return sparkline_svg(self.recent, reading=self.reading, label=label, target=m.target)


def _plotted(measure: Measure, points: Sequence[DataPoint]) -> list[float | None]:
    out = []
    for p in points:
        if measure.is_ratio:
            v = p.numerator / p.denominator if p.numerator is not None and p.denominator else None
        else:
            v = p.value
        out.append(None if v is None else v * measure.multiplier)
    return out


def _simple_groups(measures: Sequence[Measure], points: dict[int, list[DataPoint]],
                   phases: dict[int, list[MeasurePhase]], config: SPCConfig
                   ) -> tuple[dict[tuple, list[Measure]], list[Measure]]:
    """Measures the vectorised engine reads many at a time (no phases or exclusions, a chart it covers),
    grouped by what one batch shares; and the rest, read one by one."""
    groups: dict[tuple, list[Measure]] = defaultdict(list)
    rest = []
    for m in measures:
        pts = points.get(m.pk, [])
        if (pts and m.chart_type in BATCH_CHARTS and not phases.get(m.pk)
                and not any(p.excluded for p in pts)):
            groups[(m.chart_type, len(pts), m.improvement, settings_for(m, config))].append(m)
        else:
            rest.append(m)
    return groups, rest


def _batch(chart: str, improvement: str, settings: spc.SPCSettings, group: list[Measure],
           series: list[list[DataPoint]], runs_analysis: bool | None = None, width: int | None = None) -> BatchResult:
    """width: pad shorter series in front with missing values to this many points."""
    ratio = chart in ("p", "u")
    width = width or len(series[0])

    def matrix(field: str) -> np.ndarray:
        out = np.full((len(series), width), np.nan)
        for i, s in enumerate(series):
            if s:
                out[i, width - len(s):] = [getattr(p, field) for p in s]
        return out

    values = matrix("numerator" if ratio else "value")
    dens = matrix("denominator") if ratio else None
    targets = np.array([m.target / m.multiplier if m.target is not None else np.nan for m in group])
    return analyse_many(values, chart=chart, denominators=dens, settings=settings, improvement=improvement,
                        target=targets, runs_analysis=runs_analysis)


def analyse_simple(measures: Sequence[Measure], points: dict[int, list[PointRow]],
                   phases: dict[int, list[MeasurePhase]], config: SPCConfig) -> dict[int, spc.SPCResult]:
    """The analyses of the measures the batch path can read, many at a time (the nightly run). A group with
    bad data is left out: its measures are then read one by one, which says which point is wrong."""
    out: dict[int, spc.SPCResult] = {}
    groups, _ = _simple_groups(measures, points, phases, config)
    merged: dict[tuple, list[Measure]] = defaultdict(list)
    for (chart, _length, improvement, settings), group in groups.items():
        merged[(chart, improvement, settings)] += group  # lengths apart: padded in front
    for (chart, improvement, settings), group in merged.items():
        series = [sorted(points[m.pk], key=lambda p: p.period_start) for m in group]
        width = max(len(s) for s in series)
        try:
            res = _batch(chart, improvement, settings, group, series, runs_analysis=True, width=width)
        except spc.SPCValidationError:
            continue
        for j, m in enumerate(group):
            out[m.pk] = res.series(j, target=m.target, multiply=m.multiplier, start=width - len(series[j]))
    return out


def summarise(measures: Sequence[Measure], points: dict[int, list[DataPoint]],
              phases: dict[int, list[MeasurePhase]], config: SPCConfig) -> list[SummaryRow]:
    """Latest value, icons and a sparkline for each measure. Simple series (no phases or exclusions, a chart
    the vectorised engine covers) are read many at a time with spc.batch; the rest one by one."""
    rows: dict[int, SummaryRow] = {}
    groups, rest = _simple_groups(measures, points, phases, config)
    for m in rest:
        pts = points.get(m.pk, [])
        out = chart_for(m, pts, phases.get(m.pk, []), config, with_figure=False)
        rows[m.pk] = _row(m, pts, out.latest_value, out.latest_period, out.variation_icon, out.assurance_icon,
                          out.trial_limits, out.error)
    for (chart, _length, improvement, settings), group in groups.items():
        series = [points[m.pk] for m in group]
        try:
            res = _batch(chart, improvement, settings, group, series)
        except spc.SPCValidationError:
            for m in group:  # one bad series spoils a batch: read them one by one to say which
                out = chart_for(m, points[m.pk], [], config, with_figure=False)
                rows[m.pk] = _row(m, points[m.pk], out.latest_value, out.latest_period, out.variation_icon,
                                  out.assurance_icon, out.trial_limits, out.error)
            continue
        for j, m in enumerate(group):
            y = res.y[j]
            present = np.flatnonzero(~np.isnan(y))
            last = int(present[-1]) if present.size else None
            a = int(res.assurance[j])
            v = int(res.variation_icon[j])
            rows[m.pk] = _row(
                m, series[j], float(y[last]) * m.multiplier if last is not None else None,
                series[j][last].period_start if last is not None else None,
                VARIATION_ICONS[v] if v >= 0 else None, ASSURANCE_ICON[ASSURANCE_CODES[a]] if a >= 0 else None,
                chart != "run" and int(present.size) < settings.min_points_for_limits)
    return [rows[m.pk] for m in measures]


def _row(m: Measure, pts: Sequence[DataPoint], latest: float | None, period: dt.date | None,
         variation: str | None, assurance: str | None, trial: bool, error: str = "") -> SummaryRow:
    return SummaryRow(m, latest, period, variation, assurance, len(pts), trial, _plotted(m, pts[-SPARK_POINTS:]),
                      error)


@dataclass(slots=True)
class PointRow:
    """What the summary reads of a data point."""

    period_start: dt.date
    value: float | None
    numerator: float | None
    denominator: float | None
    observations: list[float] | None
    excluded: bool
