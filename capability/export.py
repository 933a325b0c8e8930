"""The trained-against-needed dashboard as an Excel workbook (one sheet a table)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from .services import Dashboard


def dashboard_workbook(board: Dashboard) -> bytes:
    book = Workbook(write_only=True)

    def sheet(title: str, headings: list[str], rows):
        ws = book.create_sheet(title)
        ws.append(headings)
        for row in rows:
            ws.append(list(row))

    for title, rows in (("Staff", board.staff), ("Partners", board.partners)):
        sheet(f"{title} {board.year}", ["Audience", "Course", "Year", "In the audience", "Target", "Trained to date",
                                        "Gap"],
              [(r.target.audience.name, r.target.course.name, r.target.year, r.audience_size, r.needed, r.trained,
                r.gap) for r in rows])
    for breakdown in (board.by_directorate, board.by_staff_group):
        sheet(f"By {breakdown.label.lower()}", [breakdown.label, "Staff in post", *[c.name for c in board.courses]],
              [(row["name"], row["headcount"], *row["cells"]) for row in breakdown.rows()])
    years = sorted({y for points in board.cumulative.values() for y, _ in points})
    sheet("Cumulative", ["Course", *years],
          [(c.name, *[n for _, n in board.cumulative.get(c.pk, [])]) for c in board.courses])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
