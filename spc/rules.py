"""Signal rules, written once for one series or many: every function takes (series x points) arrays.

A single series is a one-row matrix. Per-point rule results use these codes: +1 = signal above /
increasing, -1 = below / decreasing, 0 = no signal. Missing values never raise: they break shifts
and trends (NHSRplotthedots 0.2.2 stops with an error when a trend window holds a missing value;
the product treats that window as "no trend", which is what R does for every window it does not
crash on).

The steps, in the order a chart is read:
1. :func:`position` of each point against its centre line and limits;
2. :func:`outside_rule` and the sequence rules of the chosen method (:func:`sequence_rules`:
   MDC trend / two of three / shift, the Anhøj long run from :func:`runs_rows`, or the IHI
   astronomical point / trend / shift);
3. :func:`combine` picks one rule per point; :func:`point_types` says whether it is improvement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .settings import SPCSettings
from .stats import longest_run_max, qbinom_05_half

# Rule codes (what made a point's signal), in the order the rules are applied.
RULE_NONE, RULE_OUTSIDE, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT, RULE_LONG_RUN, RULE_ASTRONOMICAL = range(7)
RULE_NAMES = ("none", "outside_limits", "trend", "two_of_three", "shift", "long_run", "astronomical")

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
    # IHI run-chart rules: the number of runs expected by chance (too few or too many is a signal).
    n_runs: int | None = None
    n_runs_min: int | None = None
    n_runs_max: int | None = None


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
    runs_min: np.ndarray | None = None  # IHI: fewest and most runs expected by chance, -1 when not tested
    runs_max: np.ndarray | None = None

    def stats(self, row: int, n_obs: int) -> RunsStats:
        if self.n_useful[row] <= 0:
            return RunsStats(n_obs, 0, None, None, None, None, False)
        ihi: dict[str, int | None] = {}
        if self.runs_min is not None and self.runs_max is not None:
            tested = self.runs_min[row] >= 0
            ihi = {"n_runs": int(self.crossings[row]) + 1,
                   "n_runs_min": int(self.runs_min[row]) if tested else None,
                   "n_runs_max": int(self.runs_max[row]) if tested else None}
        return RunsStats(n_obs, int(self.n_useful[row]), int(self.longest[row]), int(self.longest_max[row]),
                         int(self.crossings[row]), int(self.crossings_min[row]), bool(self.signal[row]), **ihi)


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


@dataclass
class _SidedRuns:
    """The stretches of points on one side of the centre line, points on it and missing ones dropped,
    of all rows as one flat array (row after row)."""

    at: np.ndarray  # flat positions of the useful points
    side: np.ndarray  # their side, +1 / -1
    run_row: np.ndarray  # per run: its row
    run_len: np.ndarray  # per run: its length in useful points
    n_useful: np.ndarray  # per row
    n_runs: np.ndarray  # per row

    def mark(self, shape: tuple[int, int], long: np.ndarray) -> np.ndarray:
        """int8 (series x points): the side of the points in the runs where `long` (per run) holds."""
        out = np.zeros(shape, dtype=np.int8)
        if long.any():
            m = np.repeat(long, self.run_len)
            out.ravel()[self.at[m]] = self.side[m]
        return out


def sided_runs(rel: np.ndarray) -> _SidedRuns:
    S, P = rel.shape
    useful = ~np.isnan(rel) & (rel != 0)
    at = np.flatnonzero(useful)
    side = rel.ravel()[at]
    row = at // max(P, 1)
    start = np.ones(at.size, dtype=bool)
    start[1:] = (side[1:] != side[:-1]) | (row[1:] != row[:-1])
    starts = np.flatnonzero(start)
    run_len = np.empty_like(starts)
    run_len[:-1] = starts[1:] - starts[:-1]
    run_len[-1:] = at.size - starts[-1:]
    run_row = row[starts]
    return _SidedRuns(at, side, run_row, run_len, useful.sum(axis=1), np.bincount(run_row, minlength=S))


def runs_rows(y: np.ndarray, cl: np.ndarray, method: str = "anhoej") -> RunsRows:
    """Runs analysis per row: the Anhøj rules (qicharts2), or for the IHI method the runs test against
    the number of runs expected by chance. Points on the centre line and missing points are dropped
    first: they neither break nor extend a run (qicharts2: runs <- runs[runs != 0 & !is.na(runs)]; IHI:
    "values on the median are skipped")."""
    S, P = y.shape
    with np.errstate(invalid="ignore"):
        r = sided_runs(np.sign(y - cl))
    has = r.n_useful > 0
    longest = np.full(S, -1)
    if has.any():
        longest[has] = np.maximum.reduceat(r.run_len, (np.cumsum(r.n_runs) - r.n_runs)[has])
    crossings = np.where(has, r.n_runs - 1, -1)
    lut_l, lut_c = _runs_tables(P)
    lmax, cmin = lut_l[r.n_useful], lut_c[r.n_useful]
    if method == "ihi":  # any other method reads the Anhøj statistics
        lut_lo, lut_hi = _ihi_runs_tables(P)
        lo, hi = lut_lo[r.n_useful], lut_hi[r.n_useful]
        signal = (lo >= 0) & ((r.n_runs < lo) | (r.n_runs > hi))
        return RunsRows(signal, r.n_useful, longest, lmax, crossings, cmin, np.zeros((S, P), np.int8), lo, hi)
    signal = has & ((longest > lmax) | (crossings < cmin))
    long_side = r.mark((S, P), signal[r.run_row] & (r.run_len > lmax[r.run_row]))
    return RunsRows(signal, r.n_useful, longest, lmax, crossings, cmin, long_side)


# ---------------------------------------------------------------------------- IHI run-chart rules
# Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning from variation in
# healthcare processes. BMJ Qual Saf 2011;20:46-51. Provost LP, Murray SK. The Health Care Data Guide
# (Jossey-Bass 2011), chapter 3.

IHI_RUNS_FROM = 10  # the runs test needs at least 10 useful points (the published table starts there)


def _runs_distribution(n1: int, n2: int) -> list[int]:
    """Swed & Eisenhart (1943): ways of arranging n1 + n2 points into r runs, for r = 0 .. n1 + n2."""
    from math import comb

    ways = [0] * (n1 + n2 + 1)
    for r in range(2, n1 + n2 + 1):
        k = r // 2
        if r % 2 == 0:
            ways[r] = 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
        else:
            ways[r] = comb(n1 - 1, k - 1) * comb(n2 - 1, k) + comb(n1 - 1, k) * comb(n2 - 1, k - 1)
    return ways


@lru_cache(maxsize=512)
def ihi_runs_limits(n_useful: int) -> tuple[int, int] | None:
    """Fewest and most runs expected by chance among `n_useful` points off the median (None below 10).

    From the exact runs distribution with the points split evenly about the median (half above, half
    below, as a median splits them), with about a 5 % risk of a false signal: 2.5 % in each tail, the
    basis of the IHI table (Perla et al. 2011, table 1, after Swed & Eisenhart 1943)."""
    if n_useful < IHI_RUNS_FROM:
        return None
    n1, n2 = n_useful // 2, n_useful - n_useful // 2
    ways = _runs_distribution(n1, n2)
    total = sum(ways)
    # 40 * tail <= total  <=>  tail probability <= 2.5 %, in integers (no rounding at the edge).
    low, acc = 2, 0
    while 40 * (acc + ways[low]) <= total:
        acc += ways[low]
        low += 1
    high, acc = n_useful, 0
    while 40 * (acc + ways[high]) <= total:
        acc += ways[high]
        high -= 1
    return low, high


@lru_cache(maxsize=256)
def _ihi_runs_tables(points: int) -> tuple[np.ndarray, np.ndarray]:
    lims = [ihi_runs_limits(i) or (-1, -1) for i in range(points + 1)]
    return np.array([lo for lo, _ in lims]), np.array([hi for _, hi in lims])


def ihi_shift_rule(rel: np.ndarray, length: int) -> np.ndarray:
    """Points in `length` or more consecutive points on one side of the median; points on the median (and
    missing ones) are skipped: they neither make nor break a shift."""
    r = sided_runs(rel)
    return r.mark(rel.shape, r.run_len >= length)


def ihi_trend_rule(y: np.ndarray, length: int) -> np.ndarray:
    """Points in `length` or more consecutive points all rising or all falling. Missing points are
    skipped; when successive points are equal only one of them counts (the like points neither make nor
    break a trend), but all of them are marked as part of it."""
    S, P = y.shape
    out = np.zeros((S, P), dtype=np.int8)
    at = np.flatnonzero(~np.isnan(y))
    v = y.ravel()[at]
    row = at // max(P, 1)
    same_row = row[1:] == row[:-1]
    keep = np.ones(at.size, dtype=bool)
    keep[1:] = ~(same_row & (v[1:] == v[:-1]))  # the first of equal successive points stands for them
    kv, krow = v[keep], row[keep]
    d = np.where(krow[1:] == krow[:-1], np.sign(kv[1:] - kv[:-1]), 0)[None, :]
    if d.size == 0:
        return out
    steps = (d != 0) & (equal_runs(d) >= length - 1)  # a trend of n points is n - 1 steps
    if not steps.any():
        return out
    right = np.zeros(kv.size, dtype=np.int8)
    right[:-1] = np.where(steps[0], d[0], 0)
    left = np.zeros(kv.size, dtype=np.int8)
    left[1:] = np.where(steps[0], d[0], 0)
    direction = np.where(right != 0, right, left)
    group = np.cumsum(keep) - 1  # each point's kept representative
    out.ravel()[at] = direction[group]
    return out


def astronomical_rule(y: np.ndarray) -> np.ndarray:
    """A point blatantly different from the rest. The IHI leaves "astronomical" to judgement; the product
    reads it as Tukey's "far out" value (Exploratory Data Analysis, 1977): beyond the quartiles by more
    than three interquartile ranges. Needs four values and a spread (IQR > 0)."""
    out = np.zeros(y.shape, dtype=np.int8)
    enough = (~np.isnan(y)).sum(axis=1) >= 4
    if not enough.any():
        return out
    q1, q3 = np.nanpercentile(y[enough], [25, 75], axis=1)
    iqr = q3 - q1
    lo, hi = (q1 - 3 * iqr)[:, None], (q3 + 3 * iqr)[:, None]
    spread = (iqr > 0)[:, None]
    with np.errstate(invalid="ignore"):
        sub = np.where(spread & (y[enough] > hi), 1, np.where(spread & (y[enough] < lo), -1, 0))
    out[enough] = sub
    return out


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
    if settings.method == "ihi":
        return [(RULE_ASTRONOMICAL, astronomical_rule(y)), (RULE_TREND, ihi_trend_rule(y, settings.trend_length)),
                (RULE_SHIFT, ihi_shift_rule(pos.rel, settings.shift_length))]
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
    if settings.method == "ihi":
        return _ihi_label(code, up, settings)
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


def _ihi_label(code: int, up: bool, settings: SPCSettings) -> str | None:
    if code == RULE_ASTRONOMICAL:
        return f"Astronomical point ({'high' if up else 'low'})"
    if code == RULE_TREND:
        return f"Trend: {settings.trend_length} or more points {'rising' if up else 'falling'}"
    if code == RULE_SHIFT:
        return f"Shift: {settings.shift_length} or more points {'above' if up else 'below'} the median"
    return None
