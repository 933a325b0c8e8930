from django import template

from ..services import render_body

register = template.Library()


@register.filter
def comment_body(body: str):
    return render_body(body)
