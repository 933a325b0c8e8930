import base64
import datetime as dt
import html
import re

from django import template
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe

from measures.svgchart import measure_svg
from spc.icons import ICON_TEXT, icon_svg

register = template.Library()


@register.simple_tag
def figure_script(item: dict) -> str:
    """The measure's figure as a json_script block with the id its chart div names."""
    return json_script(item.get("figure"), f"figure-{item['id']}")


@register.simple_tag
def chart_svg(item: dict) -> str:
    """The measure's chart as inline SVG drawn on the server: on screen at once, with no script, and with its
    <title> and <desc> for screen readers (the interactive chart is drawn only when asked for)."""
    return mark_safe(measure_svg(item))  # figure_svg escapes every text it writes from the data


@register.filter
def at(items, index: int):
    """The item at `index` of a list, or "" past its end or with no list (a report's frozen figures carry no
    links)."""
    try:
        return items[index]
    except (IndexError, KeyError, TypeError):
        return ""


@register.simple_tag
def count_link(n, url: str = "", label: str = "") -> str:
    """A figure of the portfolio or the SPC summary: a link to the list of what it counts when there is one;
    `label` says to a screen reader what the number counts where the table around it does not."""
    if not url:
        return format_html("{}", n)
    hidden = format_html('<span class="visually-hidden"> {}</span>', label) if label else ""
    return format_html('<a href="{}" class="figure-link" data-testid="figure-link">{}{}</a>', url, n, hidden)


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
