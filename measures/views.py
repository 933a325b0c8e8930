"""Measure pages: the chart and its data table, uploads, exports, definitions, and the SPC summary."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ops import queue
from organisation.models import Team
from projects.models import Project

from . import exports, periods
from .charts import READING_LABELS
from .forms import (
    MAX_NEW_ROWS,
    AnnotationForm,
    ConfirmUploadForm,
    MeasureForm,
    MovePointForm,
    PeriodInput,
    PhaseForm,
    PointFormSet,
    RemovePointForm,
    SPCConfigForm,
    SummaryFilterForm,
    UploadForm,
    point_initial,
)
from .models import (
    Annotation,
    DataPoint,
    DataPointChange,
    Measure,
    MeasurePhase,
    RenderFailure,
    RenderRun,
    Scope,
    SPCConfig,
    UploadBatch,
    UploadStatus,
)
from .plausibility import takes
from .rendering import load_page_chart, refresh_stale
from .rules import can_add_measure_to
from .services import (
    PointConflict,
    load_summary,
    move_point,
    plausibility_rules,
    raw_values,
    remove_point,
    save_points,
    touch,
)
from .uploads import UploadError, parse_paste, read_table

PAGE_SIZE = 50


def _measure_for(request: HttpRequest, pk: int, perm: str | None = None) -> Measure:
    """The measure if the person may see it (a draft project's is a 404), and may do `perm` (else 403)."""
    measure = get_object_or_404(Measure.objects.visible_to(request.user).for_list(), pk=pk)
    if perm and not request.user.has_perm(perm, measure):
        raise PermissionDenied({
            "measures.enter_data": "Only the people working on this measure can add or correct its data.",
            "measures.edit_measure": "Only the people working on this measure and the QI department can change "
                                     "its definition.",
        }.get(perm, "You cannot do that."))
    return measure


# --------------------------------------------------------------------------- the measure page


@login_required
@require_http_methods(["GET", "POST"])
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    can_enter = request.user.has_perm("measures.enter_data", measure)
    if request.method == "POST" and not can_enter:
        raise PermissionDenied("Only the people working on this measure can add or correct its data.")
    chart = load_page_chart(measure)
    adding = _rows_asked(request)
    formset = None
    if can_enter:
        data = request.POST if request.method == "POST" else None
        if data is not None and "fill" in data:
            data, slots, filled = _filled_from_paste(measure, chart[1], data, adding)
            adding = len(slots)
            formset = _data_formset(measure, chart[1], data, slots=slots)
            if filled:
                formset.is_valid()  # checked row by row, nothing saved: the person reviews, then saves
                messages.info(request, f"{filled} row{'s' if filled != 1 else ''} filled from what you pasted: "
                                       "nothing is saved yet. Check the rows, then save the data.")
            else:
                messages.warning(request, "There was nothing to fill in: paste rows copied from a spreadsheet.")
            return _measure_page(request, measure, chart, formset=formset, adding=adding,
                                 paste=request.POST.get("paste", ""))
        formset = _data_formset(measure, chart[1], data, adding=adding)
    if request.method == "POST":
        if formset.is_valid():
            moved = [f for f in formset.forms if f.is_new and f.cleaned_data.get("_moved_from")]
            counts = save_points(measure, formset.changed_inputs(), by=request.user)
            for f in moved:
                messages.info(request, f"{f.cleaned_data['_moved_from']:%-d %b %Y} was saved as "
                                       f"{periods.label(f.cleaned_data['period_start'], measure.period)}.")
            messages.success(request, _saved_message(counts))
            for f in formset.forms:  # only the rows saved now: not every earlier period at each save
                if f.has_changed() and len(f.cleaned_data.get("observations_list") or ()) == 1:
                    messages.warning(request, _single_observation_message(measure, f.cleaned_data["period_start"]))
            return redirect(measure)
        messages.error(request, "Nothing was saved: please correct the cells marked below.")
    return _measure_page(request, measure, chart, formset=formset, adding=adding)


def _rows_asked(request: HttpRequest) -> int:
    """How many new rows the data table offers (?add=24): one unless asked, never more than MAX_NEW_ROWS."""
    text = request.GET.get("add", "")
    return max(1, min(MAX_NEW_ROWS, int(text))) if text.isdigit() else 1


def _next_periods(measure: Measure, points: list, n: int) -> list:
    """The n periods after the last point (or the n up to this one when there are none yet), none in the
    future: what new rows are offered for."""
    today = periods.period_start(timezone.localdate(), measure.period)
    if points:
        first = periods.next_period(points[-1].period_start, measure.period)
    elif measure.first_period:
        first = periods.period_start(measure.first_period, measure.period)
    else:
        first = periods.add_periods(today, measure.period, -(n - 1))
    out = []
    for i in range(n):
        day = periods.add_periods(first, measure.period, i)
        out.append(day if day <= today else None)
    return out


def _data_formset(measure: Measure, points: list, data=None, *, adding: int = 1,
                  slots: list | None = None) -> PointFormSet:
    """The data table: a form per point, then the new rows (`slots`: their periods, None for a row whose period
    the person gives; by default the `adding` periods after the last point)."""
    if slots is None:
        slots = _next_periods(measure, points, adding)
    initial = point_initial(points) + [{"period_start": day} if day else {} for day in slots]
    return PointFormSet(data, initial=initial, prefix="points", measure=measure,
                        existing={p.period_start for p in points},
                        rules=plausibility_rules(measure, raw_values(measure, points)))


def _filled_from_paste(measure: Measure, points: list, data, adding: int) -> tuple:
    """The table's posted data with the pasted rows put into the new rows (from the first empty one), as many
    new rows as they need; periods the paste does not give run on from the row before. Returns the data, the
    new rows' periods (one per new row) and how many rows were pasted."""
    slots = _next_periods(measure, points, adding)
    pasted = parse_paste(data.get("paste", ""), takes(measure.chart_type))
    if not pasted:
        return data, slots, 0
    data = data.copy()
    existing = len(points)
    start = next((i for i in range(adding) if not any(
        data.get(f"points-{existing + i}-{f}") for f in ("value", "numerator", "denominator", "observations"))),
        adding)
    total = max(adding, start + len(pasted))
    slots += [None] * (total - len(slots))
    widget = PeriodInput(measure.period)
    previous = None
    for k, row in enumerate(pasted):
        i = existing + start + k
        day = periods.parse_date(row.pop("date")) if row.get("date") else None
        if day is None:
            posted = periods.parse_date(data.get(f"points-{i}-period_start", ""))
            day = posted or (periods.next_period(previous, measure.period) if previous else slots[start + k])
        if day is not None:
            day = periods.period_start(day, measure.period)
            data[f"points-{i}-period_start"] = widget.format_value(day)
        slots[start + k] = day
        previous = day
        for name, text in row.items():
            data[f"points-{i}-{name}"] = text
    data["points-TOTAL_FORMS"] = str(existing + total)
    return data, slots, len(pasted)


def _measure_page(request: HttpRequest, measure: Measure, chart: tuple, *, formset: PointFormSet | None,
                  phase_form: PhaseForm | None = None, annotation_form: AnnotationForm | None = None,
                  adding: int = 1, paste: str = "") -> HttpResponse:
    """The measure page (`formset`: the data table, None for those who cannot enter data). A phase or
    annotation form that did not validate comes back bound, so its errors sit beside its fields and what was
    typed is kept."""
    output, points, phases, notes = chart
    forms = formset.forms if formset else [None] * len(points)
    types = output.point_types or [None] * len(points)
    ys = output.ys or [None] * len(points)
    rows = [{"form": f, "point": p, "ptype": t, "y": y} for f, p, t, y in zip(forms, points, types, ys)]
    return render(request, "measures/detail.html", {
        "measure": measure, "output": output, "points": points, "phases": phases, "notes": notes,
        "rows": rows, "formset": formset, "new_forms": formset.forms[len(points):] if formset else [],
        "adding": adding, "paste": paste, "max_new_rows": MAX_NEW_ROWS,
        "can_enter": formset is not None, "can_edit": request.user.has_perm("measures.edit_measure", measure),
        "phase_form": phase_form or PhaseForm(measure=measure, prefix="phase"),
        "annotation_form": annotation_form or AnnotationForm(prefix="note"),
        "changes": DataPointChange.objects.filter(measure=measure).select_related("by")[:20],
        "uploads": UploadBatch.objects.filter(measure=measure).select_related("uploaded_by").defer("rows")[:5],
        "period_hint": periods.describe_period(measure.period),
    })


def _single_observation_message(measure: Measure, start) -> str:
    """Saved, but worth a word: one observation has no spread, so the engine gives that period no limits."""
    return (f"{periods.label(start, measure.period)} has a single observation. A subgroup of one has no spread: "
            "that period gets no control limits on the x̄ chart and no point on the s chart. If there were more "
            "observations that period, add them.")


def _saved_message(counts: dict[str, int]) -> str:
    parts = []
    if counts["created"]:
        parts.append(f"{counts['created']} period{'s' if counts['created'] != 1 else ''} added")
    if counts["changed"]:
        parts.append(f"{counts['changed']} corrected (the old values are kept in the history)")
    return ("Saved: " + "; ".join(parts) + ".") if parts else "Nothing had changed."


@login_required
@require_POST
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk, "measures.enter_data")
    form = PhaseForm(request.POST, measure=measure, prefix="phase")
    if form.is_valid():
        phase = form.save(commit=False)
        phase.measure, phase.created_by = measure, request.user
        phase.save()
        touch(measure)
        messages.success(request, f"Phase added: {phase}.")
        return redirect(measure)
    chart = load_page_chart(measure)
    return _measure_page(request, measure, chart, formset=_data_formset(measure, chart[1]), phase_form=form)


@login_required
@require_POST
def phase_delete(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_object_or_404(MeasurePhase, pk=pk)
    measure = _measure_for(request, phase.measure_id, "measures.enter_data")
    phase.delete()
    touch(measure)
    messages.success(request, "Phase removed: the limits run on from the previous phase.")
    return redirect(measure)


@login_required
@require_POST
def annotation_add(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk, "measures.enter_data")
    form = AnnotationForm(request.POST, prefix="note")
    if form.is_valid():
        note = form.save(commit=False)
        note.measure, note.by = measure, request.user
        note.save()
        touch(measure)
        messages.success(request, "Annotation added.")
        return redirect(measure)
    chart = load_page_chart(measure)
    return _measure_page(request, measure, chart, formset=_data_formset(measure, chart[1]),
                         annotation_form=form)


@login_required
@require_POST
def annotation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Annotation, pk=pk)
    measure = _measure_for(request, note.measure_id, "measures.enter_data")
    note.delete()
    touch(measure)
    messages.success(request, "Annotation removed.")
    return redirect(measure)


# --------------------------------------------------------------------------- moving and removing a point


def _point_for(request: HttpRequest, pk: int) -> tuple[DataPoint, Measure]:
    point = get_object_or_404(DataPoint, pk=pk)
    return point, _measure_for(request, point.measure_id, "measures.enter_data")


@login_required
@require_http_methods(["GET", "POST"])
def point_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """One point's page: move it to the period it belongs to, or remove it, with a reason kept in its history."""
    point, measure = _point_for(request, pk)
    point.measure = measure
    rules = plausibility_rules(measure)
    move_form = MovePointForm(request.POST if "move" in request.POST else None, point=point, rules=rules,
                              prefix="move")
    remove_form = RemovePointForm(request.POST if "remove" in request.POST else None, prefix="remove")
    when = periods.label(point.period_start, measure.period)
    if request.method == "POST" and "remove" in request.POST and remove_form.is_valid():
        remove_point(point, by=request.user, reason=remove_form.cleaned_data["reason"])
        messages.success(request, f"{when} removed. Its values stay in the history below the table.")
        return redirect(measure)
    if request.method == "POST" and "move" in request.POST and move_form.is_valid():
        to = move_form.cleaned_data["period_start"]
        try:
            move_point(point, to, by=request.user, reason=move_form.cleaned_data["reason"])
        except PointConflict:
            move_form.add_error("period_start", f"{periods.label(to, measure.period)} has just been given a "
                                                "point by someone else.")
        else:
            messages.success(request, f"{when} moved to {periods.label(to, measure.period)}.")
            return redirect(measure)
    return render(request, "measures/point.html", {
        "measure": measure, "point": point, "when": when, "move_form": move_form, "remove_form": remove_form,
        "changes": DataPointChange.objects.filter(point=point).select_related("by")[:50],
    })


# --------------------------------------------------------------------------- definitions


def _scope_from(request: HttpRequest) -> tuple[str, Project | None, Team | None]:
    params = request.POST if request.method == "POST" else request.GET
    project_id, team_id = params.get("project"), params.get("team")
    if project_id:
        project = get_object_or_404(Project.objects.visible_to(request.user).select_related("directorate"),
                                    pk=project_id)
        return Scope.PROJECT, project, None
    if team_id:
        return Scope.TEAM, None, get_object_or_404(Team, pk=team_id)
    return Scope.SYSTEM, None, None


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request: HttpRequest) -> HttpResponse:
    scope, project, team = _scope_from(request)
    if not can_add_measure_to(request.user, project=project, team=team):
        raise PermissionDenied("Measures of a project are added by the people working on it; team and Whole "
                               "System Measures by the QI department and Improvement Advisors.")
    form = MeasureForm(request.POST or None, scope=scope, initial={"early_warning": scope == Scope.TEAM})
    if request.method == "POST" and form.is_valid():
        measure = form.save(commit=False)
        measure.project, measure.team, measure.owner = project, team, request.user
        measure.save()
        messages.success(request, f"Measure “{measure.name}” created. Add its data below or upload a file.")
        return redirect(measure)
    return render(request, "measures/form.html", {"form": form, "scope": scope, "project": project, "team": team,
                                                  "measure": None})


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk, "measures.edit_measure")
    form = MeasureForm(request.POST or None, instance=measure, scope=measure.scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        touch(measure)
        messages.success(request, "Measure saved.")
        return redirect(measure)
    return render(request, "measures/form.html", {"form": form, "scope": measure.scope, "project": measure.project,
                                                  "team": measure.team, "measure": measure})


@login_required
def project_measures(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("directorate", "team"),
                                pk=pk)
    measures = list(Measure.objects.filter(project=project).for_list())
    return render(request, "measures/project_measures.html", {
        "project": project, "rows": load_summary(measures),
        "can_add": can_add_measure_to(request.user, project=project),
    })


# --------------------------------------------------------------------------- the SPC summary


def _filtered(request: HttpRequest, form: SummaryFilterForm):
    measures = (Measure.objects.visible_to(request.user).active().for_list()
                .annotate(scope_order=Case(When(project__isnull=True, team__isnull=True, then=Value(0)),
                                           When(team__isnull=False, then=Value(1)), default=Value(2),
                                           output_field=IntegerField())))
    if not form.is_valid():
        return measures.order_by("scope_order", "domain", "name", "pk"), {}
    f = form.cleaned_data
    if f["directorate"]:
        measures = measures.filter(Q(project__directorate=f["directorate"]) | Q(team__directorate=f["directorate"]))
    if f["team"]:
        measures = measures.filter(Q(team=f["team"]) | Q(project__team=f["team"]))
    if f["project"]:
        measures = measures.filter(project_id=f["project"])
    if f["measure_type"]:
        measures = measures.filter(measure_type=f["measure_type"])
    if f["scope"] == Scope.PROJECT:
        measures = measures.filter(project__isnull=False)
    elif f["scope"] == Scope.TEAM:
        measures = measures.filter(team__isnull=False)
    elif f["scope"] == Scope.SYSTEM:
        measures = measures.filter(project__isnull=True, team__isnull=True)
    if f["domain"]:
        measures = measures.filter(domain=f["domain"])
    if f["q"]:
        measures = measures.filter(name__icontains=f["q"])
    return measures.order_by("scope_order", "domain", "name", "pk"), f


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    form = SummaryFilterForm(request.GET or None)
    measures, f = _filtered(request, form)
    reading = f.get("reading") if f else ""
    assurance = f.get("assurance") if f else ""
    if reading or assurance:
        # The readings are columns of the snapshot: filter in the database (after computing any stale ones).
        refresh_stale(measures)
    if reading:
        measures = measures.filter(snapshot__reading_kind=reading)
    if assurance:
        measures = measures.filter(snapshot__assurance_icon=assurance)
    page = Paginator(measures, PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = load_summary(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    project = None
    if f and f.get("project"):
        project = Project.objects.visible_to(request.user).filter(pk=f["project"]).first()
    return render(request, "measures/summary.html", {
        "form": form, "page": page, "rows": page_rows, "query": params.urlencode(), "reading_labels": READING_LABELS,
        "filtered": bool(f and any(f.values())), "project": project,
        "can_add_system": can_add_measure_to(request.user),
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    })


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("measures:summary")


# --------------------------------------------------------------------------- uploads and exports


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk, "measures.enter_data")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            rows = read_table(f.read(), f.name)
        except UploadError as e:
            form.add_error("file", str(e))
        else:
            with transaction.atomic():
                batch = UploadBatch.objects.create(measure=measure, filename=f.name[:255], uploaded_by=request.user,
                                                   rows=rows, total_rows=len(rows))
                queue.after_commit("measures.tasks.check_upload", batch.pk)
            return redirect(batch)
    return render(request, "measures/upload.html", {"measure": measure, "form": form,
                                                    "period_hint": periods.describe_period(measure.period)})


@login_required
@require_http_methods(["GET", "POST"])
def upload_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(UploadBatch, pk=pk)
    measure = _measure_for(request, batch.measure_id, "measures.enter_data")
    existing = batch.existing_rows
    unusual = [r for r in batch.valid_rows if r.get("unusual") and not r.get("merged")]
    form = ConfirmUploadForm(request.POST if request.method == "POST" else None, needs_choice=bool(existing),
                             unusual=len(unusual))
    if request.method == "POST":
        if request.POST.get("cancel"):
            if batch.status == UploadStatus.READY:
                UploadBatch.objects.filter(pk=batch.pk).update(status=UploadStatus.CANCELLED,
                                                               finished_at=timezone.now())
                messages.info(request, "Upload cancelled: nothing was imported.")
            return redirect(measure)
        if batch.status != UploadStatus.READY:
            messages.error(request, "This upload is not waiting for confirmation.")
            return redirect(batch)
        if form.is_valid():
            # Claim the batch so that a double click imports it once.
            claimed = UploadBatch.objects.filter(pk=batch.pk, status=UploadStatus.READY).update(
                status=UploadStatus.IMPORTING, on_duplicate=form.cleaned_data["on_duplicate"] or "skip",
                include_unusual=bool(form.cleaned_data.get("include_unusual")))
            if claimed:
                queue.after_commit("measures.tasks.import_upload", batch.pk)
            return redirect(batch)
    return render(request, "measures/upload_batch.html", {
        "batch": batch, "measure": measure, "form": form, "existing": existing, "unusual": unusual,
        "valid": [r for r in batch.valid_rows if not r.get("merged")], "problems": batch.problem_rows,
        "percent": int(100 * batch.processed_rows / batch.total_rows) if batch.total_rows else 100,
    })


@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    response = HttpResponse(exports.to_csv(measure, measure.points.order_by("period_start")),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="measure-{measure.pk}.csv"'
    return response


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    response = HttpResponse(exports.to_xlsx(measure, measure.points.order_by("period_start")),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="measure-{measure.pk}.xlsx"'
    return response


# --------------------------------------------------------------------------- the organisation's SPC settings


@login_required
@require_http_methods(["GET", "POST"])
def spc_config(request: HttpRequest) -> HttpResponse:
    config = SPCConfig.current()
    can_change = request.user.has_perm("measures.configure_spc")
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Only the QI department changes how the organisation reads its charts.")
    form = SPCConfigForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        config = form.save(commit=False)
        config.updated_by = request.user
        config.save()
        if not settings.CELERY_TASK_ALWAYS_EAGER:  # with workers, recompute now; in eager mode, tonight
            queue.after_commit("measures.tasks.render_all")
        messages.success(request, "SPC settings saved: every chart now reads with them.")
        return redirect("measures:config")
    return render(request, "measures/config.html", {"form": form, "config": config, "can_change": can_change})



# --------------------------------------------------------------------------- chart rendering runs and signals


@login_required
def render_runs(request: HttpRequest) -> HttpResponse:
    """The run log for the QI department: when each run started and finished, what it did, what failed."""
    if not request.user.has_perm("measures.configure_spc"):
        raise PermissionDenied("The chart rendering log is for the QI department.")
    runs = list(RenderRun.objects.all()[:30])
    failures = (RenderFailure.objects.filter(run__in=[r.pk for r in runs[:5]])
                .select_related("measure").order_by("run_id", "measure_id")[:200])
    by_run: dict[int, list[RenderFailure]] = {}
    for f in failures:
        by_run.setdefault(f.run_id, []).append(f)
    return render(request, "measures/render_runs.html", {
        "rows": [(r, by_run.get(r.pk, [])) for r in runs]})
