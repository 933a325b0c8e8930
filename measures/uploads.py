"""Reading an uploaded CSV or Excel file of a measure's data into rows (ops.tables), and checking each row
against the measure.

Nothing here touches the database: the rows (raw text kept for the preview) travel in an UploadBatch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ops.tables import Column, UploadError, find_columns, parse_number, read_rows

from . import periods

__all__ = ["COLUMNS", "RowChecker", "UploadError", "parse_number", "read_table"]

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


def _fmt(v: float) -> str:
    return f"{v:g}"


class RowChecker:
    """Checks rows one by one (so a long file can report progress), remembering the periods seen."""

    def __init__(self, chart: str, period: str, existing: set[dt.date], today: dt.date) -> None:
        self.chart, self.period, self.existing, self.today = chart, period, existing, today
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
            if start > self.today:
                problems.append(f"{periods.label(start, self.period)} is in the future.")
            out["period_start"] = start.isoformat()
        ratio = self.chart in ("p", "pp", "u", "up")
        if ratio:
            num = self._number(raw, "numerator", problems)
            den = self._number(raw, "denominator", problems)
            if den is not None and den <= 0:
                problems.append(f"The denominator must be more than zero (it is {_fmt(den)}).")
            if num is not None and num < 0:
                problems.append(f"The numerator cannot be negative (it is {_fmt(num)}).")
            if (self.chart in ("p", "pp") and num is not None and den is not None and den > 0 and num > den):
                problems.append(f"The numerator ({_fmt(num)}) is more than the denominator ({_fmt(den)}): "
                                "a proportion cannot be over 100%.")
            out["numerator"], out["denominator"] = num, den
        else:
            value = self._number(raw, "value", problems)
            if value is not None:
                if self.chart in ("c", "g") and value < 0:
                    problems.append(f"A count cannot be negative (it is {_fmt(value)}).")
                if self.chart == "t" and value <= 0:
                    problems.append(f"Days between events must be more than zero (it is {_fmt(value)}).")
            out["value"] = value
        start_iso = out["period_start"]
        if start_iso and not problems:
            if start_iso in self.seen and self.chart not in ("xbar", "s"):
                problems.append(f"{periods.label(dt.date.fromisoformat(start_iso), self.period)} appears twice "
                                f"in the file (also on line {self.seen[start_iso]}).")
            else:
                self.seen.setdefault(start_iso, row["line"])
            out["exists"] = dt.date.fromisoformat(start_iso) in self.existing
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
        if self.chart not in ("xbar", "s"):
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
