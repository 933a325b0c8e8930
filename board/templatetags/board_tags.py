import base64
import datetime as dt
import html
import re

from django import template
from django.utils.html import format_html, json_script

from spc.icons import ICON_TEXT, icon_svg

register = template.Library()


@register.simple_tag
def figure_script(item: dict) -> str:
    """The measure's figure as a json_script block with the id its chart div names."""
    return json_script(item.get("figure"), f"figure-{item['id']}")


@register.filter
def percent_width(value, maximum) -> str:
    """A bar's width in % of the largest (CSS-ready, never over 100)."""
    try:
        return f"{min(100.0, 100.0 * float(value) / float(maximum)):.1f}" if float(maximum) else "0"
    except (TypeError, ValueError):
        return "0"


@register.filter
def isodate(value: str):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def get_chart(charts: dict, measure_id) -> str:
    return charts.get(measure_id, "")


def _img(svg: str, alt: str, css: str = "") -> str:
    data = base64.b64encode(svg.encode()).decode()
    return format_html('<img src="data:image/svg+xml;base64,{}" alt="{}"{}>', data, alt,
                       format_html(' class="{}"', css) if css else "")


@register.simple_tag
def svg_img(svg: str, alt: str, css: str = "") -> str:
    """An SVG as an <img> with alternative text: WeasyPrint draws it without styling each SVG node as
    HTML, which keeps a 40-measure board pack fast, and the alt text tags the image for screen readers."""
    if not alt:
        found = re.search(r'aria-label="([^"]*)"', svg or "")
        alt = html.unescape(found.group(1)) if found else "Chart"
    return _img(svg or "", alt, css)


@register.simple_tag
def icon_img(name: str | None, size: int = 40) -> str:
    if not name:
        return ""
    return _img(icon_svg(name, size), ICON_TEXT.get(name, name), "spc-icon-img")
