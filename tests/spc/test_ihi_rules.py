"""The IHI run-chart rules, on cases worked by hand from the published rules.

Source of the rules: Perla RJ, Provost LP, Murray SK. "The run chart: a simple analytical tool for learning
from variation in healthcare processes." BMJ Qual Saf 2011;20:46-51 (rules 1-4, figure 2 and table 1), and
Provost & Murray, The Health Care Data Guide (2011), chapter 3:
  1. Shift: six or more consecutive points all above or all below the median; values on the median are
     skipped (they neither make nor break a shift).
  2. Trend: five or more consecutive points all going up or all going down; when successive values are the
     same, only one counts (like points neither make nor break a trend).
  3. Too few or too many runs: the number of runs (crossings + 1, points on the median skipped) outside the
     range expected by chance for the number of useful points (table 1 starts at 10 useful points).
  4. Astronomical point: a blatantly different value. Left to judgement by the IHI; the product reads it as
     Tukey's far-out value (beyond the quartiles by 3 interquartile ranges), said so in spc/rules.py.
Each case gives its hand working; the expected results are not produced by the code under test.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from spc import SPCSettings, SPCValidationError, analyse
from spc.batch import analyse_many
from spc.reading import describe
from spc.rules import ihi_runs_limits

IHI = SPCSettings.ihi()


def _flagged(result, word: str) -> list[int]:
    return [i for i, r in enumerate(result.rule) if r and r.startswith(word)]


def test_a_shift_of_six_skips_the_point_on_the_median() -> None:
    # Seven values of 1-2, one 4, seven of 5-7 -> median 4 (8th of 15). Points 8, 9 and 11-14 are above it,
    # point 10 is on it: skipped, so six points in a row are above the median -> a shift (rule 1). Below:
    # runs of 3 and 4 points only.
    y = [1, 2, 1, 6, 2, 1, 2, 1, 5, 7, 4, 6, 5, 7, 6]
    r = analyse(y, chart="run", settings=IHI)
    assert r.cl[0] == 4
    assert _flagged(r, "Shift") == [8, 9, 11, 12, 13, 14]
    assert r.rule[8] == "Shift: 6 or more points above the median"
    # 14 useful points in 4 runs (L L L | H | L L L L | H x 6): within the 4-12 expected by chance.
    assert (r.phases[0].runs.n_runs, r.phases[0].runs.signal) == (4, False)
    assert r.variation_icon == "improvement_high"  # a shift up, improvement "increase"


def test_the_same_data_under_making_data_count_has_no_shift_because_the_median_point_breaks_it() -> None:
    r = analyse([1, 2, 1, 6, 2, 1, 2, 1, 5, 7, 4, 6, 5, 7, 6], chart="run", settings=SPCSettings.mdc(shift_length=6))
    assert not [x for x in r.rule if x and "Points" in x]


def test_a_trend_of_five_counts_equal_successive_points_once() -> None:
    # 3 4 4 6 7 8: the repeated 4 counts once -> 3 4 6 7 8, five points rising (rule 2); all six are marked.
    # Median 4.5; sides A B B B A A A B A B A B: no six in a row; 8 runs for 12 points, within 4-10.
    y = [5, 3, 4, 4, 6, 7, 8, 2, 5, 3, 6, 4]
    r = analyse(y, chart="run", settings=IHI)
    assert _flagged(r, "Trend") == [1, 2, 3, 4, 5, 6]
    assert r.rule[1] == "Trend: 5 or more points rising"
    assert not _flagged(r, "Shift") and not _flagged(r, "Astronomical")
    assert (r.phases[0].runs.n_runs, r.phases[0].runs.signal) == (8, False)


def test_a_tie_breaks_a_making_data_count_trend_but_not_an_ihi_one() -> None:
    y = [5, 3, 4, 4, 6, 7, 8, 2, 5, 3, 6, 4]
    r = analyse(y, chart="run", settings=SPCSettings.mdc(trend_length=5))
    assert not [x for x in r.rule if x and "Trend" in x]


def test_too_many_runs_when_every_point_crosses_the_median() -> None:
    # 1 3 1 3 ... (20 points): median 2, every point is its own run: 20 runs, more than the 15 expected at most
    # for 20 useful points (rule 3).
    r = analyse([1, 3] * 10, chart="run", settings=IHI)
    runs = r.phases[0].runs
    assert (runs.n_useful, runs.n_runs, runs.n_runs_max, runs.signal) == (20, 20, 15, True)
    assert "20 runs about the median, too many for chance" in describe(r, [str(i) for i in range(20)])


def test_no_runs_test_below_ten_useful_points() -> None:
    runs = analyse([1, 3] * 4, chart="run", settings=IHI).phases[0].runs
    assert (runs.n_runs_min, runs.n_runs_max, runs.signal) == (None, None, False)


def test_an_astronomical_point() -> None:
    # Sorted: 10 10 10 10 10 11 11 11 11 12 12 40. Quartiles (R type 7): Q1 = 10, Q3 = 11.25, IQR 1.25;
    # far out above 11.25 + 3 x 1.25 = 15: only the 40 (rule 4).
    y = [10, 11, 10, 12, 11, 10, 11, 40, 10, 11, 12, 10]
    r = analyse(y, chart="run", settings=IHI)
    assert _flagged(r, "Astronomical") == [7]
    assert r.rule[7] == "Astronomical point (high)"


def test_no_astronomical_point_without_spread() -> None:
    r = analyse([5, 5, 5, 5, 5, 5, 5, 5, 6], chart="run", settings=IHI)
    assert not _flagged(r, "Astronomical")


@pytest.mark.parametrize("n", range(10, 61))
def test_runs_limits_leave_about_two_and_a_half_percent_in_each_tail(n: int) -> None:
    """Swed & Eisenhart's distribution of runs with the points split evenly about the median: the limits
    are the widest range with at most 2.5 % below it and at most 2.5 % above it (about 5 % in all)."""
    n1, n2 = n // 2, n - n // 2
    total = comb(n, n1)

    def ways(r: int) -> int:
        k = r // 2
        if r % 2 == 0:
            return 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
        return comb(n1 - 1, k - 1) * comb(n2 - 1, k) + comb(n1 - 1, k) * comb(n2 - 1, k - 1)

    lo, hi = ihi_runs_limits(n)
    below = sum(ways(r) for r in range(2, lo)) / total
    above = sum(ways(r) for r in range(hi + 1, n + 1)) / total
    assert below <= 0.025 < below + ways(lo) / total
    assert above <= 0.025 < above + ways(hi) / total


def test_the_ihi_rules_read_run_charts_only() -> None:
    with pytest.raises(SPCValidationError, match="run charts only"):
        analyse([1, 2, 3], chart="i", settings=IHI)


def test_the_batch_path_reads_the_ihi_rules_as_the_single_series_path() -> None:
    rng = np.random.default_rng(17)
    v = np.round(rng.normal(10, 2, (200, 24)), 0) + np.where(rng.random((200, 1)) < 0.3, np.arange(24) * 0.4, 0)
    v[rng.random(v.shape) < 0.05] = np.nan
    v[::25, 5] = 60  # astronomical points
    b = analyse_many(v, chart="run", settings=IHI)
    for s in range(v.shape[0]):
        r = analyse(v[s], chart="run", settings=IHI)
        assert r.signal.tolist() == b.signal[s].tolist()
        assert bool(b.runs_signal[s]) == r.phases[0].runs.signal
        assert b.variation_icons()[s] == r.variation_icon
