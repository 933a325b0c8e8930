"""Vectorised analysis of many equal-length series of one chart type at once.

The nightly recompute analyses every chart of the organisation; doing that one series at a time
costs Python overhead per point. Here numpy works across rows (series) and loops only over the
few columns (points). Results agree with :func:`spc.analyse` (tests/spc/test_batch.py).

Scope: charts run, i, c, p, u; one phase per series, no freeze and no excluded points. Series
with phases, a frozen baseline or exclusions go through the per-series :func:`spc.analyse`.

Every step (limits, position, rules, icons) is the one the per-series engine uses, applied to all
rows at once: see spc.limits.many_limits, spc.rules and spc.icons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import SPCResult, assemble
from .errors import SPCValidationError
from .icons import ASSURANCE_CODES, VARIATION_ICONS, assurance_codes, last_points, variation_codes
from .limits import PhaseLimits, many_limits
from .rules import (
    IMPROVEMENT_SIGN,
    RULE_NAMES,
    RULE_OUTSIDE,
    Position,
    RunsRows,
    combine,
    outside_rule,
    point_types,
    position,
    runs_rows,
    sequence_rules,
)
from .settings import SPCSettings

BATCH_CHARTS = ("run", "i", "c", "p", "u")


@dataclass
class BatchResult:
    chart: str
    y: np.ndarray  # (series, points) plotted statistic, NaN = missing
    cl: np.ndarray  # (series, points)
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray
    signal: np.ndarray  # int8 (series, points): +1 high, -1 low, 0 none
    rule: np.ndarray  # int8 (series, points): index into RULE_NAMES
    point_type: np.ndarray  # int8: 0 common, 1 improvement, 2 concern, 3 neutral high, 4 neutral low
    variation_icon: np.ndarray  # int8 (series,): index into VARIATION_ICONS, -1 when no point
    assurance: np.ndarray  # int8 (series,): index into ASSURANCE_CODES, -1 when not assessed
    runs_signal: np.ndarray  # bool (series,): Anhøj runs signal (False when not computed)
    n_useful: np.ndarray  # int (series,), -1 when the runs analysis was not computed
    longest_run: np.ndarray  # int (series,), -1 when n_useful == 0
    n_crossings: np.ndarray  # int (series,), -1 when n_useful == 0
    # What series() needs to give one row as a full SPCResult.
    settings: SPCSettings | None = None
    improvement: str = "increase"
    n: np.ndarray | None = None  # denominators (0 where missing), p and u
    position: Position | None = None
    runs: RunsRows | None = None

    def series(self, j: int, *, target: float | None = None, multiply: float = 1, start: int = 0) -> SPCResult:
        """Row j as the SPCResult spc.analyse gives for it (figures and readings are made from that).
        target: in the units of the chart (after `multiply`), as for spc.analyse. start: the row's first
        point, when shorter series were padded in front with missing values to share a matrix (no rule
        reads a missing value, so the padding changes nothing of the points after it)."""
        assert self.settings is not None and self.position is not None and self.runs is not None
        assert self.n_useful[j] >= 0, "series() needs analyse_many(..., runs_analysis=True)"
        p, at = self.position, (j, slice(start, None))
        lines = PhaseLimits(self.y[at], self.cl[at], self.lcl[at], self.ucl[at], self.lcl_95[at], self.ucl_95[at])
        pos = Position(p.rel[at], p.above[at], p.outside[at], p.close[at], p.known[at])
        return assemble(self.chart, self.settings, self.improvement, target, multiply, lines,
                        None if self.n is None else self.n[at], pos, self.runs.stats(j, self.y.shape[1] - start),
                        self.runs.long_side[at], self.signal[at], self.rule[at])

    def variation_icons(self) -> list[str | None]:
        return [VARIATION_ICONS[i] if i >= 0 else None for i in self.variation_icon.tolist()]


def analyse_many(
    values: np.ndarray,
    *,
    chart: str,
    denominators: np.ndarray | None = None,
    settings: SPCSettings | None = None,
    improvement: str = "increase",
    target: float | np.ndarray | None = None,
    runs_analysis: bool | None = None,
) -> BatchResult:
    """Analyse a (series x points) matrix of one chart type; NaN marks a missing value.

    runs_analysis: compute the Anhøj run statistics (default: for the anhoej method and for run
    charts, where they are read; MDC control charts do not need them and skip the cost).
    """
    settings = settings or SPCSettings()
    v, n = _checked(values, denominators, chart, improvement)
    if settings.method == "ihi" and chart != "run":
        raise SPCValidationError("The IHI rules read run charts only.")
    with np.errstate(invalid="ignore", divide="ignore"):
        lines = _lines(chart, v, n, settings)
        pos = position(lines.y, lines.cl, lines.lcl, lines.ucl, lines.lcl_95, lines.ucl_95)
        if runs_analysis is None:
            runs_analysis = settings.method != "mdc" or chart == "run"
        runs = runs_rows(lines.y, lines.cl, settings.method) if runs_analysis else None
        hits = [(RULE_OUTSIDE, outside_rule(settings, pos)),
                *sequence_rules(settings, chart, lines.y, pos, None if runs is None else runs.long_side)]
        signal, rule = combine(hits, v.shape, improvement, settings)
    ptype = point_types(signal, improvement)
    variation, assurance = _icons(chart, lines, ptype, target, improvement, settings)
    S = v.shape[0]
    if runs is None:
        runs = RunsRows(np.zeros(S, dtype=bool), *(np.full(S, -1) for _ in range(5)), np.zeros(v.shape, np.int8))
    return BatchResult(chart, lines.y, lines.cl, lines.lcl, lines.ucl, lines.lcl_95, lines.ucl_95, signal, rule,
                       ptype, variation, assurance, runs.signal, runs.n_useful, runs.longest, runs.crossings,
                       settings, improvement, None if n is None else np.where(np.isnan(v) | np.isnan(n), 0.0, n),
                       pos, runs)


def _checked(values: np.ndarray, denominators: np.ndarray | None, chart: str, improvement: str
             ) -> tuple[np.ndarray, np.ndarray | None]:
    if chart not in BATCH_CHARTS:
        raise SPCValidationError(f"The batch path handles charts {', '.join(BATCH_CHARTS)}, not {chart!r}.")
    if improvement not in IMPROVEMENT_SIGN:
        raise SPCValidationError("improvement must be 'increase', 'decrease' or 'neutral'.")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise SPCValidationError("The values must be a matrix of numbers (NaN for missing).") from None
    if v.ndim != 2:
        raise SPCValidationError("The values must be a 2-D matrix: one row per series.")
    if np.isinf(v).any():
        raise SPCValidationError("The values must be finite (use NaN for a missing value).")
    if chart == "c" and (v < 0).any():
        raise SPCValidationError("A c chart counts events, which cannot be negative.")
    if chart not in ("p", "u"):
        return v, None
    if denominators is None:
        raise SPCValidationError(f"A {chart} chart needs denominators.")
    n = np.asarray(denominators, dtype=float)
    if n.shape != v.shape:
        raise SPCValidationError("Denominators must have the same shape as the values.")
    if (n < 0).any() or (v < 0).any():
        raise SPCValidationError("Counts and denominators cannot be negative.")
    if chart == "p" and (v > n).any():
        raise SPCValidationError("In a p chart the numerator cannot exceed the denominator.")
    return v, n


def _lines(chart: str, v: np.ndarray, n: np.ndarray | None, settings: SPCSettings) -> PhaseLimits:
    if n is None:
        lines = many_limits(chart, v.copy(), None, None, settings)
    else:
        gone = np.isnan(v) | np.isnan(n)
        n0 = np.where(gone, 0.0, n)
        num = np.where(gone, np.nan, v)
        y = np.where(n0 > 0, num / np.where(n0 > 0, n0, 1), np.nan)
        lines = many_limits(chart, y, num, n0, settings)
    for a in (lines.cl, lines.lcl, lines.ucl, lines.lcl_95, lines.ucl_95):
        a[~np.isfinite(a)] = np.nan
    return lines


def _icons(chart: str, lines: PhaseLimits, ptype: np.ndarray, target: float | np.ndarray | None,
           improvement: str, settings: SPCSettings) -> tuple[np.ndarray, np.ndarray]:
    """Icons from the last (non-missing) point of each row."""
    S, P = lines.y.shape
    imp = IMPROVEMENT_SIGN[improvement]
    has, last = last_points(np.isnan(lines.y), settings.icon_skips_missing)
    rows = np.arange(S)
    variation = variation_codes(ptype[rows, last] if P else np.zeros(S, dtype=np.int8), has, imp)
    assurance = np.full(S, -1, dtype=np.int8)
    if target is not None and imp != 0 and chart != "run" and P:
        t = np.broadcast_to(np.asarray(target, dtype=float), (S,))
        assurance = assurance_codes(t, lines.lcl[rows, last], lines.ucl[rows, last], has, imp)
    return variation, assurance


__all__ = ["ASSURANCE_CODES", "BATCH_CHARTS", "RULE_NAMES", "BatchResult", "analyse_many"]
