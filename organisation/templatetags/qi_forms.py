"""`{{ form.field|field }}`: a form field in Bootstrap 5 markup, written out in Python.

Same markup as crispy-forms' `as_crispy_field` (label, widget with its classes, errors
beside the field, help text) for text inputs, text areas and single selects, at a tenth
of the cost: crispy renders about ten templates a field, which made the forum meeting
page (five fields per idea) spend most of its time there. Anything else falls back to
crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_CLASSES = [
    (forms.SelectMultiple, None),
    (forms.Select, "select form-select"),
    (forms.Textarea, "textarea form-control"),
    (forms.DateInput, "dateinput form-control"),
    (forms.NumberInput, "numberinput form-control"),
    (forms.EmailInput, "emailinput form-control"),
    (forms.TextInput, "textinput form-control"),
]


def _css_for(widget) -> str | None:
    for kind, css in _CLASSES:
        if isinstance(widget, kind):
            return css
    return None


@register.filter(name="field")
def field(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    css = _css_for(widget)
    if css is None or widget.is_hidden:
        return as_crispy_field(bound)
    auto_id = bound.auto_id
    errors = list(bound.errors)
    extra = widget.attrs.get("class")
    attrs = {"class": " ".join(c for c in (css, extra, "is-invalid" if errors else "") if c)}
    described = [f"{auto_id}_helptext"] if bound.help_text else []
    if errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    required = bound.field.required
    parts = [format_html('<div id="div_{}" class="mb-3">', auto_id)]
    if bound.label:
        parts.append(format_html('<label for="{}" class="form-label{}">{}{}</label>', auto_id,
                                 " requiredField" if required else "", bound.label,
                                 mark_safe('<span class="asteriskField">*</span>') if required else ""))
    parts.append(bound.as_widget(attrs=attrs))
    if errors:
        parts.append(format_html('<div id="{}_error" class="invalid-feedback">{}</div>', auto_id, format_html_join(
            "", '<p id="error_{}_{}"><strong>{}</strong></p>', ((n, auto_id, e) for n, e in enumerate(errors, 1)))))
    if bound.help_text:
        # Help texts are written by us in the forms, and may hold markup (as crispy allows).
        parts.append(format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id,
                                 mark_safe(bound.help_text)))  # noqa: S308
    parts.append("</div>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - each part is escaped above
