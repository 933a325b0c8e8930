from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst

from .models import AuditEntry as LogEntry
from .tracked import tracked_models

ACTIONS = [("", "Any change"), (str(LogEntry.Action.CREATE), "Created"), (str(LogEntry.Action.UPDATE), "Changed"),
           (str(LogEntry.Action.DELETE), "Deleted")]


def object_type_choices() -> list[tuple[str, str]]:
    types = ContentType.objects.get_for_models(*tracked_models())
    labels = sorted((capfirst(str(m._meta.verbose_name)), str(ct.pk)) for m, ct in types.items())
    return [("", "Any kind of record"), *((pk, label) for label, pk in labels)]


class AuditFilterForm(forms.Form):
    person = forms.CharField(required=False, max_length=150, label="Who",
                             help_text="Part of a name, user name or e-mail; “system” for background work")
    object_type = forms.ChoiceField(required=False, label="Kind of record")
    action = forms.ChoiceField(required=False, choices=ACTIONS, label="Change")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = object_type_choices()

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the range comes before its start.")
        return data

    @property
    def filters(self) -> dict:
        """The cleaned choices, or none at all while the form has errors (shown beside the fields)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "person": data["person"].strip(),
            "content_type_id": int(data["object_type"]) if data["object_type"] else None,
            "action": int(data["action"]) if data["action"] else None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)
