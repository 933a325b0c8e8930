"""Making Data Count style variation and assurance icons, drawn by us as small inline SVG.

Colours follow the MDC convention: grey common cause, blue improvement, orange concern,
purple neutral. Each icon carries role="img", an aria-label and a <title> with the plain-language
text in ICON_TEXT, so screen readers and tooltips say what the colour and arrow mean.
"""

from __future__ import annotations

from html import escape

import numpy as np

GREY = "#7B7D7D"
BLUE = "#289de0"
ORANGE = "#fab428"
PURPLE = "#361475"

ICON_TEXT: dict[str, str] = {
    "common_cause": "Common cause variation – no significant change",
    "improvement_high": "Special cause variation – improvement (high)",
    "improvement_low": "Special cause variation – improvement (low)",
    "concern_high": "Special cause variation – concern (high)",
    "concern_low": "Special cause variation – concern (low)",
    "neutral_high": "Special cause variation – neither improvement nor concern (high)",
    "neutral_low": "Special cause variation – neither improvement nor concern (low)",
    "pass": "Target consistently met",
    "fail": "Target consistently not met",
    "inconsistent": "Target inconsistently met – it will be hit and missed at random",
}

_VARIATION_STYLE: dict[str, tuple[str, str]] = {
    # name: (colour, glyph: "flat" | "up" | "down")
    "common_cause": (GREY, "flat"),
    "improvement_high": (BLUE, "up"),
    "improvement_low": (BLUE, "down"),
    "concern_high": (ORANGE, "up"),
    "concern_low": (ORANGE, "down"),
    "neutral_high": (PURPLE, "up"),
    "neutral_low": (PURPLE, "down"),
}
_ASSURANCE_STYLE: dict[str, tuple[str, str]] = {"pass": (BLUE, "P"), "fail": (ORANGE, "F"),
                                                "inconsistent": (GREY, "?")}

_GLYPH = {
    # a short run of dots on a level line
    "flat": '<polyline points="9,22 15,18 21,23 27,19 31,21" fill="none" stroke="{c}" stroke-width="2.5"/>',
    # arrow up with the letter H, arrow down with the letter L (high/low values)
    "up": '<path d="M20 8 L27 16 H23 V22 H17 V16 H13 Z" fill="{c}"/>'
          '<text x="20" y="33" font-size="10" font-family="sans-serif" font-weight="700" '
          'text-anchor="middle" fill="{c}">H</text>',
    "down": '<path d="M20 32 L27 24 H23 V18 H17 V24 H13 Z" fill="{c}"/>'
            '<text x="20" y="15" font-size="10" font-family="sans-serif" font-weight="700" '
            'text-anchor="middle" fill="{c}">L</text>',
}


def _frame(name: str, colour: str, inner: str, size: int) -> str:
    label = escape(ICON_TEXT[name], quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="{size}" height="{size}" '
            f'role="img" aria-label="{label}" class="spc-icon spc-icon-{name}"><title>{label}</title>'
            f'<circle cx="20" cy="20" r="17.5" fill="#fff" stroke="{colour}" stroke-width="3"/>{inner}</svg>')


def icon_svg(name: str, size: int = 40) -> str:
    """SVG for a variation icon (common_cause, improvement_high, ...) or an assurance icon
    (pass, fail, inconsistent). Raises KeyError for an unknown name."""
    if name in _VARIATION_STYLE:
        colour, glyph = _VARIATION_STYLE[name]
        return _frame(name, colour, _GLYPH[glyph].format(c=colour), size)
    colour, letter = _ASSURANCE_STYLE[name]
    text = (f'<text x="20" y="27" font-size="20" font-family="sans-serif" font-weight="700" '
            f'text-anchor="middle" fill="{colour}">{escape(letter)}</text>')
    return _frame(name, colour, text, size)


VARIATION_ICON_SVG: dict[str, str] = {k: icon_svg(k) for k in _VARIATION_STYLE}
ASSURANCE_ICON_SVG: dict[str, str] = {k: icon_svg(k) for k in _ASSURANCE_STYLE}


# ---------------------------------------------------------------------------- which icon a series gets

VARIATION_ICONS = ("common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low",
                   "neutral_high", "neutral_low")
ASSURANCE_CODES = ("consistent_pass", "consistent_fail", "inconsistent")
ASSURANCE_ICON = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "inconsistent"}
# Point-type code (spc.rules.POINT_TYPES) -> VARIATION_ICONS index. NHSRplotthedots: the icon shows the
# direction of the values (high/low), not of the good.
_VARIATION_OF_TYPE = {1: np.array([0, 1, 4, 5, 6]), -1: np.array([0, 2, 3, 5, 6]), 0: np.array([0, 1, 4, 5, 6])}


def last_points(missing: np.ndarray, skips_missing: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether there is a point to read the icons from, and which (the last, or the last with a
    value)."""
    S, P = missing.shape
    if P == 0:
        return np.zeros(S, dtype=bool), np.zeros(S, dtype=np.int64)
    if not skips_missing:
        return np.ones(S, dtype=bool), np.full(S, P - 1, dtype=np.int64)
    present = ~missing
    has = present.any(axis=1)
    return has, np.where(has, P - 1 - np.argmax(present[:, ::-1], axis=1), 0)


def variation_codes(point_type_last: np.ndarray, has: np.ndarray, improvement_sign: int) -> np.ndarray:
    """Index into VARIATION_ICONS per row, -1 when there is no point."""
    return np.where(has, _VARIATION_OF_TYPE[improvement_sign][point_type_last], -1).astype(np.int8)


def assurance_codes(target: np.ndarray, lcl_last: np.ndarray, ucl_last: np.ndarray, has: np.ndarray,
                    improvement_sign: int) -> np.ndarray:
    """Is the target reliably met? Only when it lies strictly outside the process limits (no limits, NaN:
    inconsistent). Index into ASSURANCE_CODES, -1 when not assessed (no target or no point)."""
    with np.errstate(invalid="ignore"):
        fail_high, pass_low = target > ucl_last, target < lcl_last
    code = np.full(target.shape, 2, dtype=np.int8)
    code[pass_low] = 0 if improvement_sign == 1 else 1
    code[fail_high] = 1 if improvement_sign == 1 else 0
    return np.where(has & ~np.isnan(target), code, -1).astype(np.int8)
