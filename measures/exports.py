"""A measure's data as CSV or Excel. Text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .models import DataPoint, Measure

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """OWASP CSV injection: a text cell starting with = + - @ tab or CR gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(measure: Measure, points: Sequence[DataPoint]) -> tuple[list[str], list[list[object]]]:
    ratio = measure.is_ratio
    header = ["period_start"] + (["numerator", "denominator"] if ratio else ["value"]) + [
        "comment", "excluded", "exclusion_reason"]
    rows = []
    for p in points:
        numbers = [_num(v) for v in ([p.numerator, p.denominator] if ratio else [p.value])]
        rows.append([p.period_start, *numbers, neutralise(p.comment), "yes" if p.excluded else "",
                     neutralise(p.exclusion_reason)])
    return header, rows


def _num(v: float | None) -> float | int | None:
    return int(v) if v is not None and float(v).is_integer() else v


def to_csv(measure: Measure, points: Sequence[DataPoint]) -> str:
    header, rows = _rows(measure, points)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([r.isoformat() if hasattr(r, "isoformat") else ("" if r is None else r) for r in row])
    return buf.getvalue()


def to_xlsx(measure: Measure, points: Sequence[DataPoint]) -> bytes:
    from openpyxl import Workbook  # only where a workbook is written

    header, rows = _rows(measure, points)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    about = wb.create_sheet("Measure")
    for label, value in (("Measure", measure.name), ("What is measured", measure.definition),
                         ("Numerator", measure.numerator), ("Denominator", measure.denominator),
                         ("How collected", measure.collection), ("Exclusions", measure.exclusions),
                         ("Unit", measure.unit), ("Chart", measure.get_chart_type_display())):
        about.append([label, neutralise(value)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
