"""Checking rows against a measure's chart and period, without a database."""

import datetime as dt

from ingest.rows import check_rows, takes
from measures.plausibility import Rules

TODAY = dt.date(2025, 6, 18)


def check(rows, chart="i", period="month", **rules):
    return check_rows(rows, rules=Rules(chart=chart, period=period, today=TODAY, **rules))


def test_a_weekly_measure_counts_any_day_for_the_monday_that_starts_its_week():
    out = check([{"period": "2025-06-12", "value": 4}], period="week")
    assert [r.period_start for r in out.rows] == [dt.date(2025, 6, 9)] and not out.problems
    assert "2025-06-09" in out.notes[0].reason


def test_the_current_period_is_accepted_and_the_next_one_is_not():
    assert check([{"period": "2025-06-30", "value": 1}]).rows
    assert "in the future" in check([{"period": "2025-07-01", "value": 1}]).problems[0].reason


def test_counts_cannot_be_negative_and_days_between_events_must_be_positive():
    assert "cannot be negative" in check([{"period": "2025-01-01", "value": -1}], chart="c").problems[0].reason
    assert "more than zero" in check([{"period": "2025-01-01", "value": 0}], chart="t").problems[0].reason
    assert check([{"period": "2025-01-01", "value": -1}], chart="i").rows  # an XmR value may be negative


def test_non_finite_and_huge_numbers_are_refused():
    for v in (float("nan"), float("inf"), 10**400):
        assert check([{"period": "2025-01-01", "value": v}]).problems


def test_what_each_chart_takes():
    assert [takes(c) for c in ("i", "run", "c", "p", "up", "xbar", "s")] == [
        "value", "value", "value", "ratio", "ratio", "observations", "observations"]


def test_rows_keep_their_position_in_the_request():
    out = check_rows([{"period": "2025-01-01", "value": "x"}], rules=Rules(chart="i", period="month", today=TODAY),
                     measure_id=7, indexes=[12])
    assert (out.problems[0].row, out.problems[0].measure_id) == (12, 7)


def test_absurd_periods_and_values_are_refused_and_far_outside_values_warned_about():
    assert "before 1990" in check([{"period": "0001-01-01", "value": 1}]).problems[0].reason
    first = check([{"period": "2020-01-01", "value": 1}], first_period=dt.date(2021, 3, 1))
    assert "before this measure's first period (Mar 2021)" in first.problems[0].reason
    assert "too large" in check([{"period": "2025-01-01", "value": 1e308}]).problems[0].reason
    assert "whole number" in check([{"period": "2025-01-01", "value": 2.5}], chart="c").problems[0].reason
    assert "between 0 and 100" in check([{"period": "2025-01-01", "value": 130}], percent=True).problems[0].reason
    assert "maximum (50)" in check([{"period": "2025-01-01", "value": 51}], maximum=50).problems[0].reason
    ratio = check([{"period": "2025-01-01", "numerator": 1.5, "denominator": 10}], chart="u")
    assert ratio.problems[0].field == "numerator" and "whole number" in ratio.problems[0].reason
    history = (10, 12, 9, 11, 10, 12, 11)
    far = check([{"period": "2025-01-01", "value": 5000}], history=history)
    assert far.rows and not far.problems  # saved, since a program cannot be asked to confirm
    assert far.warnings[0].row == 0 and "far outside" in far.warnings[0].reason
    assert not check([{"period": "2025-01-01", "value": 20}], history=history).warnings
