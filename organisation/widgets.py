"""Form widgets shared by every app."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def typed_in(data, search_name: str) -> str:
    """The words left in a picker's search box (`PickerSelect.search_name`) when its form was sent: with
    scripts off, or typed and not picked. The form answers them itself."""
    return str((data or {}).get(search_name) or "").strip()[:100]


class FastSelect(forms.Select):
    """A <select> written out in Python rather than through one template per <option>.

    Django renders each option through its own template (~20 µs each), which is tens of
    milliseconds for a list of a few hundred directorates or coaches on every page view.
    Same markup, same attributes, option groups included.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final))]

        def option(v, label) -> str:
            v = "" if v is None else str(v)
            return (f'<option value="{escape(v)}"{self.option_attrs(v)}{" selected" if v in chosen else ""}>'
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

    def option_attrs(self, value: str) -> str:
        """Extra attributes for one option, as escaped markup with a leading space (none by default)."""
        return ""


class PickerSelect(FastSelect):
    """A select offering a few suggestions and whatever is already chosen, with a box to find anyone else.

    `suggest()` gives the suggested (value, label, group) rows; rows for chosen values that are not
    among them come from `chosen(values)`. The search box (static/js/picker.js) asks `search_url`
    and adds what the person picks as a selected option, so the form posts an ordinary select.
    With `search_name` the box is also a form field (holding `search_value`), for a form that can
    answer the typed words itself when scripts are off: the project list's filters do.
    """

    def __init__(self, *, search_url: str, search_label: str, suggest, chosen, blank: str = "",
                 attrs=None, search_name: str = "", search_value: str = "") -> None:
        super().__init__(attrs=attrs)
        self.search_url, self.search_label = search_url, search_label
        self.suggest, self.chosen, self.blank = suggest, chosen, blank
        self.search_name, self.search_value = search_name, search_value

    def render(self, name, value, attrs=None, renderer=None):
        values = [str(v) for v in self.format_value(value) if v not in ("", None)]
        rows = list(self.suggest())
        known = {str(v) for v, _, _ in rows}
        missing = [v for v in values if v not in known]
        if missing:
            rows += list(self.chosen(missing))
        groups: dict[str, list] = {}
        for v, label, group in rows:
            groups.setdefault(group, []).append((v, label))
        self.choices = [*([("", self.blank)] if self.blank else []), *groups.items()]
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        box = format_html(
            '<div class="picker mt-2" data-picker="{}" data-url="{}" data-multiple="{}">'
            '<label class="form-label small mb-1" for="{}-search">{}</label>'
            '<input type="search" class="form-control form-control-sm" id="{}-search" autocomplete="off" '
            'placeholder="Type two letters or more"{}>'
            '<ul class="picker-results list-unstyled small mt-1 mb-0" aria-live="polite"></ul></div>',
            select_id, self.search_url, "true" if self.allow_multiple_selected else "false",
            select_id, self.search_label, select_id,
            format_html(' name="{}" value="{}"', self.search_name, self.search_value) if self.search_name else "")
        return mark_safe(select + box)  # noqa: S308 - both parts are escaped above


class PickerSelectMultiple(PickerSelect):
    allow_multiple_selected = True

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, (tuple, list)):
            value = [value]
        return [str(v) for v in value if v is not None]

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False
