"""Centre lines and control limits, one phase at a time.

Every formula follows qicharts2 0.8.1 (``R/helper.functions.R``); the XmR chart can use either
qicharts2's 3 * amr / 1.128 or Making Data Count's 2.66 * amr (NHSRplotthedots ``ptd_spc_standard``).
All arrays are per point of the phase; NaN means "no value".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .settings import D2_N2, SPCSettings
from .stats import c4, exact_mean, exact_median, exact_sum

# Nelson (1982): moving ranges at or above 3.267 * mean(mR) (D4 for n = 2) are screened out.
MR_SCREEN = 3.267
# qicharts2's I' (ip) chart screens its scaled moving ranges at 3.2665 instead.
IP_SCREEN = 3.2665
# t chart (qicharts2): times between events are transformed by y^(1/3.6) to near-normal.
T_POWER = 3.6

CHARTS = ("run", "i", "mr", "p", "pp", "c", "u", "up", "g", "t", "xbar", "s", "ip")


@dataclass
class PhaseData:
    """Aggregated input of one phase (one row per subgroup)."""

    y: np.ndarray  # the statistic: value, mean of subgroup, or numerator / denominator
    y_sum: np.ndarray  # subgroup sum (counts for c)
    n: np.ndarray  # denominators (0 where missing)
    y_len: np.ndarray  # non-missing observations per subgroup
    y_sd: np.ndarray  # subgroup standard deviation (xbar, s)
    base: np.ndarray  # bool: baseline & included (what the centre line and limits are made from)
    got_n: bool


@dataclass
class PhaseLimits:
    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray


def _full(k: int, v: float) -> np.ndarray:
    return np.full(k, v, dtype=float)


def _screened_mean(mr: np.ndarray, screen: bool, cut: float = MR_SCREEN) -> float:
    """Average moving range, optionally after Nelson screening (strict test mr < cut * amr)."""
    amr = exact_mean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            mr = mr[mr < cut * amr]  # NaN compares False: dropped, as NA is in R
        amr = exact_mean(mr)
    return amr


def xmr_limits(y: np.ndarray, base: np.ndarray, settings: SPCSettings) -> PhaseLimits:
    k = y.size
    yb = y[base]
    cl = exact_mean(yb)
    # qicharts2 takes diff(y - cl), NHSRplotthedots diff(y): equal up to the last bit.
    mr = np.abs(np.diff(yb - cl)) if settings.qicharts2_arithmetic else np.abs(np.diff(yb))
    amr = _screened_mean(mr, settings.screen_moving_ranges)
    if settings.qicharts2_arithmetic:
        sd = amr / D2_N2
        lcl, ucl, l95, u95 = cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd
    else:
        c = settings.limit_constant
        near = 2 * (c / 3)  # ptd: limitclose <- 2 * (limit / 3)
        lcl, ucl, l95, u95 = cl - c * amr, cl + c * amr, cl - near * amr, cl + near * amr
    return PhaseLimits(y.copy(), _full(k, cl), _full(k, lcl), _full(k, ucl), _full(k, l95), _full(k, u95))


def _sigma_limits(y: np.ndarray, cl: np.ndarray, sd: np.ndarray) -> PhaseLimits:
    with np.errstate(invalid="ignore"):
        return PhaseLimits(y, cl, cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd)


def _clip_finite(a: np.ndarray, low: float | None, high: float | None) -> None:
    """qicharts2 clips only finite limits (x$lcl[x$lcl < 0 & is.finite(x$lcl)] <- 0)."""
    with np.errstate(invalid="ignore"):
        if low is not None:
            a[np.isfinite(a) & (a < low)] = low
        if high is not None:
            a[np.isfinite(a) & (a > high)] = high


def _laney_sigma_z(y: np.ndarray, cl: float, sd: np.ndarray, base: np.ndarray, settings: SPCSettings) -> float:
    """Laney's between-subgroup factor: sigma of the z-scores from their moving ranges / 1.128."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y[base] - cl) / sd[base]
        mr = np.abs(np.diff(z))
    mr = np.where(np.isfinite(mr), mr, np.nan)
    return _screened_mean(mr, settings.screen_moving_ranges) / D2_N2


def phase_limits(chart: str, d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    k = d.y.size
    base = d.base
    nan = _full(k, math.nan)
    if chart == "run":
        return PhaseLimits(d.y.copy(), _full(k, exact_median(d.y[base])), nan, nan.copy(), nan.copy(), nan.copy())
    if chart == "i":
        return xmr_limits(d.y, base, settings)
    if chart == "mr":
        # The moving range of all points of the phase; the centre line from the baseline only.
        mr = np.concatenate(([math.nan], np.abs(np.diff(d.y)))) if k else d.y.copy()
        cl = exact_mean(mr[base])
        # D4 = 3.267 for n = 2; qicharts2's 2-sigma line is (3.267 / 3) * 2 * cl.
        return PhaseLimits(mr, _full(k, cl), _full(k, 0.0), _full(k, 3.267 * cl), _full(k, 0.0),
                           _full(k, (3.267 / 3) * 2 * cl))
    if chart in ("p", "pp", "u", "up"):
        cl = exact_sum(d.y_sum[base]) / exact_sum(d.n[base]) if exact_sum(d.n[base]) else math.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            # binomial (Montgomery 7.8) for proportions, Poisson (Montgomery 7.19) for rates
            sd = np.sqrt(cl * (1 - cl) / d.n) if chart in ("p", "pp") else np.sqrt(cl / d.n)
        if chart in ("pp", "up"):
            sd = sd * _laney_sigma_z(d.y, cl, sd, base, settings)
        lim = _sigma_limits(d.y.copy(), _full(k, cl), sd)
        high = 1.0 if chart in ("p", "pp") else None
        for a in (lim.lcl, lim.lcl_95, lim.ucl, lim.ucl_95):
            _clip_finite(a, 0.0, high)
        return lim
    if chart == "c":
        y = d.y_sum.copy()
        cl = exact_mean(y[base])
        lim = _sigma_limits(y, _full(k, cl), _full(k, math.sqrt(cl) if cl >= 0 else math.nan))
        _clip_finite(lim.lcl, 0.0, None)
        _clip_finite(lim.lcl_95, 0.0, None)
        return lim
    if chart == "g":
        # Geometric distribution: limits from the mean m, m +/- 3 sqrt(m (m + 1)); the centre
        # line drawn is the median (the distribution is skewed), qicharts2 qic.g.
        m = exact_mean(d.y[base])
        sd = math.sqrt(m * (m + 1)) if m >= 0 else math.nan
        lim = _sigma_limits(d.y.copy(), _full(k, m), _full(k, sd))
        _clip_finite(lim.lcl, 0.0, None)
        _clip_finite(lim.lcl_95, 0.0, None)
        lim.cl = _full(k, exact_median(d.y[base]))
        return lim
    if chart == "t":
        yt = np.power(d.y, 1 / T_POWER)
        lim = xmr_limits(yt, base, settings)
        with np.errstate(invalid="ignore"):
            def back(a: np.ndarray) -> np.ndarray:
                # A negative transformed limit has no real power: NaN, as in R.
                return np.where(a < 0, math.nan, np.power(np.abs(a), T_POWER))

            out = PhaseLimits(np.power(yt, T_POWER), back(lim.cl), back(lim.lcl), back(lim.ucl),
                              back(lim.lcl_95), back(lim.ucl_95))
            out.lcl[np.isnan(out.lcl) | (out.lcl < 0)] = 0.0  # only lcl is clipped in qic.t
        return out
    if chart in ("xbar", "s"):
        ln = d.y_len
        lb = ln[base]
        var_n = np.unique(ln).size > 1  # "equal sizes" is judged on all rows of the phase
        sdb = d.y_sd[base]
        if var_n:
            num = exact_sum((lb - 1) * sdb**2)
            s_bar = math.sqrt(num / exact_sum(lb - 1)) if exact_sum(lb - 1) > 0 else math.nan
        else:
            s_bar = exact_mean(sdb)
        c4n = c4(ln)
        with np.errstate(invalid="ignore", divide="ignore"):
            if chart == "xbar":
                y = d.y.copy()
                den = exact_sum(lb)
                cl = exact_sum(lb * d.y[base]) / den if den > 0 else math.nan
                a3 = 3 / (c4n * np.sqrt(ln))
                a3_95 = 2 / (c4n * np.sqrt(ln))
                return PhaseLimits(y, _full(k, cl), cl - a3 * s_bar, cl + a3 * s_bar,
                                   cl - a3_95 * s_bar, cl + a3_95 * s_bar)
            c5n = np.sqrt(1 - c4n**2)
            b4, b4_95 = 1 + 3 * c5n / c4n, 1 + 2 * c5n / c4n
            b3, b3_95 = np.maximum(0, 1 - 3 * c5n / c4n), np.maximum(0, 1 - 2 * c5n / c4n)
            return PhaseLimits(d.y_sd.copy(), _full(k, s_bar), b3 * s_bar, b4 * s_bar, b3_95 * s_bar,
                               b4_95 * s_bar)
    if chart == "ip":
        n = d.n if d.got_n else d.y_len.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            den = exact_sum(n[base])
            cl = exact_sum(d.y[base] * n[base]) / den if den else math.nan
            d1 = np.abs(np.diff(d.y))
            d2 = np.sqrt(1 / n[:-1] + 1 / n[1:])
            s = math.sqrt(math.pi / 2) * d1 / d2
            s = np.where(np.isfinite(s), s, np.nan)
            a_s = _screened_mean(s, settings.screen_moving_ranges, IP_SCREEN)
            sd = a_s * np.sqrt(1 / n)
        return _sigma_limits(d.y.copy(), _full(k, cl), sd)
    raise AssertionError(chart)
