"""Reading an uploaded CSV or Excel file of a measure's data into rows (ops.tables), and checking each row
against the measure.

Nothing here touches the database: the rows (raw text kept for the preview) travel in an UploadBatch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ops.tables import Column, UploadError, find_columns, parse_number, read_rows
from spc.engine import RATIO_CHARTS, SUBGROUP_CHARTS

from . import periods
from .plausibility import Rules, far_outside, period_problem, raw_value, value_problems

__all__ = ["COLUMNS", "RowChecker", "UploadError", "parse_number", "parse_paste", "read_table"]

COLUMNS = (
    Column("date", ("date", "period", "periodstart", "month", "week", "weekcommencing", "wc", "day", "monthstart")),
    Column("value", ("value", "count", "result", "score", "total", "rate", "percentage", "percent")),
    Column("numerator", ("numerator", "num", "events", "top")),
    Column("denominator", ("denominator", "den", "denom", "bottom", "beddays", "obd", "occupiedbeddays", "cases")),
    Column("comment", ("comment", "comments", "note", "notes")),
)


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of {date, value, numerator, denominator, comment} as text, with the spreadsheet's line number."""
    rows, headings = read_rows(data, filename, COLUMNS)
    fields = set().union(*(r["raw"] for r in rows)) if rows else set(find_columns(headings, COLUMNS))
    if "date" not in fields:
        raise UploadError("The first row must name the columns. None of them is a date: call it 'date', "
                          "'period' or 'month'. Found: " + ", ".join(headings[:8]))
    if "value" not in fields and not ("numerator" in fields and "denominator" in fields):
        raise UploadError("The file needs a 'value' column, or 'numerator' and 'denominator' columns.")
    if not rows:
        raise UploadError("The file has a header row but no data.")
    return rows


class RowChecker:
    """Checks rows one by one (so a long file can report progress), remembering the periods seen."""

    def __init__(self, rules: Rules, existing: set[dt.date]) -> None:
        self.rules, self.chart, self.period, self.existing = rules, rules.chart, rules.period, existing
        self.seen: dict[str, int] = {}

    def check(self, row: dict) -> dict:
        raw = row["raw"]
        problems: list[str] = []
        notes: list[str] = []
        out: dict[str, Any] = {"line": row["line"], "raw": raw, "period_start": None, "value": None,
                               "numerator": None, "denominator": None, "comment": raw.get("comment", "")[:500],
                               "exists": False}
        text = raw.get("date", "")
        day = periods.parse_date(text)
        if not text:
            problems.append("No date.")
        elif day is None:
            problems.append(f"‘{text}’ is not a date we can read: use 2025-03-01 or 01/03/2025.")
        else:
            start = periods.period_start(day, self.period)
            if start != day:
                notes.append(f"{day:%-d %b %Y} counted as {periods.label(start, self.period)} "
                             f"({periods.describe_period(self.period)}).")
            problem = period_problem(start, self.rules)
            if problem:
                problems.append(problem)
            out["period_start"] = start.isoformat()
        if self.chart in RATIO_CHARTS:
            num = self._number(raw, "numerator", problems)
            den = self._number(raw, "denominator", problems)
            out["numerator"], out["denominator"] = num, den
        else:
            out["value"] = self._number(raw, "value", problems)
        needed = (out["numerator"], out["denominator"]) if self.chart in RATIO_CHARTS else (out["value"],)
        if None not in needed:  # a missing or unreadable number is already a problem of its own
            problems.extend(m for _, m in value_problems(self.rules, value=out["value"], numerator=out["numerator"],
                                                         denominator=out["denominator"]))
        start_iso = out["period_start"]
        if start_iso and not problems:
            if start_iso in self.seen and self.chart not in SUBGROUP_CHARTS:
                problems.append(f"{periods.label(dt.date.fromisoformat(start_iso), self.period)} appears twice "
                                f"in the file (also on line {self.seen[start_iso]}).")
            else:
                self.seen.setdefault(start_iso, row["line"])
            out["exists"] = dt.date.fromisoformat(start_iso) in self.existing
        if not problems and self.chart not in SUBGROUP_CHARTS:
            unusual = far_outside(self.rules, raw_value(self.chart, out["value"], out["numerator"],
                                                        out["denominator"]))
            if unusual:
                out["unusual"] = unusual
        out["problems"], out["notes"] = problems, notes
        return out

    def _number(self, raw: dict, field: str, problems: list[str]) -> float | None:
        text = raw.get(field, "")
        if not text:
            problems.append(f"No {field}.")
            return None
        v = parse_number(text)
        if v is None:
            problems.append(f"The {field} ‘{text}’ is not a number.")
        return v

    def finish(self, rows: list[dict]) -> None:
        """X-bar and S charts: rows of the same period are that period's observations."""
        if self.chart not in SUBGROUP_CHARTS:
            return
        first: dict[str, dict] = {}
        for r in rows:
            if r["problems"] or not r["period_start"]:
                continue
            head = first.get(r["period_start"])
            if head is None:
                first[r["period_start"]] = r
                r["observations"] = [r["value"]]
            else:
                head["observations"].append(r["value"])
                r["merged"] = True
                r["notes"].append(f"Another observation for line {head['line']}'s period.")
        for head in first.values():
            obs = head["observations"]
            head["value"] = sum(obs) / len(obs)


# --------------------------------------------------------------------------- pasting from a spreadsheet

MAX_PASTED_ROWS = 500


def parse_paste(text: str, takes: str) -> list[dict[str, str]]:
    """Rows pasted from Excel (tab-separated; commas or semicolons also do) as the data table's text fields.

    takes: 'value' (one number a row), 'ratio' (numerator then denominator) or 'observations' (every number
    of the row). A first cell that reads as a date is the row's period; otherwise rows take the next periods.
    A heading row is skipped; a cell that is not a number after the numbers is the comment. Nothing is
    checked here: the data table checks each row as if it had been typed, so what was pasted stays visible.
    """
    out: list[dict[str, str]] = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        sep = "\t" if "\t" in line else (";" if ";" in line else ("," if takes != "observations" else "\t"))
        cells = [c.strip() for c in line.split(sep)]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        date = ""
        if periods.parse_date(cells[0]) is not None or (len(cells) > 1 and parse_number(cells[0]) is None
                                                         and parse_number(cells[1]) is not None):
            date, cells = cells[0], cells[1:]
        if not out and not date and cells and all(parse_number(c) is None for c in cells):
            continue  # a heading row
        numbers: list[str] = []
        comment: list[str] = []
        for c in cells:
            (comment if comment or (parse_number(c) is None and numbers) else numbers).append(c)
        row = {"date": date, "comment": " ".join(comment)[:500]}
        if takes == "ratio":
            row["numerator"] = numbers[0] if numbers else ""
            row["denominator"] = numbers[1] if len(numbers) > 1 else ""
            if len(numbers) > 2:
                row["comment"] = " ".join([*numbers[2:], row["comment"]]).strip()
        elif takes == "observations":
            row["observations"] = ", ".join(numbers)
        else:
            row["value"] = numbers[0] if numbers else ""
            if len(numbers) > 1:
                row["comment"] = " ".join([*numbers[1:], row["comment"]]).strip()
        out.append(row)
        if len(out) >= MAX_PASTED_ROWS:
            break
    return out
