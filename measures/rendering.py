"""Rendering charts ahead of time: snapshots that pages serve, the nightly run that keeps them fresh.

A snapshot is fresh while its `measure_stamp` equals the measure's `updated_at` (every change of data,
phases, annotations or chart settings bumps it, see `services.touch`) and its `rules_hash` equals the
hash of the organisation's SPC configuration, so finding what to recompute is one indexed query, not a
hash over every point. The full input hash (data, settings, rules) is still stored on each snapshot.

A run splits the stale measures into chunks; each chunk writes all of its snapshots, failures, signal
events and its share of the run's counts in one transaction, so a worker killed mid-chunk, or a database
restarted under it, leaves the old snapshots in place and the redelivered or retried chunk (acks_late,
autoretry on OperationalError) is counted once.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import math
import multiprocessing
import traceback
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

import spc
from ops import queue
from ops.models import JobRun, JobStatus

from . import signals
from .charts import SPARK_POINTS, ChartOutput, PointRow, _plotted, analyse_simple, chart_for, reading_of
from .marks import annotations_for, pdsa_annotations
from .models import (
    Annotation,
    ChartSnapshot,
    DataPoint,
    Measure,
    MeasurePhase,
    RenderChunk,
    RenderFailure,
    RenderRun,
    SPCConfig,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
UPSERT_ROWS = 40  # 21 columns: 840 parameters a statement stays under SQLite's old limit of 999
RULE_FIELDS = ("method", "shift_length", "trend_length", "screen_moving_ranges", "two_of_three")
MEASURE_FIELDS = ("chart_type", "period", "improvement", "target", "unit", "multiplier", "method", "show_2sigma",
                  "name")
SNAPSHOT_FIELDS = ("input_hash", "measure_stamp", "rules_hash", "computed_at", "reading_kind", "variation_icon",
                   "assurance_icon", "reading", "method", "latest_value", "latest_period", "trial_limits",
                   "n_points", "recent", "signals", "latest_signal", "phases", "points", "figure", "error")
JSON_FIELDS = ("recent", "signals", "latest_signal", "phases", "points", "figure")
KINDS = {"special_cause_improvement": "improvement", "special_cause_concern": "concern",
         "special_cause_neutral_high": "neutral", "special_cause_neutral_low": "neutral"}


def rules_hash(config: SPCConfig) -> str:
    """The organisation's rules: a change here makes every snapshot stale.

    Choices are hashed by value: a row just created holds `Method.MDC`, whose repr differs from the 'mdc' read
    back from the database, and would make every snapshot rendered with it stale at once."""
    values = [getattr(config, f) for f in RULE_FIELDS]
    return hashlib.sha256(repr([v.value if isinstance(v, enum.Enum) else v for v in values]).encode()).hexdigest()[:16]


def _fresh_q(config: SPCConfig) -> Q:
    return Q(snapshot__rules_hash=rules_hash(config), snapshot__measure_stamp=F("updated_at"))


def stale(measures: QuerySet[Measure], config: SPCConfig) -> QuerySet[Measure]:
    return measures.exclude(_fresh_q(config))


def is_fresh(snapshot: ChartSnapshot | None, measure: Measure, config: SPCConfig) -> bool:
    return (snapshot is not None and snapshot.measure_stamp == measure.updated_at
            and snapshot.rules_hash == rules_hash(config))


# --------------------------------------------------------------------------- one measure's snapshot


def input_hash(measure: Measure, points: Sequence, phases: Sequence[MeasurePhase],
               marks: Iterable[tuple[Any, str]], rules: str) -> str:
    parts = [rules, [getattr(measure, f) for f in MEASURE_FIELDS],
             [(p.period_start, p.value, p.numerator, p.denominator, p.observations, p.excluded) for p in points],
             [(ph.starts_on, ph.kind, ph.n_points, ph.note) for ph in phases], sorted(marks)]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _nan_free(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def build_snapshot(measure: Measure, points: Sequence, phases: Sequence[MeasurePhase],
                   marks: Sequence[tuple[Any, str]], config: SPCConfig, output: ChartOutput | None = None,
                   result: spc.SPCResult | None = None) -> tuple[ChartSnapshot, ChartOutput]:
    """The snapshot of a measure from its loaded inputs (no queries). `output`: an already computed chart;
    `result`: an already made analysis (the nightly run reads simple series many at a time)."""
    rules = rules_hash(config)
    points = sorted(points, key=lambda p: p.period_start)
    out = output or chart_for(measure, points, phases, config, marks, result=result)
    result = out.result
    sigs: list[dict[str, str]] = []
    latest_signal = None
    phase_rows: list[dict[str, Any]] = []
    point_rows: list[list[Any]] = []
    if result is not None:
        for i, (ptype, rule) in enumerate(zip(result.point_type, result.rule)):
            if ptype in KINDS:
                sigs.append({"period": points[i].period_start.isoformat(), "rule": rule or "", "kind": KINDS[ptype]})
                if i == result.last_index:
                    latest_signal = sigs[-1]
        for ph in result.phases:
            phase_rows.append({"start": points[ph.start].period_start.isoformat() if ph.start < len(points) else None,
                               "cl": ph.cl, "lcl": ph.lcl, "ucl": ph.ucl, "n_baseline": ph.n_baseline,
                               "trial_limits": ph.trial_limits, "runs_signal": bool(ph.runs.signal)})
        last_phase = phase_rows[-1] if phase_rows else None
        if result.chart == "run" and latest_signal is None and last_phase and last_phase["runs_signal"]:
            # A run chart's crossings signal marks no point: date it from the phase, so it stays one event.
            runs_rule = "IHI runs rule: too few or too many runs" if result.method == "ihi" else "Anhøj runs analysis"
            latest_signal = {"period": last_phase["start"], "rule": f"Run chart signal ({runs_rule})",
                             "kind": "neutral"}
            sigs.append(latest_signal)
        point_rows = [[_nan_free(y), t] for y, t in zip(result.y.tolist(), result.point_type)]
    snapshot = ChartSnapshot(
        measure_id=measure.pk, input_hash=input_hash(measure, points, phases, marks, rules),
        measure_stamp=measure.updated_at, rules_hash=rules, computed_at=timezone.now(),
        reading_kind=reading_of(out.variation_icon), variation_icon=out.variation_icon or "",
        assurance_icon=out.assurance_icon or "", reading=out.reading, method=result.method if result else "",
        latest_value=out.latest_value, latest_period=out.latest_period, trial_limits=bool(out.trial_limits),
        n_points=len(points), recent=_plotted(measure, points[-SPARK_POINTS:]), signals=sigs,
        latest_signal=latest_signal, phases=phase_rows, points=point_rows, figure=out.figure, error=out.error)
    # Encoded here, so that a value JSON cannot hold (NaN) fails this measure, not the chunk's write.
    snapshot._json = {f: _dumps(getattr(snapshot, f)) for f in JSON_FIELDS}
    return snapshot, out


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, allow_nan=False)


def output_of(snapshot: ChartSnapshot) -> ChartOutput:
    """What the measure page shows, read back from a snapshot."""
    return ChartOutput(
        result=None, figure=snapshot.figure, reading=snapshot.reading, variation_icon=snapshot.variation_icon or None,
        assurance_icon=snapshot.assurance_icon or None, latest_value=snapshot.latest_value,
        latest_period=snapshot.latest_period, trial_limits=snapshot.trial_limits, error=snapshot.error,
        point_types=[t for _, t in snapshot.points], method=snapshot.method, ys=[y for y, _ in snapshot.points])


def save_snapshots(snapshots: Sequence[ChartSnapshot]) -> list:
    """Replace the measures' snapshots and record the signals that are new since the previous ones.
    Call inside a transaction."""
    if not snapshots:
        return []
    previous = dict(ChartSnapshot.objects.filter(measure_id__in=[s.measure_id for s in snapshots])
                    .values_list("measure_id", "latest_signal"))
    _upsert(snapshots)
    return signals.record_new_signals(snapshots, previous)



def _upsert(snapshots: Sequence[ChartSnapshot]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE, as bulk_create(update_conflicts=True) writes it, with the values adapted
    here: the ORM's per-field preparation cost more than the write itself on a full run."""
    ops = connection.ops
    table = ChartSnapshot._meta.db_table
    columns = ["measure_id", *SNAPSHOT_FIELDS]
    quoted = [ops.quote_name(c) for c in columns]
    one = f"({', '.join(['%s'] * len(columns))})"
    conflict = (f" ON CONFLICT ({ops.quote_name('measure_id')}) DO UPDATE SET "
                + ", ".join(f"{q} = EXCLUDED.{q}" for q in quoted[1:]))

    def row(s: ChartSnapshot) -> list[Any]:
        out: list[Any] = [s.measure_id]
        for f in SNAPSHOT_FIELDS:
            v = getattr(s, f)
            if f in JSON_FIELDS:
                v = s._json[f] if hasattr(s, "_json") else _dumps(v)
            elif f in ("measure_stamp", "computed_at"):
                v = ops.adapt_datetimefield_value(v)
            elif f == "latest_period":
                v = ops.adapt_datefield_value(v)
            out.append(v)
        return out

    rows = [row(s) for s in snapshots]
    per = UPSERT_ROWS
    with connection.cursor() as cursor:
        # Many rows a statement: executemany is one round trip a row on psycopg2.
        for start in range(0, len(rows), per):
            batch = rows[start:start + per]
            cursor.execute(f"INSERT INTO {ops.quote_name(table)} ({', '.join(quoted)}) VALUES "
                           + ", ".join([one] * len(batch)) + conflict, [v for r in batch for v in r])


# --------------------------------------------------------------------------- many measures


@dataclass
class Rendered:
    computed: list[int] = field(default_factory=list)
    failed: list[RenderFailure] = field(default_factory=list)


def _points(ids: Sequence[int]) -> dict[int, list[PointRow]]:
    """The measures' points as plain rows. A raw query: the ORM's per-value converters cost a fifth of a full
    run on SQLite (dates come back as text there)."""
    table = DataPoint._meta.db_table
    out: dict[int, list[PointRow]] = defaultdict(list)
    sql = (f"SELECT measure_id, period_start, value, numerator, denominator, observations, excluded FROM {table} "
           f"WHERE measure_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY measure_id, period_start")
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        for measure_id, day, value, num, den, obs, excluded in cursor.fetchall():
            if isinstance(day, str):
                day = dt.date.fromisoformat(day[:10])
            if isinstance(obs, str):
                obs = json.loads(obs)
            out[measure_id].append(PointRow(day, value, num, den, obs, bool(excluded)))
    return out


def _load(ids: Sequence[int]) -> tuple[list[Measure], dict, dict, dict]:
    measures = list(Measure.objects.filter(pk__in=ids).order_by("pk"))
    points = _points(ids)
    phases: dict[int, list[MeasurePhase]] = defaultdict(list)
    for ph in MeasurePhase.objects.filter(measure_id__in=ids):
        phases[ph.measure_id].append(ph)
    marks: dict[int, list] = defaultdict(list)
    for measure_id, day, text in Annotation.objects.filter(measure_id__in=ids).values_list("measure_id", "date",
                                                                                             "text"):
        marks[measure_id].append((day, text))
    pdsa = pdsa_annotations({m.project_id for m in measures if m.project_id})
    for m in measures:
        if m.project_id:
            marks[m.pk] += pdsa.get(m.project_id, [])
    return measures, points, phases, marks


def compute(ids: Sequence[int], config: SPCConfig, run: RenderRun | None = None) -> tuple[list[ChartSnapshot],
                                                                                          list[RenderFailure]]:
    """Snapshots of the measures; a measure that fails is recorded and never stops the others."""
    measures, points, phases, marks = _load(ids)
    results = analyse_simple(measures, points, phases, config)
    done, failed = [], []
    for m in measures:
        try:
            snapshot, _ = build_snapshot(m, points[m.pk], phases[m.pk], marks[m.pk], config, result=results.get(m.pk))
        except Exception as e:  # one broken measure is logged and retried next run (its snapshot stays stale)
            logger.exception("rendering measure %s failed", m.pk)
            failed.append(RenderFailure(run=run, measure_id=m.pk, error=f"{type(e).__name__}: {e}"[:2000],
                                        traceback=traceback.format_exc(limit=8)))
            continue
        done.append(snapshot)
    return done, failed


def render_measures(ids: Sequence[int], *, run: RenderRun | None = None) -> Rendered:
    """Compute and store the measures' snapshots, all in one transaction."""
    config = SPCConfig.current()
    snapshots, failed = compute(ids, config, run)
    with transaction.atomic():
        save_snapshots(snapshots)
        RenderFailure.objects.bulk_create(failed)
    return Rendered([s.measure_id for s in snapshots], failed)


def run_chunk(chunk: RenderChunk) -> Rendered:
    """One worker's share of a run. Safe to run twice: the counts move only when the chunk is first done."""
    config = SPCConfig.current()
    snapshots, failed = compute(chunk.measure_ids, config, chunk.run)
    with transaction.atomic():
        save_snapshots(snapshots)
        if RenderChunk.objects.filter(pk=chunk.pk, done=False).update(done=True):
            # Failures too are kept once: a chunk retried after its commit was lost (the database restarted
            # as it answered) finds itself done and writes only what it recomputed, the same snapshots.
            RenderFailure.objects.bulk_create(failed)
            RenderRun.objects.filter(pk=chunk.run_id).update(
                computed=F("computed") + len(snapshots), failed=F("failed") + len(failed),
                chunks_done=F("chunks_done") + 1)
            _finish_if_done(chunk.run_id)
    return Rendered([s.measure_id for s in snapshots], failed)


def _finish_if_done(run_id: int) -> None:
    now = timezone.now()
    if RenderRun.objects.filter(pk=run_id, finished_at__isnull=True, chunks_done=F("chunks")).update(finished_at=now):
        # The health check reads the last run from the job log.
        run = RenderRun.objects.get(pk=run_id)
        JobRun.objects.create(name="charts", started_at=run.started_at, finished_at=now, status=JobStatus.SUCCEEDED,
                              detail={"run": run.pk, "computed": run.computed, "skipped": run.skipped,
                                      "failed": run.failed})


def render_all(*, force: bool = False, chunk_size: int = CHUNK_SIZE, processes: int = 1) -> RenderRun:
    """Start a run: what is stale (or everything, forced) goes to the workers in chunks; the rest is skipped.
    In eager mode the chunks run here (in `processes` local processes when more than one) and the run is
    finished on return."""
    config = SPCConfig.current()
    active = Measure.objects.active()
    todo = active if force else stale(active, config)
    ids = list(todo.order_by("pk").values_list("pk", flat=True))
    total = active.count()
    with transaction.atomic():
        run = RenderRun.objects.create(forced=force, total=total, skipped=total - len(ids),
                                       chunks=math.ceil(len(ids) / chunk_size))
        chunks = RenderChunk.objects.bulk_create([
            RenderChunk(run=run, index=i, measure_ids=ids[start:start + chunk_size])
            for i, start in enumerate(range(0, len(ids), chunk_size))])
        if not chunks:
            _finish_if_done(run.pk)
    # Sent once the run and its chunks are committed (render_all is called outside a transaction: by the
    # nightly job, the command or a task), so a worker always finds its chunk.
    chunk_ids = list(RenderChunk.objects.filter(run=run).order_by("index").values_list("pk", flat=True))
    if processes > 1 and len(chunk_ids) > 1 and django_settings.CELERY_TASK_ALWAYS_EAGER:
        _run_in_processes(chunk_ids, processes)
    else:
        for pk in chunk_ids:
            queue.now("measures.tasks.render_chunk", pk)
    run.refresh_from_db()
    return run


def _chunk_in_child(chunk_id: int) -> int:
    chunk = RenderChunk.objects.select_related("run").get(pk=chunk_id)
    return len(run_chunk(chunk).computed)


def _run_in_processes(chunk_ids: list[int], processes: int) -> None:
    """Eager mode without a broker (the embedded default): fan the chunks out to local processes, as workers
    would. Connections are closed first so that no child shares its parent's."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for _ in pool.imap_unordered(_chunk_in_child, chunk_ids):
            pass


def nightly_step() -> dict:
    run = render_all()
    return {"run": run.pk, "computed": run.computed, "skipped": run.skipped, "failed": run.failed,
            "chunks": run.chunks, "finished": run.finished_at is not None}


# --------------------------------------------------------------------------- serving


def load_page_chart(measure: Measure) -> tuple[ChartOutput, list[DataPoint], list[MeasurePhase], list[Annotation]]:
    """The measure page's chart: the snapshot when fresh, else computed from what the page loads anyway and
    stored, so the next request reads it."""
    points = list(measure.points.select_related("updated_by", "entered_by").order_by("period_start"))
    phases = list(measure.phases.all())
    notes = list(measure.annotations.select_related("by"))
    config = SPCConfig.current()
    snapshot = ChartSnapshot.objects.filter(measure=measure).first()
    if is_fresh(snapshot, measure, config) and snapshot.n_points == len(points):
        return output_of(snapshot), points, phases, notes
    snapshot, out = build_snapshot(measure, points, phases, annotations_for(measure, notes), config)
    with transaction.atomic():
        save_snapshots([snapshot])
    return out, points, phases, notes


def load_snapshots(measures: Sequence[Measure]) -> dict[int, ChartSnapshot]:
    """Fresh snapshots of the measures, computing (and storing) only those missing or stale."""
    ids = [m.pk for m in measures]
    config = SPCConfig.current()
    snaps = {s.measure_id: s for s in ChartSnapshot.objects.filter(measure_id__in=ids).defer(
        "figure", "points", "signals", "phases", "reading")}
    todo = [m.pk for m in measures if not is_fresh(snaps.get(m.pk), m, config)]
    if todo:
        render_measures(todo)
        snaps.update({s.measure_id: s for s in ChartSnapshot.objects.filter(measure_id__in=todo).defer(
            "figure", "points", "signals", "phases", "reading")})
    return snaps


def load_snapshot(measure: Measure) -> ChartSnapshot | None:
    """One measure's whole snapshot, figure included: as the nightly run stored it while fresh, else rendered
    (and stored) now, so the next reader finds it. None only when rendering it failed."""
    config = SPCConfig.current()
    snapshot = ChartSnapshot.objects.filter(measure=measure).first()
    if is_fresh(snapshot, measure, config):
        return snapshot
    render_measures([measure.pk])
    return ChartSnapshot.objects.filter(measure=measure).first()


def refresh_stale(measures: QuerySet[Measure]) -> int:
    """Before filtering by a snapshot field: bring the matching measures' snapshots up to date (one query when
    they already are)."""
    ids = list(stale(measures, SPCConfig.current()).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK_SIZE):
        render_measures(ids[start:start + CHUNK_SIZE])
    return len(ids)
