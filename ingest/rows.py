"""Checking the rows a system sends against a measure, before anything is saved. No database access.

The rules are the ones people meet when they type data or upload a file (measures.plausibility): a date
counts for the period that holds it, periods from 1990 (or the measure's first period) to today, denominators
above zero, proportions not over 100%, counts whole and not negative, the measure's own minimum and maximum.
An API caller is a program, so the input is stricter than a spreadsheet's: numbers are JSON numbers and dates
are ISO dates. A point far outside its measure's history is saved with a warning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from measures import periods
from measures.plausibility import Rules, far_outside, period_problem, raw_value, takes, value_problems

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_COMMENT = 500
MAX_OBSERVATIONS = 1000
VALUE_FIELDS = ("value", "numerator", "denominator", "observations")


FIELDS_TAKEN = {"value": ("value",), "ratio": ("numerator", "denominator"), "observations": ("observations",)}


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str
    field: str | None = None
    measure_id: int | None = None


@dataclass
class CheckedRow:
    """A row that passed: its period's first day and what to store. comment None means 'not sent'."""

    index: int
    period_start: dt.date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    observations: list[float] | None = None
    comment: str | None = None


@dataclass
class Checked:
    rows: list[CheckedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems}


class _Bad(ValueError):
    pass


def _number(v: Any, name: str) -> float:
    # bool is an int in Python, but `true` is not a number anyone meant to send.
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _Bad(f"The {name} must be a JSON number (got {_show(v)}).")
    try:
        number = float(v)
    except OverflowError:
        raise _Bad(f"The {name} is too large.") from None
    if not math.isfinite(number):
        raise _Bad(f"The {name} must be a finite number.")
    return number


def _show(v: Any) -> str:
    text = repr(v) if not isinstance(v, str) else f"‘{v}’"
    return text if len(text) <= 40 else text[:37] + "…"


def _period(v: Any) -> dt.date:
    if not isinstance(v, str) or not ISO_DATE.match(v):
        raise _Bad(f"The period must be a date written YYYY-MM-DD (got {_show(v)}).")
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise _Bad(f"‘{v}’ is not a real date.") from None


def check_rows(rows: Sequence[Any], *, rules: Rules, measure_id: int | None = None,
               indexes: Sequence[int] | None = None, extra_fields: Sequence[str] = ()) -> Checked:
    """Check each row on its own, then the batch as a whole (a period sent twice is a problem in both rows).

    rules: what a point of the measure can be (measures.plausibility); a point far outside its history is
    saved with a warning, since a program cannot be asked to confirm it.
    indexes: each row's position in the request, when the rows are a slice of a larger batch.
    extra_fields: keys the caller's endpoint already dealt with (e.g. measure_id).
    """
    out = Checked()
    chart, period = rules.chart, rules.period
    kind = takes(chart)
    wanted = FIELDS_TAKEN[kind]
    known = {"period", "comment", *VALUE_FIELDS, *extra_fields}
    seen: dict[dt.date, list[int]] = defaultdict(list)
    passed: list[CheckedRow] = []
    for position, raw in enumerate(rows):
        index = indexes[position] if indexes is not None else position
        problems: list[RowProblem] = []

        def problem(reason: str, name: str | None = None, _row: int = index, _list: list = problems) -> None:
            _list.append(RowProblem(row=_row, reason=reason, field=name, measure_id=measure_id))

        if not isinstance(raw, Mapping):
            problem("Each row must be a JSON object.")
            out.problems.extend(problems)
            continue
        for name in sorted(set(raw) - known, key=str):
            problem(f"Unknown field ‘{name}’: a row has period, {', '.join(wanted)} and comment.", str(name))
        for name in VALUE_FIELDS:
            if name not in wanted and raw.get(name) is not None:
                problem(f"This measure takes {' and '.join(wanted)}, not {name}.", name)

        row = CheckedRow(index=index, period_start=dt.date.min)
        if raw.get("period") is None:
            problem("No period: send the period's date as YYYY-MM-DD.", "period")
        else:
            try:
                day = _period(raw["period"])
            except _Bad as e:
                problem(str(e), "period")
            else:
                start = periods.period_start(day, period)
                row.period_start = start
                seen[start].append(index)
                if problem_text := period_problem(start, rules):
                    problem(problem_text, "period")
                elif start != day:
                    out.notes.append(RowProblem(
                        row=index, field="period", measure_id=measure_id,
                        reason=f"{day.isoformat()} counted as {start.isoformat()} "
                               f"({periods.describe_period(period)})."))

        for name in wanted:
            v = raw.get(name)
            if name == "observations":
                _observations(v, row, problem)
            elif v is None:
                problem(f"No {name}.", name)
            else:
                try:
                    setattr(row, name, _number(v, name))
                except _Bad as e:
                    problem(str(e), name)
        if not problems:
            for name, reason in value_problems(rules, value=row.value, numerator=row.numerator,
                                               denominator=row.denominator, observations=row.observations):
                problem(reason, name)
        if not problems:
            unusual = far_outside(rules, raw_value(chart, row.value, row.numerator, row.denominator))
            if unusual:
                out.warnings.append(RowProblem(row=index, field=wanted[0], measure_id=measure_id, reason=unusual))

        comment = raw.get("comment")
        if comment is not None:
            if not isinstance(comment, str):
                problem(f"The comment must be text (got {_show(comment)}).", "comment")
            elif len(comment.strip()) > MAX_COMMENT:
                problem(f"The comment is {len(comment.strip())} characters; the limit is {MAX_COMMENT}.", "comment")
            else:
                row.comment = comment.strip()

        out.problems.extend(problems)
        if not problems:
            passed.append(row)

    for start, where in seen.items():
        if len(where) > 1:
            for index in where:
                others = ", ".join(str(i) for i in where if i != index)
                out.problems.append(RowProblem(
                    row=index, field="period", measure_id=measure_id,
                    reason=f"{periods.label(start, period)} ({start.isoformat()}) is sent more than once "
                           f"(also row {others}): send one row per period."))
    bad = out.bad_rows
    out.rows = [r for r in passed if r.index not in bad]
    out.warnings = [w for w in out.warnings if w.row not in bad]
    out.problems.sort(key=lambda p: p.row)
    return out


def _observations(v: Any, row: CheckedRow, problem) -> None:
    if v is None:
        problem("No observations: send the period's observations as a list of numbers.", "observations")
        return
    if not isinstance(v, list) or not v:
        problem("The observations must be a non-empty list of numbers.", "observations")
        return
    if len(v) > MAX_OBSERVATIONS:
        problem(f"{len(v)} observations in one period; the limit is {MAX_OBSERVATIONS}.", "observations")
        return
    try:
        values = [_number(x, "observation") for x in v]
    except _Bad as e:
        problem(str(e), "observations")
        return
    row.observations = values
    # The mean is the point's value, as when a person types the observations.
    row.value = sum(values) / len(values)
