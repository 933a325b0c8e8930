"""Number formatting shared by figures and readings."""

from __future__ import annotations

import math


def fmt_number(v: float | None, unit: str = "") -> str:
    """A short human number: 1,235 / 12.3 / 1.23 / 0.0123, with the unit ("%" sticks to it)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    a = abs(v)
    if a >= 100:
        s = f"{v:,.0f}"
    elif a >= 10:
        s = f"{v:.1f}"
    elif a >= 1:
        s = f"{v:.2f}"
    elif a == 0:
        s = "0"
    else:
        s = f"{v:.3g}"
    if "." in s and "e" not in s:
        s = s.rstrip("0").rstrip(".")
    if not unit:
        return s
    return f"{s}{unit}" if unit == "%" else f"{s} {unit}"
