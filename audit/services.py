"""Reading the audit log: the filtered entries, and each entry's changes in words a QI admin can read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from .models import AuditEntry

SYSTEM_WORDS = {"system", "the system"}
EMPTY = "—"


def entries(filters: dict | None = None, *, project_id: int | None = None) -> models.QuerySet[AuditEntry]:
    qs = AuditEntry.objects.for_rows().order_by("-timestamp", "-pk")
    if project_id is not None:
        qs = qs.for_project(project_id)
    filters = filters or {}
    person = (filters.get("person") or "").strip()
    if person.lower() in SYSTEM_WORDS:
        qs = qs.filter(actor__isnull=True).exclude(origin__startswith="web ")
    elif person:
        qs = qs.filter(Q(actor__display_name__icontains=person) | Q(actor__username__icontains=person)
                       | Q(actor__first_name__icontains=person) | Q(actor__last_name__icontains=person)
                       | Q(actor_email__icontains=person))
    if filters.get("content_type_id"):
        qs = qs.filter(content_type_id=filters["content_type_id"])
    if filters.get("action") is not None:
        qs = qs.filter(action=filters["action"])
    if filters.get("date_from"):
        qs = qs.filter(timestamp__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(timestamp__lt=_start_of(filters["date_to"] + dt.timedelta(days=1)))
    return qs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    kind: str  # the object's kind, e.g. "PDSA cycle"
    who: str
    changes: list[Change]


def rows(page: Iterable[AuditEntry]) -> list[Row]:
    """Entries with their changes in words: field labels, choice labels, and the names of the people and
    records a changed link points to, looked up once per kind of record for the whole page."""
    page = list(page)
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry in page:
        model = entry.content_type.model_class()
        for name, change in (entry.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.is_relation and not field.many_to_many and isinstance(change, list):
                wanted[field.related_model].update(v for v in change if v not in (None, "None", ""))
    names = {model: _names(model, pks) for model, pks in wanted.items()}
    out = []
    for entry in page:
        model = entry.content_type.model_class()
        changes = [_change(model, name, change, names) for name, change in (entry.changes or {}).items()]
        kind = capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model
        out.append(Row(entry, kind, who(entry), changes))
    return out


def who(entry: AuditEntry) -> str:
    if entry.actor_id:
        return entry.actor.name if entry.actor else (entry.actor_email or f"person #{entry.actor_id}")
    if entry.origin.startswith("web "):
        return "Someone not signed in"
    return f"System ({entry.origin or 'background work'})"


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field since removed: shown by its stored name
        return None


def _names(model: type[models.Model], pks: set[str]) -> dict[str, str]:
    ids = [pk for pk in pks if str(pk).isdigit()]
    qs = model._base_manager.filter(pk__in=ids)
    if model is get_user_model():
        qs = qs.only(*model.NAME_FIELDS)
    return {str(obj.pk): str(obj) for obj in qs}


def _change(model, name: str, change, names: dict) -> Change:
    field = _field(model, name)
    label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name
    if isinstance(change, dict) and change.get("type") == "m2m":
        objects = ", ".join(change.get("objects") or [])
        if change.get("operation") == "add":
            return Change(label, EMPTY, f"added {objects}")
        return Change(label, f"removed {objects}", EMPTY)
    old, new = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
    return Change(label, _value(field, old, names), _value(field, new, names))


def _value(field, value, names: dict) -> str:
    if value is None or value == "None":
        return EMPTY
    value = str(value)
    if field is None:
        return value
    if field.is_relation and field.related_model in names:
        return names[field.related_model].get(value, f"#{value} (deleted)")
    if getattr(field, "choices", None):
        for key, label in field.flatchoices:
            if str(key) == value:
                return str(label)
    if isinstance(field, models.BooleanField):
        return {"True": "yes", "False": "no"}.get(value, value)
    return value or EMPTY


CSV_HEADER = ["when", "who", "origin", "action", "kind of record", "record", "record id", "project id",
              "field", "from", "to"]


def csv_lines(qs: models.QuerySet[AuditEntry], *, batch: int = 500) -> Iterator[list[str]]:
    """Every entry of the filtered log, one line per changed field, read a batch at a time."""
    yield CSV_HEADER
    last = None
    while True:
        chunk = qs if last is None else qs.filter(Q(timestamp__lt=last[0]) | Q(timestamp=last[0], pk__lt=last[1]))
        page = list(chunk[:batch])
        if not page:
            return
        for row in rows(page):
            e = row.entry
            base = [timezone.localtime(e.timestamp).isoformat(timespec="seconds"), row.who, e.origin,
                    e.get_action_display(), row.kind, e.object_repr, e.object_pk, e.project_id or ""]
            for change in row.changes or [Change("", "", "")]:
                yield [*base, change.field, change.old, change.new]
        last = (page[-1].timestamp, page[-1].pk)
