"""Periods of a measure (day, week, month): where a date belongs, and how to label it. Pure Python."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# Day first: these are UK teams. ISO first because spreadsheets export it.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d")


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the period that contains `day` (weeks start on Monday)."""
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    return day


def next_period(day: dt.date, period: str) -> dt.date:
    if period == "month":
        y, m = divmod(day.year * 12 + day.month, 12)
        return dt.date(y, m + 1, 1)
    if period == "week":
        return day + dt.timedelta(days=7)
    return day + dt.timedelta(days=1)


def add_periods(day: dt.date, period: str, n: int) -> dt.date:
    if period == "month":
        y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
        return dt.date(y, m + 1, 1)
    return day + dt.timedelta(days=n * (7 if period == "week" else 1))


def label(day: dt.date, period: str) -> str:
    """How people say the period: 'Mar 2025', 'w/c 3 Mar 2025', '3 Mar 2025'."""
    year = f"{day.year:04d}"  # strftime writes year 1 as "1"
    if period == "month":
        return f"{day:%b} {year}"
    if period == "week":
        return f"w/c {day.day} {day:%b} {year}"
    return f"{day.day} {day:%b} {year}"


def describe_period(period: str) -> str:
    return {"month": "monthly data: the first of the month",
            "week": "weekly data: the Monday the week starts on",
            "day": "daily data"}[period]


def parse_date(text: object) -> dt.date | None:
    """A date from what people type or spreadsheets hold; None when it is not one.

    Accepts ISO dates, day-first UK dates, '2025-03', ISO weeks ('2025-W10'), 'Mar 2025', 'March 2025' and
    Excel's own dates.
    """
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = str(text or "").strip()
    if not s:
        return None
    s = re.sub(r"[T ]00:00(:00(\.0+)?)?$", "", s)  # spreadsheet datetimes at midnight
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", s, flags=re.IGNORECASE)  # an ISO week: the week picker's value
    if m:
        try:
            return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), 1)
        except ValueError:
            return None
    m = re.fullmatch(r"([A-Za-z]{3,9})[ -](\d{2}|\d{4})", s)
    if m and m[1][:3].lower() in MONTHS:
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        full = m[1].lower()
        names = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                 "october", "november", "december"]
        if len(full) == 3 or full in names or full == "sept":
            return dt.date(year, MONTHS[full[:3]], 1)
    return None
