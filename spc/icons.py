"""Making Data Count style variation and assurance icons, drawn by us as small inline SVG.

Colours follow the MDC convention: grey common cause, blue improvement, orange concern,
purple neutral. Each icon carries role="img", an aria-label and a <title> with the plain-language
text in ICON_TEXT, so screen readers and tooltips say what the colour and arrow mean.
"""

from __future__ import annotations

from html import escape

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
