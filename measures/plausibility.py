"""Is a data point believable for its measure? The one set of rules the data table, uploads and the API share.

Pure Python, no Django: callers build `Rules` from the measure (measures.services.plausibility_rules) and ask
`period_problem`, `value_problems` and `far_outside`. A problem refuses the point with a message a person can
act on; `far_outside` is a warning: the point is saved only once someone confirms it (the API saves it and
says so in its answer, since a program cannot be asked).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from spc.engine import COUNT_CHARTS, RATIO_CHARTS, SUBGROUP_CHARTS

from . import periods

EARLIEST = dt.date(1990, 1, 1)
# No measure a team keeps counts past a million million: a larger number is a slip of the keyboard.
LARGEST = 1e12
# "Far outside" is this many times the natural process limits' half-width from the history's centre.
FAR = 10
MIN_HISTORY = 6
# Charts whose numerators count events or cases: whole numbers.
WHOLE_NUMERATOR = RATIO_CHARTS
WHOLE_DENOMINATOR = ("p", "pp")
WHOLE_VALUE = ("c", "g")


def takes(chart: str) -> str:
    """What a measure's points are made of: 'value', 'ratio' (numerator and denominator) or 'observations'."""
    if chart in RATIO_CHARTS:
        return "ratio"
    if chart in SUBGROUP_CHARTS:
        return "observations"
    return "value"


@dataclass(frozen=True)
class Rules:
    chart: str
    period: str
    today: dt.date
    first_period: dt.date | None = None  # the measure's own start, when it has one
    minimum: float | None = None  # in the units shown on the chart (after the multiplier), as the target is
    maximum: float | None = None
    multiplier: float = 1.0
    percent: bool = False  # a value chart whose unit is % (0 to 100)
    proportion: bool = False  # a value chart of proportions (0 to 1)
    history: tuple[float, ...] = ()  # earlier points' raw values (value, or numerator / denominator)

    @property
    def earliest(self) -> dt.date:
        start = periods.period_start(self.first_period, self.period) if self.first_period else EARLIEST
        return max(EARLIEST, start)


def period_problem(start: dt.date, rules: Rules) -> str | None:
    """Why a period (its first day) cannot hold data, or None."""
    when = periods.label(start, rules.period)
    if start > rules.today:
        return f"{when} is in the future."
    if start < EARLIEST:
        return f"{when} is before 1990: check the year."
    if start < rules.earliest:
        return (f"{when} is before this measure's first period ({periods.label(rules.earliest, rules.period)}). "
                "Change the measure's first period if there really are earlier data.")
    return None


def _g(v: float) -> str:
    return f"{v:,.10g}" if abs(v) < 1e15 else f"{v:.3g}"


def value_problems(rules: Rules, *, value: float | None = None, numerator: float | None = None,
                   denominator: float | None = None, observations: Sequence[float] | None = None
                   ) -> list[tuple[str, str]]:
    """(field, message) for each rule the numbers break; numbers not given are not checked."""
    out: list[tuple[str, str]] = []
    named = [("value", value), ("numerator", numerator), ("denominator", denominator)]
    named += [("observations", v) for v in observations or ()]
    for name, v in named:
        if v is not None and (not math.isfinite(v) or abs(v) > LARGEST):
            what = "An observation" if name == "observations" else f"The {name}"
            out.append((name, f"{what} ({_g(v)}) is too large to be a real figure: check for extra digits."))
    if out:
        return out
    chart = rules.chart
    if chart in RATIO_CHARTS:
        if denominator is not None and denominator <= 0:
            out.append(("denominator", f"The denominator must be more than zero (it is {_g(denominator)})."))
        if numerator is not None and numerator < 0:
            out.append(("numerator", f"The numerator cannot be negative (it is {_g(numerator)})."))
        if numerator is not None and numerator >= 0 and not float(numerator).is_integer():
            out.append(("numerator", f"The numerator counts events, so it is a whole number (it is "
                                     f"{_g(numerator)})."))
        if (chart in WHOLE_DENOMINATOR and denominator is not None and denominator > 0
                and not float(denominator).is_integer()):
            out.append(("denominator", f"The denominator counts cases, so it is a whole number (it is "
                                       f"{_g(denominator)})."))
        if (chart in ("p", "pp") and numerator is not None and denominator is not None
                and 0 < denominator < numerator):
            out.append(("numerator", f"The numerator ({_g(numerator)}) is more than the denominator "
                                     f"({_g(denominator)}): a proportion cannot be over 100%."))
    elif value is not None:
        if chart in COUNT_CHARTS and value < 0:
            out.append(("value", f"A count cannot be negative (it is {_g(value)})."))
        elif chart in WHOLE_VALUE and not float(value).is_integer():
            out.append(("value", f"A count is a whole number (it is {_g(value)})."))
        elif chart == "t" and value <= 0:
            out.append(("value", f"Days between events must be more than zero (it is {_g(value)})."))
        elif rules.percent and not 0 <= value <= 100:
            out.append(("value", f"A percentage lies between 0 and 100 (it is {_g(value)})."))
        elif rules.proportion and not 0 <= value <= 1:
            out.append(("value", f"A proportion lies between 0 and 1 (it is {_g(value)})."))
    if out:
        return out
    raw = raw_value(chart, value, numerator, denominator)
    if raw is not None:
        shown = raw * rules.multiplier
        field = "numerator" if chart in RATIO_CHARTS else ("observations" if observations else "value")
        if rules.minimum is not None and shown < rules.minimum:
            out.append((field, f"{_g(shown)} is below this measure's minimum ({_g(rules.minimum)})."))
        if rules.maximum is not None and shown > rules.maximum:
            out.append((field, f"{_g(shown)} is above this measure's maximum ({_g(rules.maximum)})."))
    return out


def raw_value(chart: str, value: float | None, numerator: float | None, denominator: float | None) -> float | None:
    """The number the chart plots, before the multiplier."""
    if chart in RATIO_CHARTS:
        if numerator is None or not denominator:
            return None
        return numerator / denominator
    return value


def usual_range(history: Sequence[float]) -> tuple[float, float, float] | None:
    """(centre, lower, upper): the history's mean and natural process limits (XmR: mean ± 2.66 × mean moving
    range), or None when there is too little history or no variation to judge by."""
    ys = [y for y in history if y is not None and math.isfinite(y)]
    if len(ys) < MIN_HISTORY:
        return None
    centre = sum(ys) / len(ys)
    mr = sum(abs(b - a) for a, b in zip(ys, ys[1:])) / (len(ys) - 1)
    if mr <= 0:
        return None
    return centre, centre - 2.66 * mr, centre + 2.66 * mr


def far_outside(rules: Rules, raw: float | None) -> str | None:
    """A warning when the point lies beyond FAR times the history's process limits from its centre."""
    if raw is None:
        return None
    usual = usual_range(rules.history)
    if usual is None:
        return None
    centre, lower, upper = usual
    half = upper - centre
    if abs(raw - centre) <= FAR * half:
        return None
    m = rules.multiplier
    return (f"{_g(raw * m)} is far outside this measure's history (its points usually lie between "
            f"{_about(lower * m)} and {_about(upper * m)}). Check it: one mistyped point changes how every other "
            "point reads.")


def _about(v: float) -> str:
    """A limit as people read it: three significant figures, no exponent."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
