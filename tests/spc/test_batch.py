"""The vectorised batch path agrees with the per-series engine."""

from __future__ import annotations

import numpy as np
import pytest

from spc import SPCSettings, SPCValidationError, analyse
from spc.batch import ASSURANCE_CODES, RULE_NAMES, analyse_many
from spc.icons import VARIATION_ICONS


def _rule_code(label: str | None) -> str:
    if label is None:
        return "none"
    if label.endswith(("UCL", "LCL")):
        return "outside_limits"
    if "Trend" in label:
        return "trend"
    if label.startswith("2 in 3"):
        return "two_of_three"
    if label.startswith("Run of"):
        return "long_run"
    return "shift"


def _data(chart: str, rng: np.random.Generator, S: int, P: int) -> tuple[np.ndarray, np.ndarray | None]:
    n = None
    if chart in ("p", "u"):
        n = rng.integers(0, 60, (S, P)).astype(float)
        v = rng.binomial(n.astype(int), 0.3).astype(float)
        n[rng.random((S, P)) < 0.03] = np.nan
    elif chart == "c":
        v = rng.poisson(5, (S, P)).astype(float)
    else:
        drift = np.where(rng.random((S, 1)) < 0.3, np.arange(P) * 0.3, 0)
        v = np.round(rng.normal(10, 2, (S, P)), 0) + drift  # rounding makes ties and points on the mean
    v[rng.random((S, P)) < 0.08] = np.nan
    return v, n


SETS = {
    "mdc": SPCSettings.mdc(),
    "mdc-ptd": SPCSettings.mdc(precedence="rule_order", icon_skips_missing=False, shift_length=8, trend_length=6),
    "mdc-unscreened": SPCSettings.mdc(screen_moving_ranges=False, two_of_three=False),
    "anhoej": SPCSettings.anhoej(),
}


@pytest.mark.parametrize("setting", list(SETS))
@pytest.mark.parametrize("chart", ["i", "run", "c", "p", "u"])
@pytest.mark.parametrize("improvement", ["increase", "decrease", "neutral"])
def test_batch_agrees_with_engine(setting: str, chart: str, improvement: str) -> None:
    rng = np.random.default_rng(abs(hash((setting, chart, improvement))) % 2**32)
    st = SETS[setting]
    for P in (0, 1, 7, 24, 36):
        S = 40
        v, n = _data(chart, rng, S, P)
        target = 10.0 if chart in ("i", "c", "run") else 0.3
        b = analyse_many(v, chart=chart, denominators=n, settings=st, improvement=improvement, target=target)
        for s in range(S):
            r = analyse(v[s], chart=chart, denominators=None if n is None else n[s], settings=st,
                        improvement=improvement, target=target)
            assert np.array_equal(r.cl, b.cl[s], equal_nan=True)
            for mine, theirs in ((r.ucl, b.ucl[s]), (r.lcl, b.lcl[s]), (r.ucl_95, b.ucl_95[s])):
                assert np.allclose(mine, theirs, rtol=1e-12, atol=0, equal_nan=True)
            assert r.signal.tolist() == b.signal[s].tolist()
            assert [_rule_code(x) for x in r.rule] == [RULE_NAMES[c] for c in b.rule[s]]
            icon = VARIATION_ICONS[b.variation_icon[s]] if b.variation_icon[s] >= 0 else None
            assert icon == r.variation_icon
            assurance = ASSURANCE_CODES[b.assurance[s]] if b.assurance[s] >= 0 else None
            assert assurance == r.assurance_type
            if P and (setting == "anhoej" or chart == "run"):
                assert bool(b.runs_signal[s]) == bool(r.phases[0].runs.signal)
                assert int(b.n_useful[s]) == r.phases[0].runs.n_useful


def test_batch_validation() -> None:
    with pytest.raises(SPCValidationError):
        analyse_many(np.ones((2, 3)), chart="xbar")
    with pytest.raises(SPCValidationError):
        analyse_many(np.ones(3), chart="i")
    with pytest.raises(SPCValidationError):
        analyse_many(np.ones((2, 3)), chart="p")
    with pytest.raises(SPCValidationError):
        analyse_many(np.full((2, 3), 5.0), chart="p", denominators=np.ones((2, 3)))


@pytest.mark.parametrize("setting", list(SETS))
@pytest.mark.parametrize("chart", ["i", "run", "c", "p", "u"])
def test_a_batch_row_is_the_result_the_engine_gives(setting: str, chart: str) -> None:
    """series(j) assembles a row through the engine's own assembly: same arrays, rules, phases, icons, words."""
    from spc.reading import describe

    rng = np.random.default_rng(abs(hash((setting, chart, "series"))) % 2**32)
    st = SETS[setting]
    for P, multiply in ((1, 1), (12, 100), (30, 1)):
        v, n = _data(chart, rng, 30, P)
        target = 10.0 if chart in ("i", "c", "run") else 0.3
        b = analyse_many(v, chart=chart, denominators=n, settings=st, improvement="decrease",
                         target=target / multiply, runs_analysis=True)
        x = [f"p{i}" for i in range(P)]
        for s in range(30):
            r = analyse(v[s], chart=chart, denominators=None if n is None else n[s], settings=st,
                        improvement="decrease", target=target, multiply=multiply)
            got = b.series(s, target=target, multiply=multiply)
            for name in ("y", "n", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
                assert np.allclose(getattr(got, name), getattr(r, name), rtol=1e-12, atol=0, equal_nan=True), name
            for name in ("signal", "runs_signal", "missing", "included", "baseline"):
                assert getattr(got, name).tolist() == getattr(r, name).tolist(), name
            assert (got.rule, got.point_type, got.phases, got.warnings) == (r.rule, r.point_type, r.phases,
                                                                             r.warnings)
            assert (got.variation_icon, got.assurance_icon, got.last_index) == (r.variation_icon, r.assurance_icon,
                                                                                r.last_index)
            assert describe(got, x) == describe(r, x)


@pytest.mark.parametrize("setting", list(SETS))
@pytest.mark.parametrize("chart", ["i", "run", "c", "p", "u"])
def test_series_padded_in_front_read_as_themselves(setting: str, chart: str) -> None:
    """Missing values in front change nothing of the points after them: series of different lengths share
    one matrix."""
    rng = np.random.default_rng(abs(hash((setting, chart, "pad"))) % 2**32)
    st = SETS[setting]
    v, n = _data(chart, rng, 20, 40)
    starts = rng.integers(0, 30, 20)
    for s, k in enumerate(starts.tolist()):
        v[s, :k] = np.nan
        if n is not None:
            n[s, :k] = np.nan
    b = analyse_many(v, chart=chart, denominators=n, settings=st, runs_analysis=True, target=0.3)
    for s, k in enumerate(starts.tolist()):
        r = analyse(v[s, k:], chart=chart, denominators=None if n is None else n[s, k:], settings=st, target=0.3)
        got = b.series(s, target=0.3, start=k)
        assert (got.rule, got.point_type, got.phases, got.variation_icon, got.assurance_icon) == (
            r.rule, r.point_type, r.phases, r.variation_icon, r.assurance_icon)
        assert np.allclose(got.ucl, r.ucl, rtol=1e-12, atol=0, equal_nan=True)
