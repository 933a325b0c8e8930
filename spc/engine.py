"""The SPC engine: one series in, centre lines, limits, signals and icons out.

Entry point: :func:`analyse`. Pure Python + numpy; no Django.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from .errors import SPCValidationError
from .icons import ASSURANCE_CODES, ASSURANCE_ICON, VARIATION_ICONS, assurance_codes, last_points, variation_codes
from .limits import CHARTS, PhaseData, PhaseLimits, phase_limits
from .rules import (
    COMMON,
    CONCERN,
    IMPROVEMENT,
    IMPROVEMENT_SIGN,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
    POINT_TYPES,
    RULE_OUTSIDE,
    Position,
    RunsStats,
    combine,
    outside_rule,
    point_types,
    position,
    rule_label,
    runs_rows,
    sequence_rules,
)
from .settings import SPCSettings
from .stats import exact_mean, exact_sum

Improvement = Literal["increase", "decrease", "neutral"]

CHART_ALIASES = {"xmr": "i", "pprime": "pp", "uprime": "up", "x": "i"}
# Charts whose statistic is a ratio numerator / denominator (denominators required).
RATIO_CHARTS = ("p", "pp", "u", "up")
COUNT_CHARTS = ("p", "pp", "u", "up", "c", "g")
# Charts whose points are several observations per period.
SUBGROUP_CHARTS = ("xbar", "s")

__all__ = ["ASSURANCE_ICON", "COMMON", "CONCERN", "IMPROVEMENT", "NEUTRAL_HIGH", "NEUTRAL_LOW", "VARIATION_ICONS",
           "PhaseSummary", "SPCResult", "analyse"]


@dataclass
class PhaseSummary:
    """One phase (a rebase group / qicharts2 part)."""

    index: int
    start: int  # first row, 0-based
    stop: int  # one past the last row
    n_points: int  # rows, missing ones too
    n_values: int  # non-missing rows
    n_baseline: int  # non-missing rows the centre line and limits were made from
    cl: float | None  # of the phase's first row (limits of p/u charts vary per point)
    lcl: float | None
    ucl: float | None
    trial_limits: bool  # fewer baseline points than settings.min_points_for_limits
    runs: RunsStats
    n_common: int
    n_improvement: int
    n_concern: int
    n_neutral: int
    variation_type: str  # point type of the phase's last row


@dataclass
class SPCResult:
    """Per-point arrays (NaN = no value) and per-phase summaries of one analysed series."""

    chart: str
    method: str
    improvement: str
    target: float | None
    multiply: float
    y: np.ndarray  # plotted statistic (after `multiply`)
    n: np.ndarray  # denominators per point (NaN when none were given)
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray  # 2-sigma lines
    ucl_95: np.ndarray
    phase: np.ndarray  # int, 0-based phase of each point
    baseline: np.ndarray  # bool: inside the frozen baseline
    included: np.ndarray  # bool: not excluded by the user
    missing: np.ndarray  # bool: no value at this point
    relative_to_mean: np.ndarray  # float: -1, 0, +1, NaN where unknown
    outside: np.ndarray  # bool: strictly beyond the 3-sigma limits
    close_to_limits: np.ndarray  # bool: strictly between the 2- and 3-sigma lines
    sigma_signal: np.ndarray  # bool (qicharts2 sigma.signal)
    runs_signal: np.ndarray  # bool, the phase's Anhøj signal repeated per point
    signal: np.ndarray  # int8: +1 special cause high, -1 low, 0 none
    rule: list[str | None]  # which rule made the signal ("Above UCL", "7 Points Below CL", ...)
    point_type: list[str]  # common_cause / special_cause_improvement / _concern / _neutral_high|low
    phases: list[PhaseSummary]
    variation_type: str | None
    variation_icon: str | None
    assurance_type: str | None
    assurance_icon: str | None
    last_index: int | None  # the point the icons were read from
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.y.size)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (None for missing numbers)."""

        def fl(a: np.ndarray) -> list[float | None]:
            return [None if math.isnan(v) else v for v in a.tolist()]

        out: dict[str, Any] = {
            "chart": self.chart, "method": self.method, "improvement": self.improvement,
            "target": self.target, "multiply": self.multiply,
            "y": fl(self.y), "cl": fl(self.cl), "lcl": fl(self.lcl), "ucl": fl(self.ucl),
            "lcl_95": fl(self.lcl_95), "ucl_95": fl(self.ucl_95), "n": fl(self.n),
            "phase": self.phase.tolist(), "baseline": self.baseline.tolist(),
            "included": self.included.tolist(), "missing": self.missing.tolist(),
            "signal": self.signal.tolist(), "rule": list(self.rule), "point_type": list(self.point_type),
            "sigma_signal": self.sigma_signal.tolist(), "runs_signal": self.runs_signal.tolist(),
            "variation_type": self.variation_type, "variation_icon": self.variation_icon,
            "assurance_type": self.assurance_type, "assurance_icon": self.assurance_icon,
            "warnings": list(self.warnings),
            "phases": [],
        }
        for p in self.phases:
            d = dict(p.__dict__)
            d["runs"] = dict(p.runs.__dict__)
            out["phases"].append(d)
        return out


# --------------------------------------------------------------------------- validation


def _as_float_array(values: Any, what: str) -> np.ndarray:
    """Numbers and None/NaN (missing) to a float array; anything else is a readable error."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        arr = values.astype(float).ravel() if values.ndim <= 1 else None
        if arr is None:
            raise SPCValidationError(f"The {what} must be a flat list of numbers.")
    else:
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
            try:
                values = list(values)
            except TypeError:
                raise SPCValidationError(f"The {what} must be a list of numbers.") from None
        out = []
        for i, v in enumerate(values):
            if v is None:
                out.append(math.nan)
            elif isinstance(v, Decimal):  # Django DecimalField values
                out.append(float(v))
            elif isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise SPCValidationError(
                    f"The {what} must be numbers: item {i + 1} is {v!r}, which is not a number.")
            else:
                out.append(float(v))
        arr = np.array(out, dtype=float)
    bad = np.isinf(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SPCValidationError(f"The {what} must be finite: item {i + 1} is {arr[i]}.")
    return arr


def _index_list(values: Any, what: str) -> list[int]:
    out = []
    for v in values or ():
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise SPCValidationError(f"{what} must be whole-number positions, not {v!r}.")
        if v < 0:
            raise SPCValidationError(f"{what} must be positions counted from 0, not {v}.")
        out.append(int(v))
    return out


def _aggregate(y: np.ndarray, n: np.ndarray | None, subgroups: Sequence[Hashable]) -> tuple[np.ndarray, ...]:
    """qicharts2 qic.agg: one row per distinct subgroup key, in sorted order of the keys."""
    if len(subgroups) != y.size:
        raise SPCValidationError(
            f"There are {y.size} values but {len(subgroups)} subgroup labels; they must match one to one.")
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(subgroups):
        if key is None or (isinstance(key, float) and math.isnan(key)):
            continue  # rows without a subgroup are dropped, as rows with NA x in qicharts2
        groups.setdefault(key, []).append(i)
    try:
        keys = sorted(groups)
    except TypeError:
        raise SPCValidationError("Subgroup labels must all be of one kind (all numbers, dates or texts).") from None
    k = len(keys)
    y_sum, y_len, y_mean, y_sd, nn, yy = (np.full(k, math.nan) for _ in range(6))
    for j, key in enumerate(keys):
        idx = groups[key]
        v = y[idx]
        ok = v[~np.isnan(v)]
        y_len[j] = ok.size
        # sum(y, na.rm = length(y) > 1): a subgroup of one missing value stays missing.
        y_sum[j] = math.fsum(ok.tolist()) if (len(idx) > 1 or ok.size) else math.nan
        y_mean[j] = exact_mean(v)
        if ok.size >= 2:
            m = y_mean[j]
            y_sd[j] = math.sqrt(math.fsum(((ok - m) ** 2).tolist()) / (ok.size - 1))
        if n is not None:
            nn[j] = exact_sum(n[idx])
            yy[j] = exact_sum(v) / nn[j] if nn[j] > 0 else math.nan
        else:
            yy[j] = y_mean[j]
    return yy, y_sum, y_len, y_sd, nn


# --------------------------------------------------------------------------- analysis


def analyse(
    values: Sequence[float | None] | np.ndarray,
    *,
    chart: str,
    denominators: Sequence[float | None] | np.ndarray | None = None,
    subgroups: Sequence[Hashable] | None = None,
    phase_starts: Sequence[int] = (),
    freeze: int | None = None,
    exclude: Sequence[int] = (),
    settings: SPCSettings | None = None,
    improvement: Improvement = "increase",
    target: float | None = None,
    multiply: float = 1,
) -> SPCResult:
    """Analyse one series.

    values: measurements (i, run, t, g, xbar, s ...) or numerators (p, u, c); None/NaN = missing.
    denominators: required for p, pp, u, up; optional for ip and run (then y = values / n).
    subgroups: optional subgroup label per value (xbar/s); rows are aggregated by sorted label.
    phase_starts: 0-based row positions (after aggregation) where limits are recalculated.
    freeze: the first `freeze` rows form the baseline for the centre line and limits (within
        the first phase; within every phase when settings.freeze_each_phase).
    exclude: rows kept on the chart but left out of the centre line, limits and run rules.
    """
    settings = settings or SPCSettings()
    chart, target = _check_options(chart, improvement, target, multiply, freeze)
    if settings.method == "ihi" and chart != "run":
        raise SPCValidationError("The IHI rules read run charts only; choose Making Data Count or Anhøj rules for "
                                 f"a {chart} chart.")
    # Degenerate arithmetic (0/0, overflow on extreme ratios) is expected and becomes NaN, which
    # the rules treat as "no value"; numpy's warnings about it would only be noise.
    with np.errstate(all="ignore"):
        rows = _rows(*_check_values(values, denominators, chart), subgroups)
        layout = _layout(rows.y.size, phase_starts, freeze, exclude, settings)
        lines, runs = _lines(chart, rows, layout, settings)
        scaled = _scaled(lines, multiply)
        pos = position(scaled.y, scaled.cl, scaled.lcl, scaled.ucl, scaled.lcl_95, scaled.ucl_95,
                       rel=np.sign(lines.y - lines.cl))
        signal, codes = _signals(chart, settings, improvement, lines.y, pos, layout, runs)
    if np.isinf(scaled.y).any():
        raise SPCValidationError("The values are too large to analyse (a ratio or a scaled value overflows).")
    return _result(chart, settings, improvement, target, multiply, rows, layout, scaled, pos, runs, signal, codes)


@dataclass
class _Rows:
    """The series after aggregation: one row per point of the chart."""

    y: np.ndarray
    y_sum: np.ndarray
    y_len: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray
    got_n: bool


@dataclass
class _Layout:
    bounds: list[tuple[int, int]]  # (start, stop) of each phase
    phase: np.ndarray
    included: np.ndarray
    baseline: np.ndarray

    def inc(self, s: int, e: int) -> tuple[slice | np.ndarray, int]:
        """The included rows of a phase (a slice when that is all of them) and how many there are."""
        if self.all_included:
            return slice(s, e), e - s
        idx = np.flatnonzero(self.included[s:e]) + s
        return idx, int(idx.size)

    @property
    def all_included(self) -> bool:
        return bool(self.included.all())


def _is_number(v: object) -> bool:
    return not isinstance(v, bool) and isinstance(v, numbers.Real)


def _check_options(chart: object, improvement: object, target: object, multiply: object,
                   freeze: object) -> tuple[str, float | None]:
    if not isinstance(chart, str) or CHART_ALIASES.get(chart, chart) not in CHARTS:
        raise SPCValidationError(f"Unknown chart type {chart!r}. Known: {', '.join(CHARTS)}.")
    if improvement not in ("increase", "decrease", "neutral"):
        raise SPCValidationError("improvement must be 'increase', 'decrease' or 'neutral'.")
    if target is not None and (not _is_number(target) or not math.isfinite(target)):  # type: ignore[arg-type]
        raise SPCValidationError(f"The target must be a finite number, not {target!r}.")
    if not _is_number(multiply) or not (0 < multiply < math.inf):  # type: ignore[operator]
        raise SPCValidationError(f"multiply must be a positive number, not {multiply!r}.")
    if freeze is not None and (isinstance(freeze, bool) or not isinstance(freeze, numbers.Integral) or freeze < 1):
        raise SPCValidationError(f"freeze must be a whole number of points (at least 1), not {freeze!r}.")
    return CHART_ALIASES.get(chart, chart), None if target is None else float(target)  # type: ignore[arg-type]


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_values(values: Any, denominators: Any, chart: str) -> tuple[np.ndarray, np.ndarray | None]:
    y = _as_float_array(values, "values")
    n = None if denominators is None else _as_float_array(denominators, "denominators")
    if n is not None and n.size != y.size:
        raise SPCValidationError(
            f"There are {y.size} values but {n.size} denominators; they must match one to one.")
    if chart in RATIO_CHARTS and n is None:
        raise SPCValidationError(f"A {chart} chart needs denominators (the number of cases per point).")
    if n is not None:
        if np.any(n < 0):
            i = _first_bad(n < 0)
            raise SPCValidationError(f"Denominators cannot be negative: item {i + 1} is {n[i]:g}.")
        # qicharts2: a row whose value or denominator is missing is missing as a whole.
        gone = np.isnan(y) | np.isnan(n)
        y, n = np.where(gone, math.nan, y), np.where(gone, math.nan, n)
    if chart in COUNT_CHARTS and np.any(y < 0):
        i = _first_bad(y < 0)
        raise SPCValidationError(f"A {chart} chart counts events, which cannot be negative: item {i + 1} is "
                                 f"{y[i]:g}.")
    if chart in ("p", "pp") and n is not None and np.any(y > n):
        i = _first_bad(y > n)
        raise SPCValidationError(f"In a p chart the numerator cannot exceed the denominator: item {i + 1} is "
                                 f"{y[i]:g} out of {n[i]:g}.")
    if chart == "t" and np.any(y <= 0):
        i = _first_bad(y <= 0)
        raise SPCValidationError(f"A t chart needs times between events greater than zero: item {i + 1} is "
                                 f"{y[i]:g}.")
    return y, n


def _rows(y_raw: np.ndarray, n_raw: np.ndarray | None, subgroups: Sequence[Hashable] | None) -> _Rows:
    got_n = n_raw is not None
    if subgroups is not None:
        return _Rows(*_aggregate(y_raw, n_raw, list(subgroups)), got_n=got_n)
    y_len = (~np.isnan(y_raw)).astype(float)
    y_sd = np.full(y_raw.size, math.nan)
    if n_raw is None:
        return _Rows(y_raw.copy(), y_raw.copy(), y_len, y_sd, np.full(y_raw.size, math.nan), got_n)
    n = np.where(np.isnan(n_raw), 0.0, n_raw)  # qicharts2: sum(n, na.rm = TRUE) -> 0
    # A zero denominator leaves the point missing (R would plot 0/0 as NA, k/0 as Inf).
    y = np.where(n > 0, y_raw / np.where(n > 0, n, 1), math.nan)
    return _Rows(y, y_raw.copy(), y_len, y_sd, n, got_n)


def _layout(k: int, phase_starts: Sequence[int], freeze: int | None, exclude: Sequence[int],
            settings: SPCSettings) -> _Layout:
    starts = sorted({0, *[s for s in _index_list(phase_starts, "Phase starts") if s < k]}) if k else [0]
    phase = np.zeros(k, dtype=np.int64)
    for j, s in enumerate(starts):
        phase[s:] = j
    bounds = list(zip(starts, [*starts[1:], k]))
    included = np.ones(k, dtype=bool)
    excluded = [i for i in _index_list(exclude, "Excluded points") if i < k]
    included[excluded] = False
    baseline = np.ones(k, dtype=bool)
    if freeze is not None:
        for j, (s, e) in enumerate(bounds):
            if settings.freeze_each_phase:
                baseline[s + freeze:e] = False
            elif j == 0:
                baseline[min(freeze, e):e] = False
    return _Layout(bounds, phase, included, baseline)


@dataclass
class _Runs:
    stats: list[RunsStats]  # per phase
    signal: np.ndarray  # bool per point: its phase's runs signal
    long_side: np.ndarray  # int8 per point: side of a too-long run


def _lines(chart: str, rows: _Rows, layout: _Layout, settings: SPCSettings) -> tuple[PhaseLimits, _Runs]:
    """Centre lines and limits phase by phase, and each phase's runs analysis of its included points."""
    k = rows.y.size
    lines = PhaseLimits(*(np.full(k, math.nan) for _ in range(6))) if len(layout.bounds) > 1 else None
    runs = _Runs([], np.zeros(k, dtype=bool), np.zeros(k, dtype=np.int8))
    for s, e in layout.bounds:
        sl = slice(s, e)
        d = PhaseData(rows.y[sl], rows.y_sum[sl], rows.n[sl], rows.y_len[sl], rows.y_sd[sl],
                      layout.baseline[sl] & layout.included[sl], rows.got_n)
        lim = phase_limits(chart, d, settings)
        if lines is None:
            lines = lim
        else:
            for name in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
                getattr(lines, name)[sl] = getattr(lim, name)
        inc, n_inc = layout.inc(s, e)
        local = slice(0, e - s) if isinstance(inc, slice) else inc - s
        rr = runs_rows(lim.y[local][None, :], lim.cl[local][None, :], settings.method)
        stats = rr.stats(0, n_inc)
        runs.stats.append(stats)
        if chart != "mr":  # qicharts2 never reports a runs signal on the moving-range chart
            runs.signal[sl] = stats.signal
            runs.long_side[inc] = rr.long_side[0]
    assert lines is not None
    return lines, runs


def _scaled(lines: PhaseLimits, multiply: float) -> PhaseLimits:
    out = PhaseLimits(*(a * multiply if multiply != 1 else a.copy() for a in
                        (lines.y, lines.cl, lines.lcl, lines.ucl, lines.lcl_95, lines.ucl_95)))
    for a in (out.cl, out.lcl, out.ucl, out.lcl_95, out.ucl_95):
        a[~np.isfinite(a)] = math.nan  # "remove control lines" that are not finite (qicharts2)
    return out


def _signals(chart: str, settings: SPCSettings, improvement: str, y: np.ndarray, pos: Position,
             layout: _Layout, runs: _Runs) -> tuple[np.ndarray, np.ndarray]:
    """Per point: the signal direction and the rule code that made it. The outside-limits rule reads every
    point; the sequence rules read the included points of each phase (excluded ones are skipped, as in a
    runs analysis)."""
    k = y.size
    seq: dict[int, np.ndarray] = {}
    for s, e in layout.bounds:
        inc, n_inc = layout.inc(s, e)
        if n_inc == 0:
            continue
        sub = Position(pos.rel[inc][None, :], pos.above[inc][None, :], pos.outside[inc][None, :],
                       pos.close[inc][None, :], pos.known[inc][None, :])
        for code, d in sequence_rules(settings, chart, y[inc][None, :], sub, runs.long_side[inc][None, :]):
            seq.setdefault(code, np.zeros(k, dtype=np.int8))[inc] = d[0]
    hits = [(code, d[None, :]) for code, d in [(RULE_OUTSIDE, outside_rule(settings, pos)), *seq.items()]]
    signal, codes = combine(hits, (1, k), improvement, settings)
    return signal[0], codes[0]


def assemble(chart: str, settings: SPCSettings, improvement: str, target: float | None, multiply: float,
             lines: PhaseLimits, n: np.ndarray | None, pos: Position, runs: RunsStats, long_side: np.ndarray,
             signal: np.ndarray, codes: np.ndarray) -> SPCResult:
    """The result of one single-phase series whose steps ran elsewhere (spc.batch, many series at once),
    put together exactly as analyse puts its own together. `lines` are unscaled; `multiply` scales them."""
    k = lines.y.size
    got_n = n is not None
    rows = _Rows(lines.y, lines.y, lines.y, lines.y, n if n is not None else np.full(k, math.nan), got_n)
    layout = _layout(k, (), None, (), settings)
    phase_runs = _Runs([runs], np.full(k, runs.signal and chart != "mr"), long_side)
    with np.errstate(all="ignore"):
        scaled = _scaled(lines, multiply)
    return _result(chart, settings, improvement, target, multiply, rows, layout, scaled, pos, phase_runs, signal,
                   codes)


def _result(chart: str, settings: SPCSettings, improvement: str, target: float | None, multiply: float,
            rows: _Rows, layout: _Layout, lines: PhaseLimits, pos: Position, runs: _Runs, signal: np.ndarray,
            codes: np.ndarray) -> SPCResult:
    k = lines.y.size
    imp = IMPROVEMENT_SIGN[improvement]
    type_codes = point_types(signal[None, :], improvement)[0]
    ptype = [POINT_TYPES[c] for c in type_codes.tolist()]
    rule: list[str | None] = [None] * k
    for i in np.flatnonzero(codes).tolist():
        lmax = runs.stats[layout.phase[i]].longest_run_max
        rule[i] = rule_label(int(codes[i]), int(signal[i]), settings, lmax)
    missing = np.isnan(lines.y)
    phases = _phase_summaries(chart, settings, layout, lines, missing, runs, ptype)
    has, last_at = last_points(missing[None, :], settings.icon_skips_missing)
    last = int(last_at[0]) if has[0] else None
    variation_type = variation_icon = assurance_type = assurance_icon = None
    if last is not None:
        variation_type = ptype[last]
        variation_icon = VARIATION_ICONS[variation_codes(type_codes[[last]], has, imp)[0]]
        if target is not None and imp != 0 and chart != "run":
            a = assurance_codes(np.array([target]), lines.lcl[[last]], lines.ucl[[last]], has, imp)[0]
            assurance_type = ASSURANCE_CODES[a]
            assurance_icon = ASSURANCE_ICON[assurance_type]
    return SPCResult(
        chart=chart, method=settings.method, improvement=improvement, target=target, multiply=float(multiply),
        y=lines.y, n=rows.n if rows.got_n else np.full(k, math.nan), cl=lines.cl, lcl=lines.lcl, ucl=lines.ucl,
        lcl_95=lines.lcl_95, ucl_95=lines.ucl_95, phase=layout.phase, baseline=layout.baseline,
        included=layout.included, missing=missing, relative_to_mean=pos.rel, outside=pos.outside,
        close_to_limits=pos.close & pos.known, sigma_signal=pos.outside, runs_signal=runs.signal, signal=signal,
        rule=rule, point_type=ptype, phases=phases, variation_type=variation_type, variation_icon=variation_icon,
        assurance_type=assurance_type, assurance_icon=assurance_icon, last_index=last,
        warnings=_warnings(phases, settings, missing),
    )


def _phase_summaries(chart: str, settings: SPCSettings, layout: _Layout, lines: PhaseLimits, missing: np.ndarray,
                     runs: _Runs, ptype: list[str]) -> list[PhaseSummary]:
    out = []
    for j, (s, e) in enumerate(layout.bounds):
        sl = slice(s, e)
        pts = ptype[s:e]
        nb = int(np.sum(layout.baseline[sl] & layout.included[sl] & ~missing[sl]))
        first = [None if e <= s or math.isnan(a[s]) else float(a[s]) for a in (lines.cl, lines.lcl, lines.ucl)]
        out.append(PhaseSummary(
            index=j, start=s, stop=e, n_points=e - s, n_values=int(np.sum(~missing[sl])), n_baseline=nb,
            cl=first[0], lcl=first[1], ucl=first[2],
            trial_limits=chart != "run" and nb < settings.min_points_for_limits, runs=runs.stats[j],
            n_common=pts.count(COMMON), n_improvement=pts.count(IMPROVEMENT), n_concern=pts.count(CONCERN),
            n_neutral=pts.count(NEUTRAL_HIGH) + pts.count(NEUTRAL_LOW),
            variation_type=pts[-1] if pts else COMMON,
        ))
    return out


def _warnings(phases: list[PhaseSummary], settings: SPCSettings, missing: np.ndarray) -> list[str]:
    out = [f"Phase {p.index + 1} has {p.n_baseline} points for its limits "
           f"(fewer than {settings.min_points_for_limits}): trial limits."
           for p in phases if p.trial_limits and p.n_points]
    if missing.size and missing.all():
        out.append("Every value is missing.")
    return out
