"""Property tests: the engine answers any input with a result or a readable SPCValidationError."""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spc import CHARTS, SPCSettings, SPCValidationError, analyse

SETTINGS = [SPCSettings.mdc(), SPCSettings.anhoej(), SPCSettings.mdc(precedence="rule_order", shift_length=6,
                                                                     trend_length=5, freeze_each_phase=True)]
value = st.one_of(st.none(), st.just(float("nan")), st.floats(min_value=-1e6, max_value=1e6),
                  st.integers(min_value=-1000, max_value=1000))
FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def series(draw: st.DrawFn) -> dict:
    k = draw(st.integers(min_value=0, max_value=80))
    vals = draw(st.lists(value, min_size=k, max_size=k))
    chart = draw(st.sampled_from(CHARTS))
    den = None
    if chart in ("p", "pp", "u", "up", "ip") or draw(st.booleans()) and chart == "run":
        den = draw(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=500),
                                      st.floats(min_value=0, max_value=1e4)), min_size=k, max_size=k))
    subgroups = None
    if chart in ("xbar", "s") and draw(st.booleans()):
        subgroups = draw(st.lists(st.integers(min_value=0, max_value=15), min_size=k, max_size=k))
    return {
        "values": vals, "chart": chart, "denominators": den, "subgroups": subgroups,
        "phase_starts": draw(st.lists(st.integers(min_value=0, max_value=85), max_size=4)),
        "freeze": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=40))),
        "exclude": draw(st.lists(st.integers(min_value=0, max_value=85), max_size=4)),
        "settings": draw(st.sampled_from(SETTINGS)),
        "improvement": draw(st.sampled_from(["increase", "decrease", "neutral"])),
        "target": draw(st.one_of(st.none(), st.floats(min_value=-100, max_value=100))),
        "multiply": draw(st.sampled_from([1, 100, 0.5])),
    }


@FAST
@given(series())
def test_any_input_gives_a_result_or_a_validation_error(kw: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warnings leaking out would be a bug too
        try:
            r = analyse(**kw)
        except SPCValidationError as e:
            assert str(e)
            return
    k = len(r)
    for a in (r.y, r.cl, r.lcl, r.ucl, r.lcl_95, r.ucl_95, r.signal, r.phase):
        assert a.shape == (k,)
    assert len(r.point_type) == len(r.rule) == k
    assert sum(p.n_points for p in r.phases) == k
    with np.errstate(invalid="ignore"):
        both = ~np.isnan(r.lcl) & ~np.isnan(r.cl) & ~np.isnan(r.ucl)
        tol = 1e-9 * np.maximum(1, np.abs(r.cl))
        assert (r.lcl[both] <= r.cl[both] + tol[both]).all()
        assert (r.cl[both] <= r.ucl[both] + tol[both]).all()
    assert ((r.signal != 0) == [t != "common_cause" for t in r.point_type]).all()
    assert not any(r.signal[r.missing])


def _ambiguous(r, y: np.ndarray) -> bool:
    """A point within rounding of a limit may fall either side after an affine map."""
    scale = max(1.0, float(np.nanmax(np.abs(y)))) if np.isfinite(y).any() else 1.0
    with np.errstate(invalid="ignore"):
        for lim in (r.lcl, r.ucl, r.lcl_95, r.ucl_95):
            if np.nanmin(np.abs(y - lim), initial=np.inf) < 1e-7 * scale:
                return True
    return False


@FAST
@given(
    st.lists(st.one_of(st.none(), st.integers(min_value=-1000, max_value=1000)), min_size=0, max_size=80),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=-10_000, max_value=10_000),
    st.sampled_from(SETTINGS),
    st.lists(st.integers(min_value=0, max_value=80), max_size=3),
)
def test_xmr_is_scale_and_shift_equivariant(ys: list, a: int, b: int, s: SPCSettings, phases: list) -> None:
    # Integers keep a*y + b exact, so only the limits themselves carry rounding.
    y = np.array([np.nan if v is None else float(v) for v in ys])
    r1 = analyse(y, chart="i", settings=s, phase_starts=phases)
    y2 = a * y + b
    r2 = analyse(y2, chart="i", settings=s, phase_starts=phases)
    for l1, l2 in ((r1.cl, r2.cl), (r1.lcl, r2.lcl), (r1.ucl, r2.ucl), (r1.lcl_95, r2.lcl_95)):
        assert np.allclose(a * l1 + b, l2, rtol=1e-9, atol=1e-6 * a, equal_nan=True)
    assume(not _ambiguous(r1, y) and not _ambiguous(r2, y2))
    assert (r1.signal == r2.signal).all()
    assert r1.rule == r2.rule
    assert r1.variation_icon == r2.variation_icon


def test_equivariance_example_with_decimals() -> None:
    y = [12.1, 11.8, 13.0, 12.4, 12.9, 11.5, 12.2, 14.8, 12.0, 12.6, 11.9, 12.3, 12.7, 12.5]
    r1 = analyse(y, chart="i")
    r2 = analyse([2 * v + 3 for v in y], chart="i")
    assert math.isclose(2 * r1.ucl[0] + 3, r2.ucl[0], rel_tol=1e-12)
    assert (r1.signal == r2.signal).all()
