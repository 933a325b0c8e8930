"""Preparing, publishing and correcting the board quality report.

`measure_outputs` is the one place the report reads a measure's latest chart (from the nightly snapshot
when it holds exactly what the report would compute, else computed from the data up to the cut-off), and
`build_content` assembles everything a report shows into plain JSON, which `publish` freezes into the report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assurance.quality import board_figures as quality_figures
from measures.charts import chart_for, reading_of
from measures.models import Annotation, ChartSnapshot, DataPoint, Domain, Measure, MeasurePhase, SPCConfig
from measures.periods import label as period_label
from measures.rendering import is_fresh
from measures.sparkline import sparkline_svg
from ops import queue
from spc.fmt import fmt_number
from workspace.models import Story, StoryKind

from . import portfolio
from .content import DOMAIN, OBJECTIVE, choose_grouping
from .models import BoardReport, MeasureNarrative, PDFStatus, ReportPDF, ReportStatus
from .pdf import render_pdf

# 1: measures grouped by domain only ("groups"); the portfolio as it was when built. 2: "groupings" by domain
# and by strategic objective. 3: the portfolio as it stood at the meeting (its "state_at"), from history.
CONTENT_SCHEMA = 3
SPARK_POINTS = 24
NOT_LINKED = "Not linked to a strategic objective"


class ReportError(Exception):
    """A report cannot move that way (published twice, corrected twice, a draft for a taken date)."""


# --------------------------------------------------------------------------- reading the measures


def report_measures() -> list[Measure]:
    """The Whole System Measures the board reads: organisation scope, active."""
    return list(Measure.objects.for_board().active().select_related("owner", "objective").order_by("name"))


def concern_rank(variation: str | None, assurance: str | None, error: str = "") -> int:
    """Concerns first: special-cause concern, then a target reliably missed, then unusual-but-neutral,
    then measures that cannot be read, then a target hit and missed at random, common cause, improvement."""
    v = variation or ""
    if v.startswith("concern"):
        return 0
    if assurance == "fail":
        return 1
    if v.startswith("neutral"):
        return 2
    if error or not v:
        return 3
    if assurance == "inconsistent":
        return 4
    if v == "common_cause":
        return 5
    return 6


def measure_outputs(measures: Sequence[Measure], *, up_to: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """The latest chart output of each measure as plain JSON: figure, reading, icons, latest value, sparkline.

    `up_to`: leave out periods starting on or after it. A measure's nightly snapshot is used when it is fresh
    (the measure page's rule: same SPC configuration, nothing changed since, as many points) and the measure
    has no point on or after `up_to`, since the snapshot then holds what computing would give; the other
    measures are computed from their points before `up_to`. At most five queries whatever the number of
    measures: the configuration, the snapshots, and the points, phases and annotations of those computed.
    """
    config = SPCConfig.current()
    snapshots = _usable_snapshots(measures, config, up_to)
    out = {m.pk: _snapshot_output(m, snapshots[m.pk]) for m in measures if m.pk in snapshots}
    out.update(_computed_outputs([m for m in measures if m.pk not in snapshots], config, up_to))
    return out


def _usable_snapshots(measures: Sequence[Measure], config: SPCConfig, up_to: dt.date | None
                      ) -> dict[int, ChartSnapshot]:
    """The fresh snapshots of the measures with no data on or after `up_to`, in one query."""
    if not measures:
        return {}
    points = DataPoint.objects.filter(measure_id=OuterRef("measure_id"))
    n_points = points.order_by().values("measure_id").annotate(n=Count("pk")).values("n")
    qs = ChartSnapshot.objects.filter(measure_id__in=[m.pk for m in measures]).defer(
        "signals", "latest_signal", "phases").annotate(
        points_now=Coalesce(Subquery(n_points), 0),
        newer=Exists(points.filter(period_start__gte=up_to)) if up_to is not None else Value(False))
    by_id = {m.pk: m for m in measures}
    return {s.measure_id: s for s in qs
            if not s.newer and s.points_now == s.n_points and is_fresh(s, by_id[s.measure_id], config)}


def _output(m: Measure, *, figure: dict[str, Any] | None, reading: str, variation: str | None,
            assurance: str | None, latest: float | None, latest_period: dt.date | None, trial: bool, error: str,
            n_points: int, recent: list[float | None], source: str, computed_at: dt.datetime) -> dict[str, Any]:
    spark_label = f"{m.name}: last {len(recent)} values" + (
        f", latest {fmt_number(latest, m.unit)}" if latest is not None else "")
    return {
        "figure": figure, "reading": reading, "variation_icon": variation, "assurance_icon": assurance,
        "reading_kind": reading_of(variation),
        "latest_value": latest, "latest_text": fmt_number(latest, m.unit) if latest is not None else "–",
        "latest_period": latest_period.isoformat() if latest_period else None,
        "latest_period_label": period_label(latest_period, m.period) if latest_period else "",
        "trial_limits": trial, "error": error, "n_points": n_points,
        "sparkline": sparkline_svg(recent, reading=reading_of(variation), label=spark_label, target=m.target),
        # Where the chart came from, kept in the frozen report: the nightly snapshot of that time, or computed.
        "chart_source": source, "chart_computed_at": computed_at.isoformat(),
    }


def _snapshot_output(m: Measure, s: ChartSnapshot) -> dict[str, Any]:
    return _output(m, figure=s.figure, reading=s.reading or s.error, variation=s.variation_icon or None,
                   assurance=s.assurance_icon or None, latest=s.latest_value, latest_period=s.latest_period,
                   trial=s.trial_limits, error=s.error, n_points=s.n_points,
                   recent=[y for y, _ in s.points[-SPARK_POINTS:]], source="snapshot", computed_at=s.computed_at)


def _computed_outputs(measures: Sequence[Measure], config: SPCConfig, up_to: dt.date | None
                      ) -> dict[int, dict[str, Any]]:
    """Charts computed from the points before `up_to`: three queries (none when there is nothing to compute)."""
    if not measures:
        return {}
    ids = [m.pk for m in measures]
    points: dict[int, list[DataPoint]] = defaultdict(list)
    phases: dict[int, list[MeasurePhase]] = defaultdict(list)
    notes: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    point_qs = DataPoint.objects.filter(measure_id__in=ids).order_by("measure_id", "period_start")
    note_qs = Annotation.objects.filter(measure_id__in=ids)
    if up_to is not None:
        point_qs = point_qs.filter(period_start__lt=up_to)
        note_qs = note_qs.filter(date__lt=up_to)
    for p in point_qs.defer("comment", "exclusion_reason", "entered_by", "entered_at", "updated_by", "updated_at"):
        points[p.measure_id].append(p)
    for ph in MeasurePhase.objects.filter(measure_id__in=ids):
        phases[ph.measure_id].append(ph)
    for a in note_qs.only("measure_id", "date", "text"):
        notes[a.measure_id].append((a.date, a.text))
    out: dict[int, dict[str, Any]] = {}
    now = timezone.now()
    for m in measures:
        chart = chart_for(m, points[m.pk], phases[m.pk], config, notes[m.pk])
        recent: list[float | None] = []
        if chart.result is not None:
            recent = [None if math.isnan(v) else float(v) for v in chart.result.y.tolist()[-SPARK_POINTS:]]
        out[m.pk] = _output(m, figure=chart.figure, reading=chart.reading or chart.error,
                            variation=chart.variation_icon, assurance=chart.assurance_icon,
                            latest=chart.latest_value, latest_period=chart.latest_period, trial=chart.trial_limits,
                            error=chart.error, n_points=len(points[m.pk]), recent=recent, source="computed",
                            computed_at=now)
    return out


# --------------------------------------------------------------------------- assembling a report


def _story(story: Story | None) -> dict[str, Any] | None:
    if story is None:
        return None
    project = story.project
    return {"id": story.pk, "kind": story.kind, "kind_label": story.get_kind_display(), "title": story.title,
            "body": story.body, "project": project.title, "team": project.team.name,
            "directorate": project.directorate.name, "consent_note": story.consent_note}


def data_cut_off(meeting_date: dt.date) -> dt.date:
    """Periods are reported once complete: data up to the end of the month before the meeting's."""
    return meeting_date.replace(day=1)


def portfolio_moment(meeting_date: dt.date) -> dt.datetime:
    """When the report reads the portfolio: the end of the meeting day, or now when that is still to come
    (a report published before its meeting shows the portfolio as it was published). Not the data cut-off:
    teams score the last complete month early in the meeting's month, and the forums' quarter runs to the
    meeting."""
    return min(timezone.make_aware(dt.datetime.combine(meeting_date, dt.time.max)), timezone.now())


def build_content(report: BoardReport, *, measures: Sequence[Measure] | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain JSON (what `publish` freezes)."""
    measures = report_measures() if measures is None else list(measures)
    up_to = data_cut_off(report.meeting_date)
    outputs = measure_outputs(measures, up_to=up_to)
    narratives = {}
    if report.pk:
        narratives = dict(MeasureNarrative.objects.filter(report=report).values_list("measure_id", "text"))
    items, objective_order = [], {}
    for m in measures:
        o = outputs[m.pk]
        if m.objective_id:
            objective_order[str(m.objective_id)] = (m.objective.order, m.objective.name.lower())
        items.append({
            "id": m.pk, "name": m.name, "unit": m.unit, "domain": m.domain, "domain_label": m.get_domain_display(),
            "objective_id": m.objective_id, "objective": m.objective.name if m.objective_id else "",
            "definition": m.definition, "improvement": m.improvement, "improvement_label": m.get_improvement_display(),
            "chart_label": m.get_chart_type_display(), "period_label": m.get_period_display(),
            "target": m.target, "target_text": fmt_number(m.target, m.unit) if m.target is not None else "",
            "owner": m.owner.name if m.owner_id else "", "narrative": narratives.get(m.pk, ""),
            "rank": concern_rank(o["variation_icon"], o["assurance_icon"], o["error"]), **o,
        })
    domain_order = {d.value: (i,) for i, d in enumerate(Domain)}
    items.sort(key=lambda i: (domain_order.get(i["domain"], (99,)), i["rank"], i["name"].lower()))
    groupings = {
        DOMAIN: _groups(items, key=lambda i: i["domain"], label=lambda i: i["domain_label"], order=domain_order),
        OBJECTIVE: _groups(items, key=lambda i: str(i["objective_id"]) if i["objective_id"] else "none",
                           label=lambda i: i["objective"] or NOT_LINKED, order=objective_order),
    }
    stories = [s for s in (_story(report.patient_story), _story(report.improvement_story)) if s]
    return {
        "schema": CONTENT_SCHEMA,
        "as_of": report.meeting_date.isoformat(),
        "data_to": (up_to - dt.timedelta(days=1)).isoformat(),
        "built_at": timezone.now().isoformat(),
        "headline": headline(items),
        "groupings": groupings,
        "measures": items,
        "portfolio": portfolio.figures(report.meeting_date, at=portfolio_moment(report.meeting_date)),
        "stories": stories,
        "quality_system": quality_figures(report.meeting_date),
    }


def _groups(items: Sequence[dict[str, Any]], *, key, label, order: dict[str, tuple]) -> list[dict[str, Any]]:
    """Groups in `order` (keys not in it last), each with its measures concerns first, then by name."""
    by_key: dict[str, dict[str, Any]] = {}
    for item in sorted(items, key=lambda i: (i["rank"], i["name"].lower())):
        group = by_key.setdefault(key(item), {"key": key(item), "label": label(item), "measure_ids": []})
        group["measure_ids"].append(item["id"])
    return sorted(by_key.values(), key=lambda g: (g["key"] not in order, order.get(g["key"], ()), g["label"]))


def headline(items: Iterable[dict[str, Any]]) -> dict[str, int]:
    items = list(items)
    kinds = [i["reading_kind"] for i in items]
    return {"measures": len(items), "concern": kinds.count("concern"), "improvement": kinds.count("improvement"),
            "common": kinds.count("common"), "neutral": kinds.count("neutral"), "none": kinds.count("none"),
            "pass": sum(1 for i in items if i["assurance_icon"] == "pass"),
            "fail": sum(1 for i in items if i["assurance_icon"] == "fail"),
            "inconsistent": sum(1 for i in items if i["assurance_icon"] == "inconsistent")}


def content_for(report: BoardReport) -> dict[str, Any]:
    """What the report page shows: the frozen content of a published report, a live preview of a draft."""
    return report.content if report.is_published else build_content(report)


# --------------------------------------------------------------------------- the report's life


def create_draft(*, meeting_date: dt.date, by, title: str = "") -> BoardReport:
    if BoardReport.objects.filter(meeting_date=meeting_date).exists():
        raise ReportError(f"There is already a report for the meeting on {meeting_date:%-d %B %Y}: "
                          "edit it, or publish a correction of it.")
    with transaction.atomic():
        report = BoardReport.objects.create(
            meeting_date=meeting_date, prepared_by=by,
            title=title or f"Quality report to the Board, {meeting_date:%-d %B %Y}")
        ensure_narratives(report)
    return report


def ensure_narratives(report: BoardReport) -> None:
    """A narrative row for every Whole System Measure of a draft (blank until written)."""
    if not report.is_draft:
        return
    ids = Measure.objects.for_board().active().values_list("pk", flat=True)
    MeasureNarrative.objects.bulk_create([MeasureNarrative(report=report, measure_id=i) for i in ids],
                                         ignore_conflicts=True)


def save_draft(report: BoardReport, *, by, title: str, meeting_date: dt.date, patient_story: Story | None,
               improvement_story: Story | None, narratives: dict[int, str]) -> BoardReport:
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_draft:
            raise ReportError("This report has been published and can no longer change; publish a correction.")
        if (meeting_date != locked.meeting_date
                and BoardReport.objects.filter(meeting_date=meeting_date, version=locked.version).exists()):
            raise ReportError(f"There is already a report for the meeting on {meeting_date:%-d %B %Y}.")
        if patient_story is not None and patient_story.kind != StoryKind.PATIENT:
            raise ReportError("Choose a patient story for the patient story.")
        if improvement_story is not None and improvement_story.kind != StoryKind.IMPROVEMENT:
            raise ReportError("Choose an improvement story for the improvement story.")
        locked.title, locked.meeting_date = title, meeting_date
        locked.patient_story, locked.improvement_story = patient_story, improvement_story
        locked.save(update_fields=["title", "meeting_date", "patient_story", "improvement_story"])
        now = timezone.now()
        rows = {n.measure_id: n for n in MeasureNarrative.objects.filter(report=locked)}
        changed, new = [], []
        for measure_id, text in narratives.items():
            text = text.strip()
            row = rows.get(measure_id)
            if row is None:
                new.append(MeasureNarrative(report=locked, measure_id=measure_id, text=text, updated_by=by,
                                            updated_at=now))
            elif row.text != text:
                row.text, row.updated_by, row.updated_at = text, by, now
                changed.append(row)
        MeasureNarrative.objects.bulk_create(new)
        MeasureNarrative.objects.bulk_update(changed, ["text", "updated_by", "updated_at"])
    return locked


def save_narrative(report: BoardReport, measure: Measure, *, text: str, by) -> MeasureNarrative:
    """One measure's narrative, by its owner (or the QI department)."""
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_draft:
            raise ReportError("This report has been published: its narratives are a record.")
        row, _ = MeasureNarrative.objects.get_or_create(report=locked, measure=measure)
        row.text, row.updated_by, row.updated_at = text.strip(), by, timezone.now()
        row.save()
    return row


def publish(report: BoardReport, *, by) -> BoardReport:
    """Freeze everything the report shows into it and publish it (superseding the version it corrects)."""
    with transaction.atomic():
        locked = (BoardReport.objects.select_for_update(of=("self",))
                  .select_related("patient_story__project__team", "patient_story__project__directorate",
                                  "improvement_story__project__team", "improvement_story__project__directorate",
                                  "supersedes")
                  .get(pk=report.pk))
        if not locked.is_draft:
            raise ReportError("This report is already published; nothing was changed.")
        if locked.supersedes_id and not locked.supersedes.is_published:
            raise ReportError("The report this corrects is not published.")
        content = build_content(locked)
        locked.content = content
        locked.status = ReportStatus.PUBLISHED
        locked.published_by, locked.published_at = by, timezone.now()
        locked.save(update_fields=["content", "status", "published_by", "published_at"])
    return locked


def correct(report: BoardReport, *, note: str, by) -> BoardReport:
    """Start a corrected version of a published report: a new draft with its narratives and stories,
    which supersedes the old one when published. The note says what changed, for all to see."""
    if not note.strip():
        raise ReportError("Say what the correction changes: the board will read it.")
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_published:
            raise ReportError("Only a published report is corrected; edit the draft instead.")
        if BoardReport.objects.filter(supersedes=locked).exists():
            raise ReportError("This version already has a correction; correct the latest version.")
        new = BoardReport.objects.create(
            meeting_date=locked.meeting_date, title=locked.title, version=locked.version + 1, supersedes=locked,
            correction_note=note.strip(), patient_story_id=locked.patient_story_id,
            improvement_story_id=locked.improvement_story_id, prepared_by=by)
        MeasureNarrative.objects.bulk_create([
            MeasureNarrative(report=new, measure_id=n.measure_id, text=n.text, updated_by_id=n.updated_by_id,
                             updated_at=n.updated_at)
            for n in MeasureNarrative.objects.filter(report=locked)])
        ensure_narratives(new)
    return new


def discard_draft(report: BoardReport) -> None:
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_draft:
            raise ReportError("A published report is a record and is never deleted.")
        locked.delete()


def latest_versions(reports: Iterable[BoardReport]) -> list[BoardReport]:
    return [r for r in reports if not getattr(r, "superseded", False)]


# --------------------------------------------------------------------------- the board-pack PDF


def report_meta(report: BoardReport) -> dict[str, Any]:
    return {"title": report.title, "meeting_date": report.meeting_date, "version": report.version,
            "correction_note": report.correction_note, "published_at": report.published_at,
            "published_by": report.published_by.name if report.published_by_id else ""}


def request_pdf(report: BoardReport, *, by, grouping: str = DOMAIN) -> ReportPDF:
    """Queue the PDF of a published report in a grouping (once each: a frozen report's PDF never changes; a
    failed one is tried again). A grouping the report does not hold is made by domain."""
    if not report.is_published:
        raise ReportError("The board pack is made from the published report.")
    grouping, _ = choose_grouping(report.content, grouping)
    with transaction.atomic():
        pdf, created = ReportPDF.objects.select_for_update().get_or_create(
            report=report, grouping=grouping,
            defaults={"requested_by": by, "total": len(report.content.get("measures", [])) + 2})
        if not created and pdf.status == PDFStatus.FAILED:
            ReportPDF.objects.filter(pk=pdf.pk).update(status=PDFStatus.QUEUED, error="", done=0,
                                                       requested_by=by, requested_at=timezone.now())
            created = True
        if created:
            queue.after_commit("board.tasks.build_pdf", pdf.pk)
    pdf.refresh_from_db()
    return pdf


def build_pdf(pdf: ReportPDF) -> int:
    """Build the PDF, saving progress as it goes; a failure is recorded on the row for the page to show."""
    report = BoardReport.objects.select_related("published_by").get(pk=pdf.report_id)
    ReportPDF.objects.filter(pk=pdf.pk).update(status=PDFStatus.BUILDING, step="Starting", done=0)

    def progress(step: str, done: int, total: int) -> None:
        ReportPDF.objects.filter(pk=pdf.pk).update(step=step, done=done, total=total)

    try:
        data, pages = render_pdf(report_meta(report), report.content, grouping=pdf.grouping, progress=progress)
    except Exception as e:  # recorded for the person waiting, then raised for the worker's log
        ReportPDF.objects.filter(pk=pdf.pk).update(status=PDFStatus.FAILED, error=str(e)[:2000],
                                                   finished_at=timezone.now())
        raise
    ReportPDF.objects.filter(pk=pdf.pk).update(status=PDFStatus.READY, file=data, pages=pages, step="Ready",
                                               finished_at=timezone.now())
    return pages
