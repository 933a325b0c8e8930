"""Settings that select which published rule set the engine follows.

Two rule sets are supported, both reproduced exactly from their reference implementations:

* ``"mdc"``: NHS England "Making Data Count" (as implemented by NHSRplotthedots 0.2.2):
  per-point rules (outside the limits, a run of points on one side of the mean, a trend,
  two of three points beyond 2 sigma) and the variation/assurance icons.
* ``"anhoej"``: Anhøj run rules as implemented by qicharts2 0.8.1: points outside the 3-sigma
  limits, plus a run analysis per phase (longest run, number of crossings).
* ``"ihi"``: the IHI run-chart rules (Perla, Provost & Murray, "The run chart: a simple analytical tool
  for learning from variation in healthcare processes", BMJ Qual Saf 2011;20:46-51): a shift of six or
  more points on one side of the median, a trend of five or more points rising or falling, too few or
  too many runs, and an astronomical point. Run charts only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Method = Literal["mdc", "anhoej", "ihi"]
Precedence = Literal["improvement", "rule_order"]

# Making Data Count / NHSRplotthedots: limits are mean +/- 2.66 * average moving range.
MDC_XMR_CONSTANT = 2.66
# qicharts2 (Montgomery): sigma = average moving range / d2 with d2 = 1.128, limits at 3 sigma.
D2_N2 = 1.128
ANHOEJ_XMR_CONSTANT = 3 / D2_N2


@dataclass(frozen=True)
class SPCSettings:
    """How a chart is read. Frozen so that it can be shared and used as a cache key."""

    method: Method = "mdc"
    # XmR limit constant: 2.66 (MDC) or 3/1.128 (qicharts2). With 3/1.128 the arithmetic follows
    # qicharts2 (sigma = amr / 1.128, then cl +/- 3 sigma) so results match it to the last bit.
    limit_constant: float = MDC_XMR_CONSTANT
    # Nelson (1982) screening: drop moving ranges >= 3.267 * mean(mR) and recompute the mean.
    # On by default in NHSRplotthedots (screen_outliers) and in qicharts2 once it is attached.
    screen_moving_ranges: bool = True
    # MDC rules. ptd hard-codes 7 for both; the MDC Excel tool offers 6 or 8 as well.
    shift_length: int = 7
    trend_length: int = 7
    two_of_three: bool = True
    # Draw the 2-sigma ("95 %") lines on figures.
    show_2sigma: bool = False
    # When one point is caught by rules pointing in opposite directions: "improvement" lets the
    # improving rule win (product default); "rule_order" takes the first rule in ptd's order
    # (outside limits, trend, two of three, shift), which is what NHSRplotthedots does.
    precedence: Precedence = "improvement"
    # Baseline ("freeze" / fix_after_n_points) applied within each phase (MDC fix_after_n_points)
    # rather than only to the first phase (qicharts2 freeze).
    freeze_each_phase: bool = False
    # Variation/assurance icons from the last non-missing point (product) instead of the very
    # last row, which NHSRplotthedots reads as common cause when it is missing.
    icon_skips_missing: bool = True
    # Fewer baseline points than this in a phase: its limits are trial limits.
    min_points_for_limits: int = 12

    def __post_init__(self) -> None:
        from .errors import SPCValidationError

        if self.method not in ("mdc", "anhoej", "ihi"):
            raise SPCValidationError(f"Unknown method {self.method!r}: use 'mdc', 'anhoej' or 'ihi'.")
        if not (isinstance(self.limit_constant, (int, float)) and 0 < self.limit_constant < 10):
            raise SPCValidationError("The limit constant must be a positive number (2.66 or 3/1.128).")
        if self.shift_length not in (6, 7, 8):
            raise SPCValidationError("The shift length must be 6, 7 or 8 points.")
        if self.trend_length not in (5, 6, 7):
            raise SPCValidationError("The trend length must be 5, 6 or 7 points.")
        if self.precedence not in ("improvement", "rule_order"):
            raise SPCValidationError("precedence must be 'improvement' or 'rule_order'.")
        if self.min_points_for_limits < 1:
            raise SPCValidationError("min_points_for_limits must be at least 1.")

    @classmethod
    def mdc(cls, **overrides: object) -> SPCSettings:
        """Making Data Count defaults (2.66, screened moving ranges, 7-point shift and trend)."""
        return replace(cls(), **overrides)  # type: ignore[arg-type]

    @classmethod
    def anhoej(cls, **overrides: object) -> SPCSettings:
        """qicharts2 defaults: Anhøj run rules, 3-sigma limits with sigma = amr / 1.128."""
        return replace(cls(method="anhoej", limit_constant=ANHOEJ_XMR_CONSTANT), **overrides)  # type: ignore[arg-type]

    @classmethod
    def ihi(cls, **overrides: object) -> SPCSettings:
        """The IHI run-chart rules: a shift is 6 points, a trend 5 (Perla, Provost & Murray 2011)."""
        return replace(cls(method="ihi", shift_length=6, trend_length=5), **overrides)  # type: ignore[arg-type]

    @property
    def qicharts2_arithmetic(self) -> bool:
        return self.limit_constant == ANHOEJ_XMR_CONSTANT
