"""Signal rules: Anhøj run rules (qicharts2) and the Making Data Count rules (NHSRplotthedots).

Per-point rule results use these codes: +1 = signal above / increasing, -1 = below / decreasing,
0 = no signal. Missing values never raise: they break shifts and trends (NHSRplotthedots 0.2.2
stops with an error when a trend window holds a missing value; the product treats that window
as "no trend", which is what R does for every window it does not crash on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .stats import longest_run_max, qbinom_05_half


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


def _run_bounds(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of True in a bool array."""
    if mask.size == 0:
        return []
    m = np.concatenate(([False], mask, [False])).astype(np.int8)
    d = np.diff(m)
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), stops.tolist()))


def runs_analysis(y: np.ndarray, cl: np.ndarray) -> tuple[RunsStats, np.ndarray]:
    """Anhøj rules on the included points of one phase.

    Returns the stats and, per input point, the side (+1/-1) of any run that is longer than
    the allowed maximum (0 elsewhere), so that a chart can show which points make the shift.
    Points on the centre line and missing points are dropped first: they neither break nor
    extend a run (qicharts2: runs <- runs[runs != 0 & !is.na(runs)]).
    """
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = np.flatnonzero(~np.isnan(side) & (side != 0))
    runs = side[useful]
    n_useful = int(runs.size)
    long_side = np.zeros(y.size, dtype=np.int8)
    if n_useful == 0:
        return RunsStats(int(y.size), 0, None, None, None, None, False), long_side
    change = np.flatnonzero(np.diff(runs) != 0)
    starts = np.concatenate(([0], change + 1))
    stops = np.concatenate((change + 1, [n_useful]))
    lengths = stops - starts
    longest = int(lengths.max())
    lmax = longest_run_max(n_useful)
    crossings = int(lengths.size - 1)
    cmin = qbinom_05_half(n_useful - 1)
    signal = longest > lmax or crossings < cmin
    for s, e in zip(starts.tolist(), stops.tolist()):
        if e - s > lmax:
            long_side[useful[s:e]] = int(runs[s])
    return RunsStats(int(y.size), n_useful, longest, lmax, crossings, cmin, signal), long_side


def shift_rule(rel: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of >= `length` consecutive points on the same side of the mean.

    A point exactly on the mean (sign 0) or a missing point breaks the run (NHSRplotthedots).
    `rel` is float: -1, 0, +1 or NaN.
    """
    out = np.zeros(rel.size, dtype=np.int8)
    for sign in (1, -1):
        for s, e in _run_bounds(rel == sign):
            if e - s >= length:
                out[s:e] = sign
    return out


def trend_rule(y: np.ndarray, length: int) -> np.ndarray:
    """Points in `length` consecutive points each strictly above (or below) the one before.

    A tie breaks a trend; so does a missing value. The direction given to a point follows
    NHSRplotthedots: the difference to its right when the next point is also in a trend,
    otherwise the difference to its left; only +1 counts as increasing (so a tie at the top
    of a rising trend followed by a fall reads as decreasing).
    """
    k = y.size
    out = np.zeros(k, dtype=np.int8)
    if k < length:
        return out
    with np.errstate(invalid="ignore"):
        d = np.sign(np.diff(y))
    member = np.zeros(k, dtype=bool)
    for sign in (1, -1):
        for s, e in _run_bounds(d == sign):  # diffs s..e-1 join points s..e
            if e - s >= length - 1:
                member[s:e + 1] = True
    if not member.any():
        return out
    idx = np.flatnonzero(member)
    for i in idx.tolist():
        if i + 1 < k and member[i + 1]:
            out[i] = 1 if d[i] == 1 else -1
        else:
            out[i] = 1 if d[i - 1] == 1 else -1
    return out


def two_of_three_rule(rel: np.ndarray, close: np.ndarray, close_known: np.ndarray) -> np.ndarray:
    """Two of three consecutive points beyond 2 sigma (but inside 3 sigma), all three on one side.

    Only the close points are marked (NHSRplotthedots 0.2.2; a point beyond 3 sigma is not
    "close", so it does not count). A window with a missing point never fires.
    """
    k = rel.size
    out = np.zeros(k, dtype=np.int8)
    if k < 3:
        return out
    valid = ~np.isnan(rel) & close_known
    relz = np.where(valid, rel, 0)
    ok = valid[:-2] & valid[1:-1] & valid[2:]
    side = relz[:-2] + relz[1:-1] + relz[2:]
    nclose = close[:-2].astype(int) + close[1:-1] + close[2:]
    fire = ok & (np.abs(side) == 3) & (nclose >= 2)
    for s in np.flatnonzero(fire).tolist():
        for j in range(s, s + 3):
            if close[j]:
                out[j] = int(relz[j])
    return out
