"""Form widgets shared by every app."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> written out in Python rather than through one template per <option>.

    Django renders each option through its own template (~20 µs each), which is tens of
    milliseconds for a list of a few hundred directorates or coaches on every page view.
    Same markup, same attributes, option groups included.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final))]

        def option(v, label) -> str:
            v = "" if v is None else str(v)
            return (f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>'
                    f"{escape(str(label))}</option>")

        for group, options in self.choices:
            if isinstance(options, (list, tuple)):
                parts.append(f'<optgroup label="{escape(str(group))}">')
                parts.extend(option(v, label) for v, label in options)
                parts.append("</optgroup>")
            else:
                parts.append(option(group, options))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped
