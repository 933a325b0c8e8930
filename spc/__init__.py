"""QI Portal SPC engine: statistical process control charts in pure Python + numpy.

Reproduces qicharts2 0.8.1 (Anhøj run rules, Shewhart limits for many chart types) and
NHSRplotthedots 0.2.2 (NHS England "Making Data Count" rules and icons) from explicit settings.
"""

from .engine import PhaseSummary, SPCResult, analyse
from .errors import SPCValidationError
from .limits import CHARTS
from .rules import RunsStats
from .settings import ANHOEJ_XMR_CONSTANT, MDC_XMR_CONSTANT, SPCSettings

__all__ = [
    "ANHOEJ_XMR_CONSTANT",
    "CHARTS",
    "MDC_XMR_CONSTANT",
    "PhaseSummary",
    "RunsStats",
    "SPCResult",
    "SPCSettings",
    "SPCValidationError",
    "analyse",
]
