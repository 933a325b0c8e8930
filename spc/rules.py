"""Signal rules, written once for one series or many: every function takes (series x points) arrays.

A single series is a one-row matrix. Per-point rule results use these codes: +1 = signal above /
increasing, -1 = below / decreasing, 0 = no signal. Missing values never raise: they break shifts
and trends (NHSRplotthedots 0.2.2 stops with an error when a trend window holds a missing value;
the product treats that window as "no trend", which is what R does for every window it does not
crash on).

The steps, in the order a chart is read:
1. :func:`position` of each point against its centre line and limits;
2. :func:`outside_rule` and the sequence rules of the chosen method (:func:`sequence_rules`:
   MDC trend / two of three / shift, or the Anhøj long run from :func:`runs_rows`);
3. :func:`combine` picks one rule per point; :func:`point_types` says whether it is improvement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .settings import SPCSettings
from .stats import longest_run_max, qbinom_05_half

# Rule codes (what made a point's signal), in the order the rules are applied.
RULE_NONE, RULE_OUTSIDE, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT, RULE_LONG_RUN = range(6)
RULE_NAMES = ("none", "outside_limits", "trend", "two_of_three", "shift", "long_run")

# Point-type codes and their names.
COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"
POINT_TYPES = (COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW)

IMPROVEMENT_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}

Hits = list[tuple[int, np.ndarray]]  # (rule code, int8 directions per point), in rule order


@dataclass(frozen=True)
class RunsStats:
    """Anhøj runs analysis of one phase (qicharts2 runs.analysis)."""

    n_obs: int  # included points, missing ones too
    n_useful: int  # included points not missing and not on the centre line
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool


@dataclass
class RunsRows:
    """Anhøj runs analysis of every row; -1 where a row has no useful point."""

    signal: np.ndarray  # bool (series,)
    n_useful: np.ndarray
    longest: np.ndarray
    longest_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    long_side: np.ndarray  # int8 (series, points): side of a run longer than allowed, else 0

    def stats(self, row: int, n_obs: int) -> RunsStats:
        if self.n_useful[row] <= 0:
            return RunsStats(n_obs, 0, None, None, None, None, False)
        return RunsStats(n_obs, int(self.n_useful[row]), int(self.longest[row]), int(self.longest_max[row]),
                         int(self.crossings[row]), int(self.crossings_min[row]), bool(self.signal[row]))


@dataclass
class Position:
    """Where each point sits against its lines (all (series x points))."""

    rel: np.ndarray  # float: sign of y - cl (-1, 0, +1, NaN)
    above: np.ndarray  # bool: above the upper limit
    outside: np.ndarray  # bool: strictly beyond the 3-sigma limits
    close: np.ndarray  # bool: strictly between the 2- and 3-sigma lines
    known: np.ndarray  # bool: closeness is known (a value and 2-sigma lines, or close anyway)


def position(y: np.ndarray, cl: np.ndarray, lcl: np.ndarray, ucl: np.ndarray, l95: np.ndarray,
             u95: np.ndarray, rel: np.ndarray | None = None) -> Position:
    """rel: the side of the centre line when already known (the per-series path reads it before scaling by
    `multiply`, whose rounding could put a point next to the line on it)."""
    with np.errstate(invalid="ignore"):
        above = y > ucl
        outside = above | (y < lcl)
        if rel is None:
            rel = np.sign(y - cl)
        close = ~outside & ((y < l95) | (y > u95))
    known = ~np.isnan(y) & ((~np.isnan(l95) & ~np.isnan(u95)) | close)
    return Position(rel, above, outside, close, known)


def equal_runs(a: np.ndarray) -> np.ndarray:
    """For each cell, the length of the stretch of equal consecutive values of its row it belongs to
    (NaN equals nothing, so it is a stretch of one)."""
    S, P = a.shape
    start = np.ones((S, P), dtype=bool)
    start[:, 1:] = a[:, 1:] != a[:, :-1]
    idx = np.flatnonzero(start)  # every row starts a stretch, so none crosses rows
    ends = np.empty_like(idx)
    ends[:-1] = idx[1:]
    ends[-1:] = S * P
    lengths = ends - idx
    return np.repeat(lengths, lengths).reshape(S, P)


def shift_rule(rel: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of >= `length` consecutive points on the same side of the mean.

    A point exactly on the mean (sign 0) or a missing point breaks the run (NHSRplotthedots).
    """
    if rel.shape[1] < length:
        return np.zeros(rel.shape, dtype=np.int8)
    hit = (np.abs(rel) == 1) & (equal_runs(rel) >= length)
    return np.where(hit, rel, 0).astype(np.int8)


def trend_rule(y: np.ndarray, length: int) -> np.ndarray:
    """Points in `length` consecutive points each strictly above (or below) the one before.

    A tie breaks a trend; so does a missing value. The direction given to a point follows
    NHSRplotthedots: the difference to its right when the next point is also in a trend,
    otherwise the difference to its left; only +1 counts as increasing (so a tie at the top
    of a rising trend followed by a fall reads as decreasing).
    """
    S, P = y.shape
    out = np.zeros((S, P), dtype=np.int8)
    if length > P:
        return out
    with np.errstate(invalid="ignore"):
        d = np.sign(y[:, 1:] - y[:, :-1])
    in_run = (np.abs(d) == 1) & (equal_runs(d) >= length - 1)
    if not in_run.any():
        return out
    member = np.zeros((S, P), dtype=bool)
    member[:, :-1] |= in_run
    member[:, 1:] |= in_run
    right_up = np.zeros((S, P), dtype=bool)
    right_up[:, :-1] = d == 1
    left_up = np.zeros((S, P), dtype=bool)
    left_up[:, 1:] = d == 1
    nxt = np.zeros((S, P), dtype=bool)
    nxt[:, :-1] = member[:, 1:]
    up = np.where(nxt, right_up, left_up)
    out[member] = np.where(up[member], 1, -1)
    return out


def two_of_three_rule(rel: np.ndarray, close: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Two of three consecutive points beyond 2 sigma (but inside 3 sigma), all three on one side.

    Only the close points are marked (NHSRplotthedots 0.2.2; a point beyond 3 sigma is not
    "close", so it does not count). A window with a missing point never fires.
    """
    S, P = rel.shape
    out = np.zeros((S, P), dtype=np.int8)
    if P < 3 or np.count_nonzero(close) < 2:
        return out
    valid = ~np.isnan(rel) & known
    relz = np.where(valid, rel, 0).astype(np.int8)
    ci = close.astype(np.int8)
    ok = valid[:, :-2] & valid[:, 1:-1] & valid[:, 2:]
    side = relz[:, :-2] + relz[:, 1:-1] + relz[:, 2:]
    fire = ok & (np.abs(side) == 3) & ((ci[:, :-2] + ci[:, 1:-1] + ci[:, 2:]) >= 2)
    if not fire.any():
        return out
    hit = np.zeros((S, P), dtype=bool)
    for o in range(3):
        hit[:, o:P - 2 + o] |= fire
    hit &= close
    out[hit] = relz[hit]
    return out


@lru_cache(maxsize=256)
def _runs_tables(points: int) -> tuple[np.ndarray, np.ndarray]:
    """Longest allowed run and fewest expected crossings for 0..points useful points (-1 for 0)."""
    lmax = np.array([longest_run_max(i) if i else -1 for i in range(points + 1)])
    cmin = np.array([qbinom_05_half(i - 1) if i else -1 for i in range(points + 1)])
    return lmax, cmin


def runs_rows(y: np.ndarray, cl: np.ndarray) -> RunsRows:
    """Anhøj rules per row. Points on the centre line and missing points are dropped first: they
    neither break nor extend a run (qicharts2: runs <- runs[runs != 0 & !is.na(runs)])."""
    S, P = y.shape
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = ~np.isnan(side) & (side != 0)
    n_useful = useful.sum(axis=1)
    at = np.flatnonzero(useful)  # the useful points of all rows, row after row
    comp = side.ravel()[at]
    row = at // max(P, 1)
    start = np.ones(at.size, dtype=bool)
    start[1:] = (comp[1:] != comp[:-1]) | (row[1:] != row[:-1])
    starts = np.flatnonzero(start)
    run_len = np.empty_like(starts)
    run_len[:-1] = starts[1:] - starts[:-1]
    run_len[-1:] = at.size - starts[-1:]
    run_row = row[starts]
    n_runs = np.bincount(run_row, minlength=S)
    has = n_useful > 0
    longest = np.full(S, -1)
    if has.any():
        longest[has] = np.maximum.reduceat(run_len, (np.cumsum(n_runs) - n_runs)[has])
    crossings = np.where(has, n_runs - 1, -1)
    lut_l, lut_c = _runs_tables(P)
    lmax, cmin = lut_l[n_useful], lut_c[n_useful]
    signal = has & ((longest > lmax) | (crossings < cmin))
    long_side = np.zeros((S, P), dtype=np.int8)
    if signal.any():
        mark = np.repeat(signal[run_row] & (run_len > lmax[run_row]), run_len)
        long_side.ravel()[at[mark]] = comp[mark]
    return RunsRows(signal, n_useful, longest, lmax, crossings, cmin, long_side)


def outside_rule(settings: SPCSettings, pos: Position) -> np.ndarray:
    """Beyond the limits (both methods, every point, excluded ones too). NHSRplotthedots labels the side
    by the mean, qicharts2 by which limit was crossed: the same point either way."""
    up = pos.rel == 1 if settings.method == "mdc" else pos.above
    return np.where(pos.outside, np.where(up, 1, -1), 0).astype(np.int8)


def sequence_rules(settings: SPCSettings, chart: str, y: np.ndarray, pos: Position,
                   long_side: np.ndarray | None) -> Hits:
    """The method's rules over sequences of points (the included points of one phase per row).
    long_side: RunsRows.long_side, for the Anhøj method. The moving-range chart has none (qicharts2 never
    reports a runs signal on it)."""
    if chart == "mr":
        return []
    if settings.method == "anhoej":
        assert long_side is not None
        return [(RULE_LONG_RUN, long_side)]
    hits = [(RULE_TREND, trend_rule(y, settings.trend_length))]
    if settings.two_of_three:
        hits.append((RULE_TWO_OF_THREE, two_of_three_rule(pos.rel, pos.close & pos.known, pos.known)))
    hits.append((RULE_SHIFT, shift_rule(pos.rel, settings.shift_length)))
    return hits


def combine(hits: Hits, shape: tuple[int, int], improvement: str, settings: SPCSettings
            ) -> tuple[np.ndarray, np.ndarray]:
    """One signal and rule per point: the first rule in order, or with "improvement" precedence the
    first rule pointing the improving way when there is one."""
    if not hits:
        return np.zeros(shape, dtype=np.int8), np.zeros(shape, dtype=np.int8)
    imp = IMPROVEMENT_SIGN[improvement]
    directions = np.stack([d for _, d in hits])
    codes = np.array([c for c, _ in hits], dtype=np.int8)
    hit = directions != 0
    first = hit.argmax(axis=0)
    signal = np.choose(first, directions)
    if settings.precedence == "improvement" and imp != 0:
        better = directions == imp
        any_better = better.any(axis=0)
        first = np.where(any_better, better.argmax(axis=0), first)
        signal = np.where(any_better, np.int8(imp), signal)
    rule = np.where(hit.any(axis=0), codes[first], 0).astype(np.int8)
    return signal.astype(np.int8), rule


def point_types(signal: np.ndarray, improvement: str) -> np.ndarray:
    """Codes into POINT_TYPES."""
    imp = IMPROVEMENT_SIGN[improvement]
    if imp == 0:
        return np.where(signal > 0, 3, np.where(signal < 0, 4, 0)).astype(np.int8)
    return np.where(signal == imp, 1, np.where(signal != 0, 2, 0)).astype(np.int8)


def rule_label(code: int, direction: int, settings: SPCSettings, longest_max: int | None) -> str | None:
    """The rule's name as the reference packages print it ("Above UCL", "7 Points Below CL", ...)."""
    up = direction > 0
    if code == RULE_OUTSIDE:
        return "Above UCL" if up else "Below LCL"
    if code == RULE_TREND:
        return f"{settings.trend_length} Point Trend ({'Increasing' if up else 'Decreasing'})"
    if code == RULE_TWO_OF_THREE:
        return f"2 in 3 {'Above' if up else 'Below'} CL"
    if code == RULE_SHIFT:
        return f"{settings.shift_length} Points {'Above' if up else 'Below'} CL"
    if code == RULE_LONG_RUN:
        return f"Run of more than {longest_max} points {'above' if up else 'below'} the centre line"
    return None
