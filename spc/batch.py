"""Vectorised analysis of many equal-length series of one chart type at once.

The nightly recompute analyses every chart of the organisation; doing that one series at a time
costs Python overhead per point. Here numpy works across rows (series) and loops only over the
few columns (points). Results agree with :func:`spc.analyse` (tests/spc/test_batch.py).

Scope: charts run, i, c, p, u; one phase per series, no freeze and no excluded points. Series
with phases, a frozen baseline or exclusions go through the per-series :func:`spc.analyse`.

Sums use Ogita-Rump-Oishi compensated summation (twice the working precision, then rounded),
which gives the correctly rounded sum that ``math.fsum`` gives in the per-series engine, so a
point sitting exactly on the mean stays on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import VARIATION_ICONS
from .errors import SPCValidationError
from .limits import MR_SCREEN
from .settings import D2_N2, SPCSettings
from .stats import longest_run_max, qbinom_05_half

BATCH_CHARTS = ("run", "i", "c", "p", "u")
# Rule codes in `BatchResult.rule`.
RULE_NONE, RULE_OUTSIDE, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT, RULE_LONG_RUN = range(6)
RULE_NAMES = ("none", "outside_limits", "trend", "two_of_three", "shift", "long_run")
ASSURANCE_CODES = ("consistent_pass", "consistent_fail", "inconsistent")  # -1 = none


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

    def variation_icons(self) -> list[str | None]:
        return [VARIATION_ICONS[i] if i >= 0 else None for i in self.variation_icon.tolist()]


def _dd_rowsum(a: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Row sums of a[keep] in double-double (TwoSum), rounded once at the end."""
    x = np.where(keep, a, 0.0)
    s = np.zeros(x.shape[0])
    c = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        v = x[:, j]
        t = s + v
        bp = t - s
        c += (s - (t - bp)) + (v - bp)
        s = t
    return s + c


def _rowmean(a: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    keep = ~np.isnan(a) if keep is None else keep & ~np.isnan(a)
    k = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, _dd_rowsum(a, keep) / np.maximum(k, 1), np.nan)


def _run_lengths(m: np.ndarray) -> np.ndarray:
    """For each True cell, the length of the stretch of True it belongs to (0 elsewhere)."""
    S, P = m.shape
    padded = np.zeros((S, P + 1), dtype=bool)  # a False column keeps runs from joining across rows
    padded[:, :P] = m
    flat = padded.ravel()
    d = np.diff(flat.view(np.int8), prepend=np.int8(0))
    lengths = np.flatnonzero(d == -1) - np.flatnonzero(d == 1)
    out = np.zeros(flat.size, dtype=np.int32)
    out[flat] = np.repeat(lengths, lengths)  # True cells come run by run, in order
    return out.reshape(S, P + 1)[:, :P]


def _shift(rel: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros(rel.shape, dtype=np.int8)
    for sign in (1, -1):
        m = rel == sign
        out[m & (_run_lengths(m) >= length)] = sign
    return out


def _trend(y: np.ndarray, length: int) -> np.ndarray:
    S, P = y.shape
    out = np.zeros((S, P), dtype=np.int8)
    if length > P:
        return out
    with np.errstate(invalid="ignore"):
        d = np.sign(np.diff(y, axis=1))
    in_run = np.zeros(d.shape, dtype=bool)
    for sign in (1, -1):
        m = d == sign
        in_run |= m & (_run_lengths(m) >= length - 1)
    member = np.zeros((S, P), dtype=bool)
    member[:, :-1] |= in_run
    member[:, 1:] |= in_run
    # Direction: the difference to the right when the next point is in a trend too, else to the left.
    right_up = np.zeros((S, P), dtype=bool)
    right_up[:, :-1] = d == 1
    left_up = np.zeros((S, P), dtype=bool)
    left_up[:, 1:] = d == 1
    nxt = np.zeros((S, P), dtype=bool)
    nxt[:, :-1] = member[:, 1:]
    up = np.where(nxt, right_up, left_up)
    out[member] = np.where(up[member], 1, -1)
    return out


def _two_of_three(rel: np.ndarray, close: np.ndarray, known: np.ndarray) -> np.ndarray:
    S, P = rel.shape
    out = np.zeros((S, P), dtype=np.int8)
    if P < 3:
        return out
    valid = ~np.isnan(rel) & known
    relz = np.where(valid, rel, 0).astype(np.int8)
    ci = close.astype(np.int8)
    ok = valid[:, :-2] & valid[:, 1:-1] & valid[:, 2:]
    side = relz[:, :-2] + relz[:, 1:-1] + relz[:, 2:]
    fire = ok & (np.abs(side) == 3) & ((ci[:, :-2] + ci[:, 1:-1] + ci[:, 2:]) >= 2)
    hit = np.zeros((S, P), dtype=bool)
    for o in range(3):
        hit[:, o:P - 2 + o] |= fire
    hit &= close
    out[hit] = relz[hit]
    return out


def _runs(y: np.ndarray, cl: np.ndarray) -> tuple[np.ndarray, ...]:
    """Anhøj runs analysis per row (points on the centre line and missing points dropped)."""
    S, P = y.shape
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = ~np.isnan(side) & (side != 0)
    n_useful = useful.sum(axis=1)
    order = np.argsort(~useful, axis=1, kind="stable")
    comp = np.take_along_axis(np.where(useful, side, 0), order, axis=1)
    valid = np.arange(P)[None, :] < n_useful[:, None]
    change = np.zeros((S, P), dtype=bool)
    change[:, 1:] = (comp[:, 1:] != comp[:, :-1]) & valid[:, 1:]
    n_runs = change.sum(axis=1) + (n_useful > 0)
    # A run's length: cells of equal side in a row within the valid prefix.
    run_id = np.cumsum(change, axis=1)
    lengths = np.zeros((S, P), dtype=np.int32)
    longest = np.full(S, -1)
    lmax = np.full(S, -1)
    cmin = np.full(S, -1)
    has = n_useful > 0
    if P:
        # Run lengths by counting run ids (offset per row so that bincount works once).
        key = (run_id + (np.arange(S) * (P + 1))[:, None])[valid]
        cnt = np.bincount(key, minlength=S * (P + 1))
        lengths[valid] = cnt[key]
        longest = np.where(has, np.where(valid, lengths, 0).max(axis=1), -1)
        lut_l = np.array([longest_run_max(i) if i else -1 for i in range(P + 1)])
        lut_c = np.array([qbinom_05_half(i - 1) if i else -1 for i in range(P + 1)])
        lmax, cmin = lut_l[n_useful], lut_c[n_useful]
    crossings = np.where(has, n_runs - 1, -1)
    signal = has & ((longest > lmax) | (crossings < cmin))
    long_side = np.zeros((S, P), dtype=np.int8)
    mark = valid & signal[:, None] & (lengths > lmax[:, None])
    back = np.zeros((S, P), dtype=np.int8)
    np.put_along_axis(back, order, np.where(mark, comp, 0).astype(np.int8), axis=1)
    long_side[:] = back
    return signal, n_useful, longest, crossings, long_side


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
    if chart not in BATCH_CHARTS:
        raise SPCValidationError(f"The batch path handles charts {', '.join(BATCH_CHARTS)}, not {chart!r}.")
    if improvement not in ("increase", "decrease", "neutral"):
        raise SPCValidationError("improvement must be 'increase', 'decrease' or 'neutral'.")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise SPCValidationError("The values must be a matrix of numbers (NaN for missing).") from None
    if v.ndim != 2:
        raise SPCValidationError("The values must be a 2-D matrix: one row per series.")
    if np.isinf(v).any():
        raise SPCValidationError("The values must be finite (use NaN for a missing value).")
    S, P = v.shape
    imp = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]

    nan = np.full((S, P), np.nan)
    if chart in ("p", "u"):
        if denominators is None:
            raise SPCValidationError(f"A {chart} chart needs denominators.")
        n = np.asarray(denominators, dtype=float)
        if n.shape != v.shape:
            raise SPCValidationError("Denominators must have the same shape as the values.")
        if (n < 0).any() or (v < 0).any():
            raise SPCValidationError("Counts and denominators cannot be negative.")
        if chart == "p" and (v > n).any():
            raise SPCValidationError("In a p chart the numerator cannot exceed the denominator.")
        gone = np.isnan(v) | np.isnan(n)
        n0 = np.where(gone, 0.0, n)
        num = np.where(gone, np.nan, v)
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(n0 > 0, num / np.where(n0 > 0, n0, 1), np.nan)
            den = _dd_rowsum(n0, n0 > 0)
            cl1 = np.where(den > 0, _dd_rowsum(num, ~np.isnan(num)) / np.where(den > 0, den, 1), np.nan)
            cl = np.broadcast_to(cl1[:, None], (S, P)).copy()
            sd = np.sqrt(cl * (1 - cl) / n0) if chart == "p" else np.sqrt(cl / n0)
            lcl, ucl, l95, u95 = cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd
        for a in (lcl, l95, ucl, u95):
            with np.errstate(invalid="ignore"):
                a[np.isfinite(a) & (a < 0)] = 0.0
                if chart == "p":
                    a[np.isfinite(a) & (a > 1)] = 1.0
    else:
        if chart == "c" and (v < 0).any():
            raise SPCValidationError("A c chart counts events, which cannot be negative.")
        y = v.copy()
        if chart == "run":
            with np.errstate(invalid="ignore"), _quiet():
                cl1 = np.nanmedian(y, axis=1) if P else np.full(S, np.nan)
            cl = np.broadcast_to(cl1[:, None], (S, P)).copy()
            lcl, ucl, l95, u95 = nan, nan.copy(), nan.copy(), nan.copy()
        elif chart == "c":
            cl1 = _rowmean(y)
            sd = np.sqrt(cl1)
            cl = np.broadcast_to(cl1[:, None], (S, P)).copy()
            lcl, ucl, l95, u95 = (np.broadcast_to(a[:, None], (S, P)).copy()
                                  for a in (cl1 - 3 * sd, cl1 + 3 * sd, cl1 - 2 * sd, cl1 + 2 * sd))
            for a in (lcl, l95):
                a[np.isfinite(a) & (a < 0)] = 0.0
        else:  # i
            cl1 = _rowmean(y)
            if settings.qicharts2_arithmetic:
                mr = np.abs(np.diff(y - cl1[:, None], axis=1))
            else:
                mr = np.abs(np.diff(y, axis=1))
            amr = _rowmean(mr)
            if settings.screen_moving_ranges:
                with np.errstate(invalid="ignore"):
                    amr = _rowmean(mr, mr < MR_SCREEN * amr[:, None])
            if settings.qicharts2_arithmetic:
                s = amr / D2_N2
                lims = (cl1 - 3 * s, cl1 + 3 * s, cl1 - 2 * s, cl1 + 2 * s)
            else:
                c = settings.limit_constant
                near = 2 * (c / 3)
                lims = (cl1 - c * amr, cl1 + c * amr, cl1 - near * amr, cl1 + near * amr)
            cl = np.broadcast_to(cl1[:, None], (S, P)).copy()
            lcl, ucl, l95, u95 = (np.broadcast_to(a[:, None], (S, P)).copy() for a in lims)
    for a in (cl, lcl, ucl, l95, u95):
        a[~np.isfinite(a)] = np.nan

    missing = np.isnan(y)
    with np.errstate(invalid="ignore"):
        above = y > ucl
        outside = above | (y < lcl)
        rel = np.sign(y - cl)
        close = ~outside & ((y < l95) | (y > u95))
    known = ~missing & ((~np.isnan(l95) & ~np.isnan(u95)) | close)

    rules: list[tuple[int, np.ndarray]] = []
    if settings.method == "mdc":
        rules.append((RULE_OUTSIDE, np.where(outside, np.where(rel == 1, 1, -1), 0).astype(np.int8)))
        rules.append((RULE_TREND, _trend(y, settings.trend_length)))
        if settings.two_of_three:
            rules.append((RULE_TWO_OF_THREE, _two_of_three(rel, close & known, known)))
        rules.append((RULE_SHIFT, _shift(rel, settings.shift_length)))
        if runs_analysis or (runs_analysis is None and chart == "run"):
            runs_signal, n_useful, longest, crossings, _ = _runs(y, cl)
        else:
            runs_signal, n_useful = np.zeros(S, dtype=bool), np.full(S, -1)
            longest, crossings = np.full(S, -1), np.full(S, -1)
    else:
        rules.append((RULE_OUTSIDE, np.where(outside, np.where(above, 1, -1), 0).astype(np.int8)))
        runs_signal, n_useful, longest, crossings, long_side = _runs(y, cl)
        rules.append((RULE_LONG_RUN, long_side))

    signal = np.zeros((S, P), dtype=np.int8)
    rule = np.zeros((S, P), dtype=np.int8)
    for code, d in reversed(rules):  # later assignment wins: go from the last rule to the first
        hit = d != 0
        signal[hit] = d[hit]
        rule[hit] = code
    if settings.precedence == "improvement" and imp != 0:
        # Improvement wins: the first rule (in order) pointing the improving way, if any.
        for code, d in reversed(rules):
            hit = d == imp
            signal[hit] = imp
            rule[hit] = code

    if imp == 0:
        ptype = np.where(signal > 0, 3, np.where(signal < 0, 4, 0)).astype(np.int8)
    else:
        ptype = np.where(signal == imp, 1, np.where(signal != 0, 2, 0)).astype(np.int8)

    # Icons from the last (non-missing) point.
    if P == 0:
        has = np.zeros(S, dtype=bool)
        last = np.zeros(S, dtype=np.int64)
    elif settings.icon_skips_missing:
        present = ~missing
        has = present.any(axis=1)
        last = np.where(has, P - 1 - np.argmax(present[:, ::-1], axis=1), 0)
    else:
        has = np.full(S, P > 0)
        last = np.full(S, P - 1)
    rows = np.arange(S)
    pt_last = ptype[rows, last] if P else np.zeros(S, dtype=np.int8)
    if imp == 1:
        lut = np.array([0, 1, 4, 5, 6])  # common, improvement_high, concern_low, neutral...
    elif imp == -1:
        lut = np.array([0, 2, 3, 5, 6])  # common, improvement_low, concern_high
    else:
        lut = np.array([0, 1, 4, 5, 6])
    variation = np.where(has, lut[pt_last], -1).astype(np.int8)
    assurance = np.full(S, -1, dtype=np.int8)
    if target is not None and imp != 0 and chart != "run" and P:
        t = np.broadcast_to(np.asarray(target, dtype=float), (S,))
        u_last, l_last = ucl[rows, last], lcl[rows, last]
        with np.errstate(invalid="ignore"):
            fail_hi, pass_lo = t > u_last, t < l_last
        code = np.full(S, 2, dtype=np.int8)
        if imp == 1:
            code[pass_lo] = 0
            code[fail_hi] = 1
        else:
            code[pass_lo] = 1
            code[fail_hi] = 0
        assurance = np.where(has & ~np.isnan(t), code, -1).astype(np.int8)

    return BatchResult(chart, y, cl, lcl, ucl, l95, u95, signal, rule, ptype, variation, assurance,
                       runs_signal, n_useful, longest, crossings)


class _quiet:
    """Silence numpy's 'All-NaN slice' warning for series with no values."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)


__all__ = ["ASSURANCE_CODES", "BATCH_CHARTS", "RULE_NAMES", "BatchResult", "analyse_many"]
