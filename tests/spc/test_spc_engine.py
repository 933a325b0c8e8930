"""Edge cases and validation of the per-series engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spc import CHARTS, SPCSettings, SPCValidationError, analyse
from spc.stats import exact_mean, exact_median, qbinom_05_half

MDC = SPCSettings.mdc()
ANHOEJ = SPCSettings.anhoej()
STABLE = [10, 11, 9, 10, 12, 9, 11, 10, 8, 11, 10, 9, 11, 10, 12, 9, 10, 11, 9, 10]


def _den(chart: str, k: int) -> list[int] | None:
    return [20] * k if chart in ("p", "pp", "u", "up") else None


def _values(chart: str, vals: list) -> list:
    if chart == "t":
        return [None if v is None else v + 1 for v in vals]
    return vals


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("settings", [MDC, ANHOEJ], ids=["mdc", "anhoej"])
@pytest.mark.parametrize("vals", [
    [], [5], [None], [None] * 5, [7] * 20,
    [None, 3, 4, None, 6, 5, 7, 8, None, 9, 10, 11, 12, 13, None],
    [1, 2, 3, 4, 5, 6, None, 8, 9, 10, 11, 12, 13, 14],  # NA inside a trend: ptd's R code errors here
    [None] * 6 + [3, 4, 5, 6, 7, 8, 9] + [None] * 6,
], ids=["empty", "single", "single-missing", "all-missing", "constant", "gaps", "na-in-trend", "na-blocks"])
def test_never_crashes(chart: str, settings: SPCSettings, vals: list) -> None:
    vals = _values(chart, vals)
    r = analyse(vals, chart=chart, denominators=_den(chart, len(vals)), settings=settings, target=5,
                phase_starts=[7])
    assert len(r) == len(vals)
    assert len(r.point_type) == len(vals)
    if not vals or all(v is None for v in vals):
        assert r.variation_icon is None
        assert (r.signal == 0).all()


def test_missing_inside_trend_breaks_the_trend_but_not_the_analysis() -> None:
    y = [1, 2, 3, 4, 5, 6, None, 8, 9, 10, 11, 12, 13, 14]
    r = analyse(y, chart="i", settings=MDC)
    # 8..14 is a clean 7-point rising trend after the gap; 1..6 is only 6 points
    assert all("Trend" not in (x or "") for x in r.rule[:6])
    assert all(r.point_type[i] == "special_cause_improvement" for i in range(7, 14))
    trend_only = analyse(y, chart="i", settings=SPCSettings.mdc(two_of_three=False, shift_length=8))
    assert all("Trend (Increasing)" in (trend_only.rule[i] or "") or "UCL" in (trend_only.rule[i] or "")
               for i in range(7, 14))
    assert r.missing[6] and r.point_type[6] == "common_cause"


def test_constant_series_has_no_signal() -> None:
    # Always 100 %: a p chart whose numerator equals its denominator.
    r = analyse([30] * 15, chart="p", denominators=[30] * 15, settings=MDC, target=0.95)
    assert (r.cl == 1).all()
    assert (r.signal == 0).all()
    assert r.variation_icon == "common_cause"
    # XmR on a constant: every moving range is 0, screening drops them all -> no limits (as R).
    r = analyse([4.0] * 15, chart="i", settings=MDC)
    assert np.isnan(r.ucl).all() and (r.signal == 0).all()
    r = analyse([4.0] * 15, chart="i", settings=SPCSettings.mdc(screen_moving_ranges=False))
    assert (r.ucl == 4).all() and (r.signal == 0).all()


def test_zero_and_missing_denominators() -> None:
    num = [3, 4, 0, 5, None, 4, 6, 3, 2, 5, 4, 3, 4]
    den = [50, 52, 0, 48, 50, None, 51, 49, 50, 50, 47, 52, 50]
    for chart in ("p", "pp", "u", "up", "ip"):
        r = analyse(num, chart=chart, denominators=den, settings=ANHOEJ)
        assert r.missing[2] and r.missing[4] and r.missing[5]
        assert math.isnan(r.ucl[2]) and math.isnan(r.ucl[5])
        assert not r.missing[0] and not math.isnan(r.cl[0])


def test_improvement_wins_over_concern() -> None:
    # The 0 is below the lower limit (concern for "increase") and starts a 7-point rising trend.
    y = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 0, 4, 5, 6, 7, 8, 9]
    r = analyse(y, chart="i", settings=MDC)
    assert r.outside[16]
    assert r.point_type[16] == "special_cause_improvement"
    assert r.rule[16] == "7 Point Trend (Increasing)"
    ptd = analyse(y, chart="i", settings=SPCSettings.mdc(precedence="rule_order"))
    assert ptd.point_type[16] == "special_cause_concern" and ptd.rule[16] == "Below LCL"


def test_trend_with_repeated_values() -> None:
    base = [5, 7, 4, 6, 5, 7, 4, 6, 5, 6]
    tied = base + [1, 2, 3, 3, 4, 5, 6] + base  # the tie breaks it: no 7-point trend
    r = analyse(tied, chart="i", settings=MDC)
    assert not any("Trend" in (x or "") for x in r.rule)
    clean = base + [1, 2, 3, 4, 5, 6, 7] + base
    r = analyse(clean, chart="i", settings=MDC)
    assert all("Trend (Increasing)" in (r.rule[i] or "") or "Below" in (r.rule[i] or "") for i in range(10, 17))
    # Trend length is a setting (5, 6 or 7 points).
    short = base + [1, 2, 3, 4, 5, 6] + base
    assert not any("Trend" in (x or "") for x in analyse(short, chart="i", settings=MDC).rule)
    six = analyse(short, chart="i", settings=SPCSettings.mdc(trend_length=6))
    assert any("6 Point Trend" in (x or "") for x in six.rule)


def test_shift_length_setting_and_point_on_mean_breaks_a_shift() -> None:
    y = [10] * 3 + [12, 8] * 5 + [11] * 6 + [8, 12] * 3
    assert not any("Points" in (x or "") for x in analyse(y, chart="i", settings=MDC).rule)
    assert any("6 Points Above" in (x or "") for x in analyse(y, chart="i",
                                                             settings=SPCSettings.mdc(shift_length=6)).rule)


def test_assurance_after_rebase_uses_last_phase_only() -> None:
    before = [50, 52, 49, 51, 50, 48, 52, 51, 49, 50, 51, 50, 49, 52]
    after = [80, 82, 79, 81, 80, 78, 82, 81, 79, 80, 81, 80, 79, 82]
    r = analyse(before + after, chart="i", phase_starts=[14], target=70, settings=MDC)
    assert r.phases[0].ucl is not None and r.phases[0].ucl < 70 < r.phases[1].lcl  # type: ignore[operator]
    assert r.assurance_type == "consistent_pass" and r.assurance_icon == "pass"
    r = analyse(before + after, chart="i", phase_starts=[14], target=70, improvement="decrease", settings=MDC)
    assert r.assurance_icon == "fail"
    r = analyse(before + after, chart="i", phase_starts=[14], target=81, settings=MDC)
    assert r.assurance_icon == "inconsistent"


def test_trial_limits_flag() -> None:
    r = analyse(STABLE[:11], chart="i", settings=MDC)
    assert r.phases[0].trial_limits and r.warnings
    r = analyse(STABLE[:12], chart="i", settings=MDC)
    assert not r.phases[0].trial_limits
    r = analyse(STABLE + STABLE[:8], chart="i", phase_starts=[20], settings=MDC)
    assert [p.trial_limits for p in r.phases] == [False, True]
    # With a frozen baseline only the baseline points count.
    assert analyse(STABLE, chart="i", freeze=8, settings=MDC).phases[0].trial_limits


def test_single_point_and_all_missing() -> None:
    r = analyse([42], chart="i", settings=MDC, target=40)
    assert r.cl[0] == 42 and math.isnan(r.ucl[0])
    assert r.variation_icon == "common_cause" and r.assurance_icon == "inconsistent"
    r = analyse([None, None, None], chart="i", settings=MDC, target=40)
    assert r.missing.all() and r.variation_icon is None and r.assurance_icon is None


def test_freeze_and_phases_together() -> None:
    y = STABLE + [v + 5 for v in STABLE]
    frozen = analyse(y, chart="i", freeze=12, settings=MDC)
    assert frozen.cl[0] == exact_mean(np.array(STABLE[:12], dtype=float))
    both = analyse(y, chart="i", freeze=12, phase_starts=[20], settings=MDC)
    assert both.cl[0] == frozen.cl[0] and both.baseline[:12].all() and not both.baseline[12:20].any()
    assert both.baseline[20:].all()
    per_phase = analyse(y, chart="i", freeze=12, phase_starts=[20], settings=SPCSettings.mdc(freeze_each_phase=True))
    assert not per_phase.baseline[32:].any()
    assert per_phase.cl[20] == exact_mean(np.array(y[20:32], dtype=float))


def test_excluded_points_stay_on_the_chart() -> None:
    y = [*STABLE[:10], 40, *STABLE[10:]]
    r = analyse(y, chart="i", exclude=[10], settings=MDC)
    assert not r.included[10] and r.y[10] == 40
    assert r.cl[0] == exact_mean(np.array(STABLE, dtype=float))
    assert r.outside[10]  # still tested against the limits


def test_subgroups_xbar_and_s() -> None:
    rng = np.random.default_rng(5)
    obs = rng.normal(10, 1, 100).round(2).tolist()
    groups = [i // 5 for i in range(100)]
    xb = analyse(obs, chart="xbar", subgroups=groups, settings=ANHOEJ)
    s = analyse(obs, chart="s", subgroups=groups, settings=ANHOEJ)
    assert len(xb) == len(s) == 20
    assert (xb.lcl < xb.cl).all() and (s.ucl > s.cl).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"values": [1, "a", 3], "chart": "i"}, "not a number"),
    ({"values": [1, True, 3], "chart": "i"}, "not a number"),
    ({"values": [1, float("inf")], "chart": "i"}, "finite"),
    ({"values": [1, 2], "chart": "i", "denominators": [1]}, "match"),
    ({"values": [1, 2], "chart": "p", "denominators": [5, -1]}, "negative"),
    ({"values": [1, 6], "chart": "p", "denominators": [5, 5]}, "exceed"),
    ({"values": [1, 2], "chart": "p"}, "denominators"),
    ({"values": [1, 0, 2], "chart": "t"}, "greater than zero"),
    ({"values": [1, -2], "chart": "c"}, "negative"),
    ({"values": [1, 2], "chart": "banana"}, "Unknown chart"),
    ({"values": [1, 2], "chart": "i", "improvement": "up"}, "improvement"),
    ({"values": [1, 2], "chart": "i", "phase_starts": [-1]}, "positions"),
    ({"values": [1, 2], "chart": "i", "exclude": [1.5]}, "whole-number"),
    ({"values": [1, 2], "chart": "i", "freeze": 0}, "freeze"),
    ({"values": [1, 2], "chart": "i", "multiply": 0}, "multiply"),
    ({"values": [1, 2], "chart": "i", "target": "high"}, "target"),
    ({"values": [1, 2], "chart": "xbar", "subgroups": [1, "a"]}, "one kind"),
    ({"values": [1, 2], "chart": "xbar", "subgroups": [1]}, "match"),
    ({"values": "12", "chart": "i"}, "not a number"),
    ({"values": 12, "chart": "i"}, "list of numbers"),
])
def test_validation_errors_are_readable(kwargs: dict, message: str) -> None:
    values = kwargs.pop("values")
    with pytest.raises(SPCValidationError, match=message):
        analyse(values, **kwargs)


def test_decimal_values_from_the_database() -> None:
    from decimal import Decimal

    r = analyse([Decimal("1.5"), None, Decimal("2.5"), Decimal("NaN")], chart="i")
    assert r.y.tolist()[0] == 1.5 and r.missing.tolist() == [False, True, False, True]


def test_settings_validation() -> None:
    with pytest.raises(SPCValidationError):
        SPCSettings(shift_length=9)
    with pytest.raises(SPCValidationError):
        SPCSettings(method="western-electric")  # type: ignore[arg-type]
    assert SPCSettings.anhoej().qicharts2_arithmetic and not SPCSettings.mdc().qicharts2_arithmetic


def test_exact_helpers() -> None:
    assert exact_mean(np.array([0.1] * 10)) == math.fsum([0.1] * 10) / 10
    assert exact_median(np.array([3.0, np.nan, 1.0, 2.0, 10.0])) == 2.5
    assert math.isnan(exact_mean(np.array([np.nan])))
    # qbinom(0.05, n - 1, 0.5) for the table in SPEC 1.6 (n.useful: crossings minimum)
    table = {8: 1, 10: 2, 12: 3, 16: 4, 20: 6, 24: 8, 30: 10, 40: 14, 50: 19, 60: 23, 100: 41}
    assert {n: qbinom_05_half(n - 1) for n in table} == table


def test_anhoej_run_chart_long_run() -> None:
    y = [5, 6, 4, 5, 7, 3, 6, 4] + [9] * 9 + [5, 3, 6, 4]
    r = analyse(y, chart="run", settings=ANHOEJ)
    p = r.phases[0]
    assert p.runs.signal and p.runs.longest_run == 9
    assert r.runs_signal.all()
    assert all(r.signal[i] == 1 for i in range(8, 17))


def test_multiply_scales_display_only() -> None:
    num = [5, 7, 6, 4, 8, 6, 5, 7, 6, 5, 6, 7]
    den = [100] * 12
    a = analyse(num, chart="p", denominators=den, settings=ANHOEJ)
    b = analyse(num, chart="p", denominators=den, settings=ANHOEJ, multiply=100)
    assert np.allclose(a.y * 100, b.y) and np.allclose(a.ucl * 100, b.ucl)
    assert (a.signal == b.signal).all()


def test_to_dict_is_json_ready() -> None:
    import json

    r = analyse([1, None, 3, 4, 5], chart="i", settings=MDC, target=2)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["y"][1] is None and d["phases"][0]["runs"]["n_obs"] == 5
