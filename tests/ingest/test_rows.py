"""Checking rows against a measure's chart and period, without a database."""

import datetime as dt

from ingest.rows import check_rows, takes

TODAY = dt.date(2025, 6, 18)


def check(rows, chart="i", period="month"):
    return check_rows(rows, chart=chart, period=period, today=TODAY)


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
    out = check_rows([{"period": "2025-01-01", "value": "x"}], chart="i", period="month", today=TODAY,
                     measure_id=7, indexes=[12])
    assert (out.problems[0].row, out.problems[0].measure_id) == (12, 7)
