from django import template
from django.utils.safestring import mark_safe

from measures.periods import label
from spc.fmt import fmt_number
from spc.icons import ICON_TEXT, icon_svg

register = template.Library()


@register.simple_tag
def spc_icon(name: str | None, size: int = 40) -> str:
    """A Making Data Count icon as inline SVG (with its text equivalent as title and aria-label)."""
    if not name:
        return ""
    return mark_safe(icon_svg(name, size))  # noqa: S308 - built by spc.icons from fixed parts, text escaped


@register.filter
def icon_text(name: str | None) -> str:
    return ICON_TEXT.get(name or "", "")


@register.filter
def number(value: float | None, unit: str = "") -> str:
    return fmt_number(value, unit)


@register.filter
def period_label(day, period: str) -> str:
    return label(day, period) if day else ""


POINT_LABELS = {
    "common_cause": ("Common cause", "common"),
    "special_cause_improvement": ("Improvement", "improvement"),
    "special_cause_concern": ("Concern", "concern"),
    "special_cause_neutral_high": ("Special cause (high)", "neutral"),
    "special_cause_neutral_low": ("Special cause (low)", "neutral"),
}


@register.inclusion_tag("measures/_point_type.html")
def point_type(ptype: str | None):
    label, kind = POINT_LABELS.get(ptype or "", ("", ""))
    return {"label": label, "kind": kind}
