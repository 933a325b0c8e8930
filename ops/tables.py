"""Reading an uploaded spreadsheet (CSV or Excel) into rows of text, for every import in the product.

Each import names the columns it wants and the headings people use for them (`Column`); this module finds
them in the first row, keeps each cell as the text the person sees in their spreadsheet, and numbers the
rows by their line in the file, so that a preview can say "line 14: …". Checking the rows against the
domain is each importer's own job (measures.uploads.RowChecker, for one). Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


class UploadError(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Column:
    """A column an import reads: its field name and the headings that mean it (compared without case,
    spaces or punctuation)."""

    field: str
    aliases: tuple[str, ...]

    def matches(self, header: object) -> bool:
        return heading_key(header) in self.aliases or heading_key(header) == heading_key(self.field)


def heading_key(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header).lower())


def cell_text(v: Any) -> str:
    """Keep what the person sees in their spreadsheet, as text."""
    if type(v) is str:  # every cell of a CSV: the quick way first (a 50,000-row file has 250,000)
        s = v.strip()
        return "" if len(s) <= 4 and s.lower() in ("nan", "nat", "none") else s
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).strip()
    return "" if s.lower() in ("nan", "nat", "none") else s


def parse_number(text: str) -> float | None:
    """12 / 1,234 / 12.5 / 87% / £1,200 as a number; None when it is not one."""
    s = text.strip().replace("£", "").replace("%", "").replace(" ", "")
    if not s or not NUMBER.match(s) or s in ("+", "-", "."):
        return None
    try:
        v = float(s.replace(",", ""))
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_frame(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES, sheet: str | int | None = 0):
    """The file as a pandas frame of text (CSV) or cells (Excel: the first sheet, the sheet named, or with
    sheet=None a dict of every sheet by name)."""
    import pandas as pd  # half a second to import: only where a spreadsheet is read

    if len(data) > max_bytes:
        raise UploadError(f"The file is {len(data) // 1024 // 1024} MB; the limit is {max_bytes // 1024 // 1024} "
                          "MB. Split it and upload the parts one after another.")
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            return pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl", sheet_name=sheet)
        if name.endswith((".csv", ".txt")):
            try:
                return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
            except UnicodeDecodeError:
                return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="cp1252")
    except Exception as e:  # pandas and openpyxl raise many kinds for a broken file
        raise UploadError(f"The file could not be read as {'Excel' if name.endswith('.xlsx') else 'CSV'}: "
                          f"{str(e)[:200]}") from None
    raise UploadError("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")


def find_columns(headers: Sequence[object], columns: Sequence[Column]) -> dict[str, object]:
    """field -> the file's heading for it, the first heading that means it."""
    found: dict[str, object] = {}
    for header in headers:
        for column in columns:
            if column.field not in found and column.matches(header):
                found[column.field] = header
    return found


def read_rows(data: bytes, filename: str, columns: Sequence[Column], *, max_rows: int = MAX_ROWS,
              max_bytes: int = MAX_BYTES, mapping: dict[str, str] | None = None) -> tuple[list[dict], list[str]]:
    """([{"line": n, "raw": {field: text}}], the file's headings). `mapping` (field -> heading), when given,
    replaces finding the columns by their headings: a column-mapping step chose them."""
    frame = read_frame(data, filename, max_bytes=max_bytes)
    headings = [str(c) for c in frame.columns]
    if mapping is not None:
        unknown = sorted(h for h in mapping.values() if h and h not in headings)
        if unknown:
            raise UploadError("These columns are not in the file: " + ", ".join(unknown))
        found = {field: heading for field, heading in mapping.items() if heading}
    else:
        found = find_columns(list(frame.columns), columns)
    if len(frame) > max_rows:
        raise UploadError(f"The file has {len(frame):,} rows; the limit is {max_rows:,}.")
    rows = []
    for i, record in enumerate(frame.to_dict("records")):
        raw = {field: cell_text(record.get(header)) for field, header in found.items()}
        if not any(raw.values()):
            continue  # blank lines at the end of a sheet
        rows.append({"line": i + 2, "raw": raw})
    return rows, headings


def frame_rows(frame, *, max_rows: int = MAX_ROWS) -> tuple[list[dict], list[str]]:
    """Every column of a frame, keyed by its heading: ([{"line", "raw": {heading: text}}], headings)."""
    headings = [str(c) for c in frame.columns]
    if len(frame) > max_rows:
        raise UploadError(f"The sheet has {len(frame):,} rows; the limit is {max_rows:,}.")
    rows = []
    for i, record in enumerate(frame.to_dict("records")):
        raw = {str(h): cell_text(v) for h, v in record.items()}
        if any(raw.values()):
            rows.append({"line": i + 2, "raw": raw})
    return rows, headings


def read_sheets(data: bytes, filename: str, *, max_rows: int = MAX_ROWS,
                max_bytes: int = MAX_BYTES) -> dict[str, tuple[list[dict], list[str]]]:
    """Every sheet of a workbook (a CSV is one sheet named after the file), each with every column, in order."""
    if filename.lower().endswith(".xlsx"):
        frames = read_frame(data, filename, max_bytes=max_bytes, sheet=None)
        return {str(name): frame_rows(frame, max_rows=max_rows) for name, frame in frames.items()}
    return {filename: frame_rows(read_frame(data, filename, max_bytes=max_bytes), max_rows=max_rows)}
