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
from .limits import CHARTS, PhaseData, phase_limits
from .rules import RunsStats, runs_analysis, shift_rule, trend_rule, two_of_three_rule
from .settings import SPCSettings
from .stats import exact_mean, exact_sum

Improvement = Literal["increase", "decrease", "neutral"]

CHART_ALIASES = {"xmr": "i", "pprime": "pp", "uprime": "up", "x": "i"}
# Charts whose statistic is a ratio numerator / denominator (denominators required).
RATIO_CHARTS = ("p", "pp", "u", "up")
COUNT_CHARTS = ("p", "pp", "u", "up", "c", "g")

COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"


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
    # Degenerate arithmetic (0/0, overflow on extreme ratios) is expected and becomes NaN, which
    # the rules treat as "no value"; numpy's warnings about it would only be noise.
    with np.errstate(all="ignore"):
        result = _analyse(values, chart=chart, denominators=denominators, subgroups=subgroups,
                          phase_starts=phase_starts, freeze=freeze, exclude=exclude, settings=settings,
                          improvement=improvement, target=target, multiply=multiply)
    if np.isinf(result.y).any():
        raise SPCValidationError("The values are too large to analyse (a ratio or a scaled value overflows).")
    return result


def _analyse(
    values: Sequence[float | None] | np.ndarray,
    *,
    chart: str,
    denominators: Sequence[float | None] | np.ndarray | None,
    subgroups: Sequence[Hashable] | None,
    phase_starts: Sequence[int],
    freeze: int | None,
    exclude: Sequence[int],
    settings: SPCSettings | None,
    improvement: Improvement,
    target: float | None,
    multiply: float,
) -> SPCResult:
    settings = settings or SPCSettings()
    if not isinstance(chart, str) or CHART_ALIASES.get(chart, chart) not in CHARTS:
        raise SPCValidationError(f"Unknown chart type {chart!r}. Known: {', '.join(CHARTS)}.")
    chart = CHART_ALIASES.get(chart, chart)
    if improvement not in ("increase", "decrease", "neutral"):
        raise SPCValidationError("improvement must be 'increase', 'decrease' or 'neutral'.")
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, numbers.Real) or not math.isfinite(target):
            raise SPCValidationError(f"The target must be a finite number, not {target!r}.")
        target = float(target)
    if isinstance(multiply, bool) or not isinstance(multiply, numbers.Real) or not (0 < multiply < math.inf):
        raise SPCValidationError(f"multiply must be a positive number, not {multiply!r}.")
    if freeze is not None and (isinstance(freeze, bool) or not isinstance(freeze, numbers.Integral) or freeze < 1):
        raise SPCValidationError(f"freeze must be a whole number of points (at least 1), not {freeze!r}.")

    y_raw = _as_float_array(values, "values")
    n_raw = None if denominators is None else _as_float_array(denominators, "denominators")
    if n_raw is not None and n_raw.size != y_raw.size:
        raise SPCValidationError(
            f"There are {y_raw.size} values but {n_raw.size} denominators; they must match one to one.")
    if chart in RATIO_CHARTS and n_raw is None:
        raise SPCValidationError(f"A {chart} chart needs denominators (the number of cases per point).")
    if n_raw is not None:
        if np.any(n_raw < 0):
            i = int(np.flatnonzero(n_raw < 0)[0])
            raise SPCValidationError(f"Denominators cannot be negative: item {i + 1} is {n_raw[i]:g}.")
        # qicharts2: a row whose value or denominator is missing is missing as a whole.
        gone = np.isnan(y_raw) | np.isnan(n_raw)
        y_raw = np.where(gone, math.nan, y_raw)
        n_raw = np.where(gone, math.nan, n_raw)
    if chart in COUNT_CHARTS and np.any(y_raw < 0):
        i = int(np.flatnonzero(y_raw < 0)[0])
        raise SPCValidationError(f"A {chart} chart counts events, which cannot be negative: item {i + 1} is "
                                 f"{y_raw[i]:g}.")
    if chart in ("p", "pp") and n_raw is not None and np.any(y_raw > n_raw):
        i = int(np.flatnonzero(y_raw > n_raw)[0])
        raise SPCValidationError(f"In a p chart the numerator cannot exceed the denominator: item {i + 1} is "
                                 f"{y_raw[i]:g} out of {n_raw[i]:g}.")
    if chart == "t" and np.any(y_raw <= 0):
        i = int(np.flatnonzero(y_raw <= 0)[0])
        raise SPCValidationError(f"A t chart needs times between events greater than zero: item {i + 1} is "
                                 f"{y_raw[i]:g}.")

    got_n = n_raw is not None
    if subgroups is not None:
        y, y_sum, y_len, y_sd, n = _aggregate(y_raw, n_raw, list(subgroups))
    else:
        y_len = (~np.isnan(y_raw)).astype(float)
        y_sum = y_raw.copy()
        y_sd = np.full(y_raw.size, math.nan)
        if got_n:
            assert n_raw is not None
            n = np.where(np.isnan(n_raw), 0.0, n_raw)  # qicharts2: sum(n, na.rm = TRUE) -> 0
            with np.errstate(invalid="ignore", divide="ignore"):
                # A zero denominator leaves the point missing (R would plot 0/0 as NA, k/0 as Inf).
                y = np.where(n > 0, y_raw / np.where(n > 0, n, 1), math.nan)
        else:
            n = np.full(y_raw.size, math.nan)
            y = y_raw.copy()
    k = y.size

    starts = sorted({0, *[s for s in _index_list(phase_starts, "Phase starts") if s < k]}) if k else [0]
    phase = np.zeros(k, dtype=np.int64)
    for j, s in enumerate(starts):
        phase[s:] = j
    bounds = list(zip(starts, [*starts[1:], k]))
    excl = set(_index_list(exclude, "Excluded points"))
    included = np.array([i not in excl for i in range(k)], dtype=bool)
    baseline = np.ones(k, dtype=bool)
    if freeze is not None:
        for j, (s, e) in enumerate(bounds):
            if settings.freeze_each_phase:
                baseline[s + freeze:e] = False
            elif j == 0:
                baseline[min(freeze, e):e] = False

    cl = np.full(k, math.nan)
    lcl, ucl, l95, u95, yplot = (np.full(k, math.nan) for _ in range(5))
    runs_sig = np.zeros(k, dtype=bool)
    long_side = np.zeros(k, dtype=np.int8)
    runs_stats: list[RunsStats] = []
    for s, e in bounds:
        sl = slice(s, e)
        d = PhaseData(y[sl], y_sum[sl], n[sl], y_len[sl], y_sd[sl], baseline[sl] & included[sl], got_n)
        lim = phase_limits(chart, d, settings)
        yplot[sl], cl[sl], lcl[sl], ucl[sl], l95[sl], u95[sl] = lim.y, lim.cl, lim.lcl, lim.ucl, lim.lcl_95, lim.ucl_95
        inc = np.flatnonzero(included[sl]) + s
        stats, side = runs_analysis(yplot[inc], cl[inc])
        runs_stats.append(stats)
        if chart != "mr":  # qicharts2 never reports a runs signal on the moving-range chart
            runs_sig[sl] = stats.signal
            long_side[inc] = side

    y_unscaled, cl_unscaled = yplot, cl
    scaled = [a * multiply if multiply != 1 else a.copy() for a in (yplot, cl, lcl, ucl, l95, u95)]
    y_out, cl_out, lcl, ucl, l95, u95 = scaled
    for a in (cl_out, lcl, ucl, l95, u95):
        a[~np.isfinite(a)] = math.nan  # "remove control lines" that are not finite (qicharts2)
    missing = np.isnan(y_out)
    with np.errstate(invalid="ignore"):
        sigma = (y_out > ucl) | (y_out < lcl)
        rel = np.sign(y_unscaled - cl_unscaled)
        close = ~sigma & ((y_out < l95) | (y_out > u95))
    close_known = ~missing & ((~np.isnan(l95) & ~np.isnan(u95)) | close)

    signal, rule, ptype = _classify(chart, settings, improvement, bounds, included, y_unscaled, rel, sigma, close,
                                    close_known, sigma & (y_out > ucl), long_side, runs_stats)

    phases: list[PhaseSummary] = []
    for j, (s, e) in enumerate(bounds):
        sl = slice(s, e)
        pts = ptype[s:e]
        nb = int(np.sum(baseline[sl] & included[sl] & ~missing[sl]))
        first = s if e > s else None

        def at(a: np.ndarray, i: int | None = first) -> float | None:
            return None if i is None or math.isnan(a[i]) else float(a[i])

        phases.append(PhaseSummary(
            index=j, start=s, stop=e, n_points=e - s, n_values=int(np.sum(~missing[sl])), n_baseline=nb,
            cl=at(cl_out), lcl=at(lcl), ucl=at(ucl),
            trial_limits=chart != "run" and nb < settings.min_points_for_limits,
            runs=runs_stats[j],
            n_common=pts.count(COMMON), n_improvement=pts.count(IMPROVEMENT), n_concern=pts.count(CONCERN),
            n_neutral=pts.count(NEUTRAL_HIGH) + pts.count(NEUTRAL_LOW),
            variation_type=pts[-1] if pts else COMMON,
        ))

    last: int | None = k - 1 if k else None
    if settings.icon_skips_missing:
        present = np.flatnonzero(~missing)
        last = int(present[-1]) if present.size else None
    variation_type = variation_icon = assurance_type = assurance_icon = None
    if last is not None:
        variation_type = ptype[last]
        variation_icon = variation_icon_for(variation_type, improvement)
        if target is not None and improvement != "neutral" and chart != "run":
            assurance_type = assurance_for(target, float(lcl[last]), float(ucl[last]), improvement)
            assurance_icon = ASSURANCE_ICON[assurance_type]

    warnings = []
    for p in phases:
        if p.trial_limits and p.n_points:
            warnings.append(f"Phase {p.index + 1} has {p.n_baseline} points for its limits "
                            f"(fewer than {settings.min_points_for_limits}): trial limits.")
    if k and missing.all():
        warnings.append("Every value is missing.")

    return SPCResult(
        chart=chart, method=settings.method, improvement=improvement, target=target, multiply=float(multiply),
        y=y_out, n=n if got_n else np.full(k, math.nan), cl=cl_out, lcl=lcl, ucl=ucl, lcl_95=l95, ucl_95=u95,
        phase=phase, baseline=baseline, included=included, missing=missing,
        relative_to_mean=rel, outside=sigma, close_to_limits=close & close_known, sigma_signal=sigma,
        runs_signal=runs_sig, signal=signal, rule=rule, point_type=ptype, phases=phases,
        variation_type=variation_type, variation_icon=variation_icon, assurance_type=assurance_type,
        assurance_icon=assurance_icon, last_index=last, warnings=warnings,
    )


def _classify(chart: str, settings: SPCSettings, improvement: str, bounds: list[tuple[int, int]],
              included: np.ndarray, y: np.ndarray, rel: np.ndarray, sigma: np.ndarray, close: np.ndarray,
              close_known: np.ndarray, above: np.ndarray, long_side: np.ndarray,
              runs_stats: list[RunsStats]) -> tuple[np.ndarray, list[str | None], list[str]]:
    """Per point: the signal direction, the rule that made it, and its MDC point type."""
    k = y.size
    cands: list[list[tuple[int, str]]] = [[] for _ in range(k)]
    imp = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]
    # 1. Outside the limits (both methods; evaluated for every point, excluded ones too).
    for i in np.flatnonzero(sigma).tolist():
        # ptd labels by the side of the mean; qicharts2 by which limit was crossed (the same point).
        up = rel[i] == 1 if settings.method == "mdc" else bool(above[i])
        cands[i].append((1, "Above UCL") if up else (-1, "Below LCL"))
    if settings.method == "mdc" and chart != "mr":
        L, T = settings.shift_length, settings.trend_length
        for s, e in bounds:
            inc = np.flatnonzero(included[s:e]) + s  # excluded points are skipped, as in a run analysis
            if inc.size == 0:
                continue
            tr = trend_rule(y[inc], T)
            tw = (two_of_three_rule(rel[inc], close[inc] & close_known[inc], close_known[inc])
                  if settings.two_of_three else np.zeros(inc.size, dtype=np.int8))
            sh = shift_rule(rel[inc], L)
            for j, i in enumerate(inc.tolist()):
                if tr[j]:
                    cands[i].append((int(tr[j]), f"{T} Point Trend ({'Increasing' if tr[j] > 0 else 'Decreasing'})"))
                if tw[j]:
                    cands[i].append((int(tw[j]), f"2 in 3 {'Above' if tw[j] > 0 else 'Below'} CL"))
                if sh[j]:
                    cands[i].append((int(sh[j]), f"{L} Points {'Above' if sh[j] > 0 else 'Below'} CL"))
    elif settings.method == "anhoej":
        for (s, e), st in zip(bounds, runs_stats):
            if not st.signal or chart == "mr":
                continue
            for i in range(s, e):
                if long_side[i]:
                    side = "above" if long_side[i] > 0 else "below"
                    cands[i].append((int(long_side[i]), f"Run of more than {st.longest_run_max} points {side} "
                                                        f"the centre line"))
    signal = np.zeros(k, dtype=np.int8)
    rule: list[str | None] = [None] * k
    ptype = [COMMON] * k
    for i, c in enumerate(cands):
        if not c:
            continue
        pick = c[0]
        if settings.precedence == "improvement" and imp != 0:
            better = [x for x in c if x[0] == imp]
            if better:
                pick = better[0]
        d, label = pick
        signal[i] = d
        rule[i] = label
        if imp == 0:
            ptype[i] = NEUTRAL_HIGH if d > 0 else NEUTRAL_LOW
        else:
            ptype[i] = IMPROVEMENT if d == imp else CONCERN
    return signal, rule, ptype


VARIATION_ICONS = ("common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low",
                   "neutral_high", "neutral_low")
ASSURANCE_ICON = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "inconsistent"}


def variation_icon_for(point_type: str, improvement: str) -> str:
    """NHSRplotthedots: the icon shows the direction of the values (high/low), not of the good."""
    if point_type == IMPROVEMENT:
        return "improvement_high" if improvement == "increase" else "improvement_low"
    if point_type == CONCERN:
        return "concern_low" if improvement == "increase" else "concern_high"
    if point_type == NEUTRAL_HIGH:
        return "neutral_high"
    if point_type == NEUTRAL_LOW:
        return "neutral_low"
    return "common_cause"


def assurance_for(target: float, lcl: float, ucl: float, improvement: str) -> str:
    """Is the target reliably met? Only when it lies strictly outside the process limits."""
    if target > ucl:  # NaN compares False: no limits -> inconsistent
        return "consistent_fail" if improvement == "increase" else "consistent_pass"
    if target < lcl:
        return "consistent_pass" if improvement == "increase" else "consistent_fail"
    return "inconsistent"
