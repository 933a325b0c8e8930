"""Changing a measure's data with history, marking its chart stale, uploads; the summary of many measures.

How a measure is read (its chart, icons, words) is `measures.charts`, pure; its stored chart is
`measures.rendering`; this module is what views, the API and tasks call to change and list measures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from ops import queue

from .charts import ChartOutput, PointRow, SummaryRow, chart_for, summarise
from .marks import annotations_for
from .models import (
    RATIO_CHARTS,
    Annotation,
    ChangeAction,
    ChangeSource,
    DataPoint,
    DataPointChange,
    Measure,
    MeasurePhase,
    OnDuplicate,
    SPCConfig,
    UploadBatch,
    UploadStatus,
)
from .plausibility import Rules, raw_value
from .rendering import load_snapshots
from .uploads import RowChecker

logger = logging.getLogger(__name__)


def load_chart(measure: Measure, *, config: SPCConfig | None = None) -> tuple[ChartOutput, list[DataPoint],
                                                                             list[MeasurePhase], list[Annotation]]:
    """The measure's chart from the database: one query each for points, phases, annotations, PDSA."""
    points = list(measure.points.select_related("updated_by", "entered_by").order_by("period_start"))
    phases = list(measure.phases.all())
    notes = list(measure.annotations.select_related("by"))
    output = chart_for(measure, points, phases, config or SPCConfig.current(), annotations_for(measure, notes))
    return output, points, phases, notes


# --------------------------------------------------------------------------- the summary of many measures


def load_summary(measures: Sequence[Measure]) -> list[SummaryRow]:
    """Rows from the measures' snapshots: config and snapshots, two queries whatever the number of measures
    (missing or stale snapshots are computed and stored first)."""
    snaps = load_snapshots(measures)
    rows = []
    for m in measures:
        s = snaps.get(m.pk)
        if s is None:  # its rendering failed: say so rather than drop the row
            rows.append(SummaryRow(m, None, None, None, None, 0, False, [], error="The chart could not be computed."))
            continue
        rows.append(SummaryRow(m, s.latest_value, s.latest_period, s.variation_icon or None,
                               s.assurance_icon or None, s.n_points, s.trial_limits, s.recent, s.error))
    return rows


def compute_summary(measures: Sequence[Measure]) -> list[SummaryRow]:
    """The summary computed live (no snapshots): three queries whatever the number of measures."""
    ids = [m.pk for m in measures]
    config = SPCConfig.current()
    points: dict[int, list[DataPoint]] = defaultdict(list)
    # Plain rows, not model instances: building hundreds of thousands of those costs most of the time.
    for row in DataPoint.objects.filter(measure_id__in=ids).order_by("measure_id", "period_start").values_list(
            "measure_id", "period_start", "value", "numerator", "denominator", "observations", "excluded"):
        points[row[0]].append(PointRow(*row[1:]))
    phases: dict[int, list[MeasurePhase]] = defaultdict(list)
    for ph in MeasurePhase.objects.filter(measure_id__in=ids):
        phases[ph.measure_id].append(ph)
    return summarise(measures, points, phases, config)


# --------------------------------------------------------------------------- plausibility


def plausibility_rules(measure: Measure, history: Sequence[float | None] = (), *,
                       today: dt.date | None = None) -> Rules:
    """What a point of this measure can be (measures.plausibility); `history`: its points' raw values."""
    unit = (measure.unit or "").strip().lower()
    value_chart = measure.chart_type not in RATIO_CHARTS
    return Rules(chart=measure.chart_type, period=measure.period, today=today or timezone.localdate(),
                 first_period=measure.first_period, minimum=measure.minimum, maximum=measure.maximum,
                 multiplier=measure.multiplier or 1.0,
                 percent=value_chart and unit in ("%", "percent", "percentage"),
                 proportion=value_chart and unit in ("proportion", "fraction"),
                 history=tuple(h for h in history if h is not None))


def raw_values(measure: Measure, points) -> list[float | None]:
    """The plotted value (before the multiplier) of each point that counts in the calculations."""
    return [raw_value(measure.chart_type, p.value, p.numerator, p.denominator) for p in points if not p.excluded]


def histories(measures: Sequence[Measure]) -> dict[int, list[float | None]]:
    """Every measure's raw values in period order, in one query (for checks over many measures)."""
    out: dict[int, list[float | None]] = defaultdict(list)
    charts = {m.pk: m.chart_type for m in measures}
    rows = (DataPoint.objects.filter(measure_id__in=list(charts), excluded=False)
            .order_by("measure_id", "period_start").values_list("measure_id", "value", "numerator", "denominator"))
    for mid, value, num, den in rows:
        out[mid].append(raw_value(charts[mid], value, num, den))
    return out


# --------------------------------------------------------------------------- saving data with history


FIELDS = ("value", "numerator", "denominator", "observations", "comment", "excluded", "exclusion_reason")


@dataclass
class PointInput:
    period_start: dt.date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    observations: list[float] | None = None
    comment: str = ""
    excluded: bool = False
    exclusion_reason: str = ""

    def record(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


def save_points(measure: Measure, inputs: Sequence[PointInput], *, by, source: str = ChangeSource.MANUAL,
                overwrite: bool = True) -> dict[str, int]:
    """Create new periods and correct existing ones; every correction leaves a history row with the old
    and new values. One transaction: all of it or none of it."""
    now = timezone.now()
    counts = {"created": 0, "changed": 0, "skipped": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {p.period_start: p for p in DataPoint.objects.select_for_update().filter(
            measure=measure, period_start__in=[i.period_start for i in inputs])}
        new, changed, history = [], [], []
        for item in inputs:
            point = existing.get(item.period_start)
            if point is None:
                new.append(DataPoint(measure=measure, period_start=item.period_start, entered_by=by, entered_at=now,
                                     **item.record()))
                continue
            if not overwrite:
                counts["skipped"] += 1
                continue
            old = point.as_record()
            if old == item.record():
                counts["unchanged"] += 1
                continue
            for f in FIELDS:
                setattr(point, f, getattr(item, f))
            point.updated_by, point.updated_at = by, now
            changed.append(point)
            history.append(DataPointChange(measure=measure, point=point, period_start=point.period_start, old=old,
                                           new=item.record(), source=source, by=by, at=now))
        DataPoint.objects.bulk_create(new, batch_size=1000)
        DataPoint.objects.bulk_update(changed, [*FIELDS, "updated_by", "updated_at"], batch_size=1000)
        DataPointChange.objects.bulk_create(history, batch_size=1000)
        counts["created"], counts["changed"] = len(new), len(changed)
        if new or changed:
            touch(measure, now)
    return counts


class PointConflict(Exception):
    """The period a point would move to already holds one."""


def remove_point(point: DataPoint, *, by, reason: str, source: str = ChangeSource.MANUAL) -> DataPointChange:
    """Remove a period's point; its last values stay in the history with who, when and why."""
    now = timezone.now()
    with transaction.atomic():
        point = DataPoint.objects.select_for_update().get(pk=point.pk)
        change = DataPointChange.objects.create(
            measure_id=point.measure_id, point=None, period_start=point.period_start, old=point.as_record(),
            new={}, source=source, action=ChangeAction.REMOVE, reason=reason.strip(), by=by, at=now)
        # Earlier corrections of the period keep their place in the history, no longer tied to a point.
        point.delete()
        touch(point.measure, now)
    return change


def move_point(point: DataPoint, to: dt.date, *, by, reason: str) -> DataPointChange:
    """Move a point entered against the wrong period; PointConflict when that period already has one."""
    now = timezone.now()
    with transaction.atomic():
        point = DataPoint.objects.select_for_update().get(pk=point.pk)
        if DataPoint.objects.filter(measure_id=point.measure_id, period_start=to).exists():
            raise PointConflict(to)
        change = DataPointChange.objects.create(
            measure_id=point.measure_id, point=point, period_start=point.period_start, old=point.as_record(),
            new=point.as_record(), source=ChangeSource.MANUAL, action=ChangeAction.MOVE, moved_to=to,
            reason=reason.strip(), by=by, at=now)
        point.period_start, point.updated_by, point.updated_at = to, by, now
        point.save(update_fields=["period_start", "updated_by", "updated_at"])
        touch(point.measure, now)
    return change


def touch(measure: Measure, now: dt.datetime | None = None) -> None:
    """The measure's inputs changed (data, phases, annotations, settings): its snapshot is stale from now, and
    is recomputed right after the transaction commits, so people see their chart at once."""
    now = now or timezone.now()
    _mark_stale([measure.pk], now)
    measure.updated_at = now


def touch_project_measures(project_id: int) -> int:
    """A project's PDSA cycles changed: they are drawn on its measures' charts, so those snapshots are stale."""
    ids = list(Measure.objects.filter(project_id=project_id).values_list("pk", flat=True))
    _mark_stale(ids, timezone.now())
    return len(ids)


def _mark_stale(ids: list[int], now: dt.datetime) -> None:
    """Bump the measures' stamp (their snapshots are stale from now) and re-render each after commit."""
    if not ids:
        return
    Measure.objects.filter(pk__in=ids).update(updated_at=now)
    for pk in ids:
        queue.after_commit("measures.tasks.render_measure", pk)


# --------------------------------------------------------------------------- uploads


CHECK_CHUNK = 500


def check_upload(batch: UploadBatch) -> None:
    """Check every row against the measure, saving progress as it goes (nothing is imported here)."""
    measure = batch.measure
    points = list(measure.points.order_by("period_start").only("period_start", "value", "numerator",
                                                                "denominator", "excluded"))
    checker = RowChecker(plausibility_rules(measure, raw_values(measure, points)), {p.period_start for p in points})
    rows = batch.rows
    checked: list[dict] = []
    for start in range(0, len(rows), CHECK_CHUNK):
        checked.extend(checker.check(r) for r in rows[start:start + CHECK_CHUNK])
        UploadBatch.objects.filter(pk=batch.pk).update(processed_rows=len(checked))
    checker.finish(checked)
    batch.rows = checked
    batch.processed_rows = len(checked)
    batch.status = UploadStatus.READY
    batch.save(update_fields=["rows", "processed_rows", "status"])


def import_upload(batch: UploadBatch) -> None:
    """Import every valid row in one transaction: a failure leaves nothing half-imported."""
    good = [r for r in batch.rows if not r.get("problems") and not r.get("merged")]
    valid = [r for r in good if batch.include_unusual or not r.get("unusual")]
    inputs = [PointInput(period_start=dt.date.fromisoformat(r["period_start"]), value=r.get("value"),
                         numerator=r.get("numerator"), denominator=r.get("denominator"),
                         observations=r.get("observations"), comment=r.get("comment") or "") for r in valid]
    try:
        counts = save_points(batch.measure, inputs, by=batch.uploaded_by, source=ChangeSource.UPLOAD,
                             overwrite=batch.on_duplicate == OnDuplicate.OVERWRITE)
    except Exception as e:  # the transaction rolled back, so nothing was imported: say so on the batch page
        logger.exception("upload %s failed", batch.pk)
        UploadBatch.objects.filter(pk=batch.pk).update(status=UploadStatus.FAILED, error=str(e)[:2000],
                                                       finished_at=timezone.now())
        return
    UploadBatch.objects.filter(pk=batch.pk).update(
        status=UploadStatus.IMPORTED, imported_count=counts["created"], overwritten_count=counts["changed"],
        skipped_count=counts["skipped"] + counts["unchanged"] + len(good) - len(valid), processed_rows=len(batch.rows),
        finished_at=timezone.now())
