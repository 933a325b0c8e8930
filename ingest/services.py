"""Saving a batch of rows sent through the API: all of it or none of it, unless the caller asks for partial."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from measures import periods
from measures.models import ChangeSource, DataPoint, Measure
from measures.services import PointInput, histories, plausibility_rules, remove_point, save_points

from .models import ApiToken
from .rows import CheckedRow, RowProblem, check_rows


@dataclass
class BatchOutcome:
    saved: bool = True
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


def upsert_points(token: ApiToken, measure: Measure, rows: Sequence[Any], *, partial: bool) -> BatchOutcome:
    rules = plausibility_rules(measure, histories([measure])[measure.pk])
    checked = check_rows(rows, rules=rules)
    return _save(token, [(measure, checked.rows)], checked.problems, checked.notes, checked.warnings,
                 partial=partial)


def upsert_many(token: ApiToken, rows: Sequence[Any], *, partial: bool) -> BatchOutcome:
    """Rows for several measures, each naming its measure_id; a measure outside the token's scope is a row
    problem like any other (it reads as 'no such measure', whether it exists or not)."""
    problems: list[RowProblem] = []
    notes: list[RowProblem] = []
    warnings: list[RowProblem] = []
    by_measure: dict[int, list[int]] = {}
    for i, raw in enumerate(rows):
        mid = raw.get("measure_id") if isinstance(raw, dict) else None
        if isinstance(mid, bool) or not isinstance(mid, int) or not 0 < mid < 2**63:
            reason = "No measure_id." if mid is None else "The measure_id must be a whole number (a measure's id)."
            problems.append(RowProblem(row=i, reason=reason, field="measure_id"))
            continue
        by_measure.setdefault(mid, []).append(i)
    measures = {m.pk: m for m in token.scope_measures().filter(pk__in=list(by_measure))}
    batches: list[tuple[Measure, list[CheckedRow]]] = []
    today = timezone.localdate()
    history = histories(list(measures.values()))
    for mid, indexes in by_measure.items():
        measure = measures.get(mid)
        if measure is None:
            problems.extend(RowProblem(row=i, field="measure_id", measure_id=mid,
                                       reason=f"There is no measure {mid} that this token may send data to.")
                            for i in indexes)
            continue
        checked = check_rows([rows[i] for i in indexes], rules=plausibility_rules(measure, history[mid], today=today),
                             measure_id=mid, indexes=indexes, extra_fields=("measure_id",))
        problems.extend(checked.problems)
        notes.extend(checked.notes)
        warnings.extend(checked.warnings)
        batches.append((measure, checked.rows))
    problems.sort(key=lambda p: p.row)
    notes.sort(key=lambda p: p.row)
    warnings.sort(key=lambda p: p.row)
    return _save(token, batches, problems, notes, warnings, partial=partial)


def _save(token: ApiToken, batches: list[tuple[Measure, list[CheckedRow]]], problems: list[RowProblem],
          notes: list[RowProblem], warnings: list[RowProblem], *, partial: bool) -> BatchOutcome:
    outcome = BatchOutcome(errors=problems, notes=notes, warnings=warnings, rejected=len({p.row for p in problems}))
    if problems and not partial:
        outcome.saved = False
        return outcome
    with transaction.atomic():
        for measure, rows in batches:
            if rows:
                counts = _save_measure(token, measure, rows)
                outcome.created += counts["created"]
                outcome.updated += counts["changed"]
                outcome.unchanged += counts["unchanged"]
    return outcome


def _save_measure(token: ApiToken, measure: Measure, rows: list[CheckedRow]) -> dict[str, int]:
    # Read (and locked, so a person correcting the same periods meanwhile is not overwritten with stale
    # values) for what the API does not send: an existing point keeps its exclusion and, unless sent, its comment.
    existing = {p.period_start: p for p in DataPoint.objects.select_for_update().filter(
        measure=measure, period_start__in=[r.period_start for r in rows])}
    inputs = [_input(row, existing.get(row.period_start)) for row in rows]
    # save_points leaves identical points (and the measure) alone, so a repeated batch writes nothing.
    return save_points(measure, inputs, by=token.created_by, source=ChangeSource.API)


def _input(row: CheckedRow, point: DataPoint | None) -> PointInput:
    """What the point will say. Whether a point is left out of the calculations (and why) is a person's
    judgement made in the portal, so the API keeps it; a comment not sent is kept too."""
    keep_comment = point.comment if point is not None else ""
    return PointInput(
        period_start=row.period_start, value=row.value, numerator=row.numerator, denominator=row.denominator,
        observations=row.observations, comment=keep_comment if row.comment is None else row.comment,
        excluded=point.excluded if point is not None else False,
        exclusion_reason=point.exclusion_reason if point is not None else "")


def delete_point(token: ApiToken, measure: Measure, day, reason: str) -> DataPoint | None:
    """Remove the point of the period holding `day`; None when the period has none. History keeps it."""
    point = measure.points.filter(period_start=periods.period_start(day, measure.period)).first()
    if point is None:
        return None
    remove_point(point, by=token.created_by, reason=reason or f"Removed through the data API ({token.name}).",
                 source=ChangeSource.API)
    return point
