"""Centre lines and control limits, one phase at a time.

Every formula follows qicharts2 0.8.1 (``R/helper.functions.R``); the XmR chart can use either
qicharts2's 3 * amr / 1.128 or Making Data Count's 2.66 * amr (NHSRplotthedots ``ptd_spc_standard``).
All arrays are per point of the phase; NaN means "no value".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .settings import D2_N2, SPCSettings
from .stats import c4, exact_mean, exact_median, exact_sum, row_means, row_medians, row_sums

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


# ---------------------------------------------------------------------------- lines of many rows at once
# Each takes (series x points) arrays holding what the lines are made from (a phase's baseline) and
# returns one value a row, or one a point for limits that vary with the denominator. The per-series
# path calls them with a one-row matrix, so each formula is written once.


def median_lines(y: np.ndarray) -> np.ndarray:
    """Run chart: the median is the centre line."""
    return row_medians(y)


def xmr_lines(y: np.ndarray, settings: SPCSettings) -> tuple[np.ndarray, ...]:
    """cl, lcl, ucl, lcl_95, ucl_95 per row of an individuals (XmR) chart."""
    cl = row_means(y)
    # qicharts2 takes diff(y - cl), NHSRplotthedots diff(y): equal up to the last bit.
    mr = np.abs(np.diff(y - cl[:, None] if settings.qicharts2_arithmetic else y, axis=1))
    amr = screened_means(mr, settings.screen_moving_ranges)
    if settings.qicharts2_arithmetic:
        sd = amr / D2_N2
        return cl, cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd
    c = settings.limit_constant
    near = 2 * (c / 3)  # ptd: limitclose <- 2 * (limit / 3)
    return cl, cl - c * amr, cl + c * amr, cl - near * amr, cl + near * amr


def screened_means(mr: np.ndarray, screen: bool, cut: float = MR_SCREEN) -> np.ndarray:
    """Average moving range per row, optionally after Nelson screening (strict test mr < cut * amr)."""
    amr = row_means(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            # NaN compares False: dropped, as NA is in R
            amr = row_means(np.where(mr < cut * amr[:, None], mr, math.nan))
    return amr


def ratio_centre(num: np.ndarray, n: np.ndarray) -> np.ndarray:
    """p and u charts: all events over all cases of the row (NaN when there are no cases)."""
    den = row_sums(n, n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, row_sums(num, ~np.isnan(num)) / np.where(den > 0, den, 1), math.nan)


def ratio_sigma(chart: str, cl: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Per point: binomial (Montgomery 7.8) for proportions, Poisson (Montgomery 7.19) for rates."""
    c = cl[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(c * (1 - c) / n) if chart in ("p", "pp") else np.sqrt(c / n)


def count_centre(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """c chart: the mean count and its Poisson sigma per row."""
    cl = row_means(counts)
    with np.errstate(invalid="ignore"):
        return cl, np.where(cl >= 0, np.sqrt(np.maximum(cl, 0)), math.nan)


def sigma_limits(y: np.ndarray, cl: np.ndarray, sd: np.ndarray) -> PhaseLimits:
    with np.errstate(invalid="ignore"):
        return PhaseLimits(y, cl, cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd)


def clip_ratio_limits(chart: str, lim: PhaseLimits) -> None:
    high = 1.0 if chart in ("p", "pp") else None
    for a in (lim.lcl, lim.lcl_95, lim.ucl, lim.ucl_95):
        _clip_finite(a, 0.0, high)


def _rows(v: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A value per row spread over the row's points."""
    return np.broadcast_to(v[:, None], shape).copy()


def many_limits(chart: str, y: np.ndarray, num: np.ndarray | None, n: np.ndarray | None,
                settings: SPCSettings) -> PhaseLimits:
    """Lines of a (series x points) matrix, every point a baseline point: charts run, i, c, p, u.
    y: the statistic (numerator / denominator for p and u); num, n: numerators and denominators (0 where
    missing) for p and u."""
    shape = y.shape
    if chart == "run":
        nan = np.full(shape, math.nan)
        return PhaseLimits(y, _rows(median_lines(y), shape), nan, nan.copy(), nan.copy(), nan.copy())
    if chart == "i":
        return PhaseLimits(y, *(_rows(v, shape) for v in xmr_lines(y, settings)))
    if chart == "c":
        cl, sd = count_centre(y)
        lim = sigma_limits(y, _rows(cl, shape), _rows(sd, shape))
        _clip_finite(lim.lcl, 0.0, None)
        _clip_finite(lim.lcl_95, 0.0, None)
        return lim
    assert num is not None and n is not None
    cl = ratio_centre(num, n)
    lim = sigma_limits(y, _rows(cl, shape), ratio_sigma(chart, cl, n))
    clip_ratio_limits(chart, lim)
    return lim


# ---------------------------------------------------------------------------- one phase of one series


def _screened_mean(mr: np.ndarray, screen: bool, cut: float = MR_SCREEN) -> float:
    return float(screened_means(mr[None, :], screen, cut)[0])


def xmr_limits(y: np.ndarray, base: np.ndarray, settings: SPCSettings) -> PhaseLimits:
    k = y.size
    cl, lcl, ucl, l95, u95 = (float(v[0]) for v in xmr_lines(y[base][None, :], settings))
    return PhaseLimits(y.copy(), _full(k, cl), _full(k, lcl), _full(k, ucl), _full(k, l95), _full(k, u95))


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


def _run(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    k = d.y.size
    nan = _full(k, math.nan)
    return PhaseLimits(d.y.copy(), _full(k, float(median_lines(d.y[d.base][None, :])[0])), nan, nan.copy(),
                       nan.copy(), nan.copy())


def _individuals(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    return xmr_limits(d.y, d.base, settings)


def _moving_range(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    k = d.y.size
    # The moving range of all points of the phase; the centre line from the baseline only.
    mr = np.concatenate(([math.nan], np.abs(np.diff(d.y)))) if k else d.y.copy()
    cl = exact_mean(mr[d.base])
    # D4 = 3.267 for n = 2; qicharts2's 2-sigma line is (3.267 / 3) * 2 * cl.
    return PhaseLimits(mr, _full(k, cl), _full(k, 0.0), _full(k, 3.267 * cl), _full(k, 0.0),
                       _full(k, (3.267 / 3) * 2 * cl))


def _ratio(chart: str) -> Callable[[PhaseData, SPCSettings], PhaseLimits]:
    def limits(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
        cl = float(ratio_centre(d.y_sum[d.base][None, :], d.n[d.base][None, :])[0])
        sd = ratio_sigma(chart, np.array([cl]), d.n[None, :])[0]
        if chart in ("pp", "up"):
            sd = sd * _laney_sigma_z(d.y, cl, sd, d.base, settings)
        lim = sigma_limits(d.y.copy(), _full(d.y.size, cl), sd)
        clip_ratio_limits(chart, lim)
        return lim

    return limits


def _count(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    y = d.y_sum.copy()
    cl, sd = (float(v[0]) for v in count_centre(y[d.base][None, :]))
    lim = sigma_limits(y, _full(y.size, cl), _full(y.size, sd))
    _clip_finite(lim.lcl, 0.0, None)
    _clip_finite(lim.lcl_95, 0.0, None)
    return lim


def _geometric(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    """Limits from the mean m, m +/- 3 sqrt(m (m + 1)); the centre line drawn is the median (the
    distribution is skewed), qicharts2 qic.g."""
    k = d.y.size
    m = exact_mean(d.y[d.base])
    sd = math.sqrt(m * (m + 1)) if m >= 0 else math.nan
    lim = sigma_limits(d.y.copy(), _full(k, m), _full(k, sd))
    _clip_finite(lim.lcl, 0.0, None)
    _clip_finite(lim.lcl_95, 0.0, None)
    lim.cl = _full(k, exact_median(d.y[d.base]))
    return lim


def _time_between(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    yt = np.power(d.y, 1 / T_POWER)
    lim = xmr_limits(yt, d.base, settings)
    with np.errstate(invalid="ignore"):
        def back(a: np.ndarray) -> np.ndarray:
            # A negative transformed limit has no real power: NaN, as in R.
            return np.where(a < 0, math.nan, np.power(np.abs(a), T_POWER))

        out = PhaseLimits(np.power(yt, T_POWER), back(lim.cl), back(lim.lcl), back(lim.ucl),
                          back(lim.lcl_95), back(lim.ucl_95))
        out.lcl[np.isnan(out.lcl) | (out.lcl < 0)] = 0.0  # only lcl is clipped in qic.t
    return out


def _pooled_sd(d: PhaseData) -> float:
    ln, lb, sdb = d.y_len, d.y_len[d.base], d.y_sd[d.base]
    if np.unique(ln).size > 1:  # "equal sizes" is judged on all rows of the phase
        num = exact_sum((lb - 1) * sdb**2)
        return math.sqrt(num / exact_sum(lb - 1)) if exact_sum(lb - 1) > 0 else math.nan
    return exact_mean(sdb)


def _xbar(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    ln, lb = d.y_len, d.y_len[d.base]
    s_bar, c4n = _pooled_sd(d), c4(ln)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = exact_sum(lb)
        cl = exact_sum(lb * d.y[d.base]) / den if den > 0 else math.nan
        a3 = 3 / (c4n * np.sqrt(ln))
        a3_95 = 2 / (c4n * np.sqrt(ln))
        return PhaseLimits(d.y.copy(), _full(d.y.size, cl), cl - a3 * s_bar, cl + a3 * s_bar,
                           cl - a3_95 * s_bar, cl + a3_95 * s_bar)


def _sd(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    s_bar, c4n = _pooled_sd(d), c4(d.y_len)
    with np.errstate(invalid="ignore", divide="ignore"):
        c5n = np.sqrt(1 - c4n**2)
        b4, b4_95 = 1 + 3 * c5n / c4n, 1 + 2 * c5n / c4n
        b3, b3_95 = np.maximum(0, 1 - 3 * c5n / c4n), np.maximum(0, 1 - 2 * c5n / c4n)
        return PhaseLimits(d.y_sd.copy(), _full(d.y.size, s_bar), b3 * s_bar, b4 * s_bar, b3_95 * s_bar,
                           b4_95 * s_bar)


def _individuals_prime(d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    base = d.base
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
    return sigma_limits(d.y.copy(), _full(d.y.size, cl), sd)


PHASE_LIMITS: dict[str, Callable[[PhaseData, SPCSettings], PhaseLimits]] = {
    "run": _run, "i": _individuals, "mr": _moving_range, "p": _ratio("p"), "pp": _ratio("pp"), "u": _ratio("u"),
    "up": _ratio("up"), "c": _count, "g": _geometric, "t": _time_between, "xbar": _xbar, "s": _sd,
    "ip": _individuals_prime,
}


def phase_limits(chart: str, d: PhaseData, settings: SPCSettings) -> PhaseLimits:
    """Centre line and limits of one phase of one series, by chart type."""
    return PHASE_LIMITS[chart](d, settings)
