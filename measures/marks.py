"""The changes marked on a measure's chart: its own annotations and its project's PDSA cycles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from workspace.models import PDSACycle

from .models import Annotation, Measure


def pdsa_annotations(project_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, str]]]:
    """PDSA cycles of the projects, as (date, "PDSA n: change idea") per project: one query."""
    ids = [i for i in project_ids if i]
    out: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    if not ids:
        return out
    rows = PDSACycle.objects.filter(change_idea__project_id__in=ids).values_list(
        "change_idea__project_id", "number", "done_on", "planned_start", "change_idea__title")
    for project_id, number, done_on, planned, title in rows:
        day = done_on or planned
        if day:
            out[project_id].append((day, f"PDSA {number}: {title}"))
    return out


def annotations_for(measure: Measure, annotations: Iterable[Annotation]) -> list[tuple[dt.date, str]]:
    marks = [(a.date, a.text) for a in annotations]
    if measure.project_id:
        marks += pdsa_annotations([measure.project_id]).get(measure.project_id, [])
    return marks
