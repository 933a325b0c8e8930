"""Exact small statistics.

R's ``mean`` and ``sum`` accumulate in long double, so their results are (almost always) the
correctly rounded value. ``math.fsum`` gives the correctly rounded sum too, which keeps a point
that sits exactly on the mean in R exactly on it here; otherwise run and shift signals flip.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

NAN = float("nan")


def exact_mean(values: np.ndarray) -> float:
    """Mean of the non-missing values (NaN when there are none), as R's mean(x, na.rm=TRUE)."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return NAN
    return _fsum(v) / v.size


def exact_sum(values: np.ndarray) -> float:
    """Sum of the non-missing values, as R's sum(x, na.rm=TRUE) (0 when there are none)."""
    v = values[~np.isnan(values)]
    return _fsum(v)


def _fsum(v: np.ndarray) -> float:
    """math.fsum, except that values near the float limit (whose differences overflow to ±inf) give the
    IEEE result (inf or NaN, as R does) instead of fsum's ValueError; such limits then read as missing."""
    try:
        return math.fsum(v.tolist())
    except (ValueError, OverflowError):
        return float(np.sum(v))


def row_sums(a: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Row sums of a[keep], each correctly rounded: math.fsum for one row; for many, Ogita-Rump-Oishi
    compensated summation (TwoSum in double-double across the columns, rounded once at the end), which
    gives what fsum gives, so the batch and the per-series path put a point on the mean alike."""
    if a.shape[0] == 1:
        return np.array([_fsum(a[0][keep[0]])])
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


def row_means(a: np.ndarray) -> np.ndarray:
    """Row means of the non-missing values (NaN for a row with none)."""
    if a.shape[0] == 1:
        return np.array([exact_mean(a[0])])
    keep = ~np.isnan(a)
    k = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, row_sums(a, keep) / np.maximum(k, 1), NAN)


def row_medians(a: np.ndarray) -> np.ndarray:
    """Row medians of the non-missing values (NaN for a row with none)."""
    if a.shape[0] == 1:
        return np.array([exact_median(a[0])])
    if a.shape[1] == 0 or np.isnan(a).all(axis=1).any():
        out = np.full(a.shape[0], NAN)
        ok = ~np.isnan(a).all(axis=1)
        if ok.any() and a.shape[1]:
            out[ok] = np.nanmedian(a[ok], axis=1)
        return out
    return np.nanmedian(a, axis=1)


def exact_median(values: np.ndarray) -> float:
    """Median of the non-missing values, as R's median(x, na.rm=TRUE)."""
    v = np.sort(values[~np.isnan(values)])
    k = v.size
    if k == 0:
        return NAN
    if k % 2:
        return float(v[k // 2])
    # (a + b) / 2: halving is exact, so this equals R's long-double mean of the two middle values.
    return math.fsum((float(v[k // 2 - 1]), float(v[k // 2]))) / 2


@lru_cache(maxsize=4096)
def qbinom_05_half(size: int) -> int:
    """R's qbinom(0.05, size, 0.5): the smallest k with P(X <= k) >= 0.05, X ~ Bin(size, 1/2).

    Computed with integers: P(X <= k) >= 1/20  <=>  20 * sum_{i<=k} C(size, i) >= 2**size.
    (The cumulative probability is dyadic, so it never equals 0.05 and R's fuzz does not matter.)
    """
    if size <= 0:
        return 0
    total = 1 << size
    acc = 0
    c = 1
    for k in range(size + 1):
        acc += c
        if 20 * acc >= total:
            return k
        c = c * (size - k) // (k + 1)
    return size


def longest_run_max(n_useful: int) -> int:
    """Anhøj/Schilling: a run longer than round(log2(n)) + 3 signals a shift."""
    # log2(n) is never exactly k + 0.5 for an integer n, so Python's round equals R's here.
    return int(round(math.log2(n_useful))) + 3


def c4(n: np.ndarray) -> np.ndarray:
    """Bias constant c4(n) for the standard deviation; NaN for n <= 1 (as qicharts2)."""
    from math import lgamma

    out = np.full(n.shape, np.nan)
    for i, k in enumerate(n.tolist()):
        if k > 1:
            out[i] = math.sqrt(2 / (k - 1)) * math.exp(lgamma(k / 2) - lgamma((k - 1) / 2))
    return out
