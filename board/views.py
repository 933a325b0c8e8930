"""Board report pages: the list, a report (draft preview or frozen record), preparing and publishing,
the PDF for the board pack, the live portfolio, and the wards' early-warning board."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from measures.models import Measure, Scope
from measures.services import load_summary
from organisation.models import Directorate

from . import content as frozen
from . import portfolio as portfolio_figures
from . import services
from .forms import CorrectionForm, DirectorateFilterForm, DraftForm, NarrativeForm, NewReportForm
from .models import BoardReport, PDFStatus, ReportPDF
from .rules import can_prepare_reports, can_read_reports, sees_every_directorate


def _report_for(request: HttpRequest, pk: int, *, prepare: bool = False) -> BoardReport:
    """The report if the person may read it (a draft is a 404 to all but the QI department)."""
    report = get_object_or_404(BoardReport.objects.select_related(
        "supersedes", "published_by", "prepared_by", "patient_story__project__team",
        "patient_story__project__directorate", "improvement_story__project__team",
        "improvement_story__project__directorate"), pk=pk)
    if report.is_draft and not can_prepare_reports(request.user):
        raise Http404("No such report.")
    if not request.user.has_perm("board.view_report", report):
        raise PermissionDenied("The board quality report is read by board members, executives and the QI "
                               "department.")
    if prepare and not can_prepare_reports(request.user):
        raise PermissionDenied("Only the QI department prepares the board report.")
    return report


def _owned_drafts(user) -> list[tuple[BoardReport, Measure]]:
    """Narratives a Whole System Measure's owner can write for the drafts in preparation."""
    measures = list(Measure.objects.for_board().active().filter(owner=user).order_by("name"))
    if not measures:
        return []
    return [(r, m) for r in BoardReport.objects.drafts().defer("content").order_by("meeting_date") for m in measures]


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    can_prepare, can_read = can_prepare_reports(request.user), can_read_reports(request.user)
    owned = _owned_drafts(request.user)
    if not (can_read or owned):
        raise PermissionDenied("The board quality report is read by board members, executives and the QI "
                               "department.")
    form = NewReportForm(request.POST or None) if can_prepare else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the QI department prepares the board report.")
        if form.is_valid():
            report = services.create_draft(meeting_date=form.cleaned_data["meeting_date"],
                                           title=form.cleaned_data["title"], by=request.user)
            messages.success(request, "Draft report created: write the narratives and choose the stories.")
            return redirect("board:edit", report.pk)
    reports = list(BoardReport.objects.visible_to(request.user).for_list()) if can_read else []
    corrected_by = {r.supersedes_id: r for r in reports if r.supersedes_id and r.is_published}
    return render(request, "board/index.html", {
        "reports": reports, "corrected_by": corrected_by, "form": form, "can_prepare": can_prepare,
        "owned": owned,
        "latest": next((r for r in reports if r.is_published and r.pk not in corrected_by), None),
    })


def _headline_links() -> dict[str, str]:
    """Where each count of the report's headline leads: the measures summary filtered to the Whole System
    Measures (the organisation's scope, as Measure.objects.for_board) with that reading or target reading."""
    base = reverse("measures:summary")
    links = {"measures": f"{base}?{urlencode({'scope': Scope.SYSTEM})}"}
    for kind in ("concern", "improvement", "neutral", "common"):
        links[kind] = f"{base}?{urlencode({'scope': Scope.SYSTEM, 'reading': kind})}"
    for kind in ("pass", "fail", "inconsistent"):
        links[kind] = f"{base}?{urlencode({'scope': Scope.SYSTEM, 'assurance': kind})}"
    return links


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    content = services.content_for(report)
    grouping, unavailable = frozen.choose_grouping(content, request.GET.get("group"))
    correction = BoardReport.objects.filter(supersedes=report).defer("content").first()
    pdf = (ReportPDF.objects.defer("file").filter(report=report, grouping=grouping).first()
           if report.is_published else None)
    missing = [m["name"] for m in content.get("measures", []) if not m.get("narrative")]
    return render(request, "board/report.html", {
        "report": report, "content": content, "groups": frozen.grouped(content, grouping),
        "grouping": grouping, "grouping_label": frozen.GROUPINGS[grouping], "grouping_unavailable": unavailable,
        "can_group_by_objective": frozen.OBJECTIVE in frozen.groupings_of(content),
        "pdf_urls": {name: _with_group(reverse(f"board:pdf_{name}", args=[report.pk]), grouping)
                     for name in ("status", "download")},
        "portfolio": content.get("portfolio"), "headline_links": _headline_links(),
        "built_on": frozen.portfolio_built_on(content),
        "correction": correction if correction and correction.is_published else None,
        "draft_correction": correction if correction and correction.is_draft else None,
        "pdf": pdf, "can_prepare": can_prepare_reports(request.user), "missing_narratives": missing,
        "correction_form": CorrectionForm() if report.is_published and not correction else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, prepare=True)
    if not report.is_draft:
        messages.info(request, "This report is published and cannot change: publish a correction instead.")
        return redirect(report)
    services.ensure_narratives(report)
    measures = services.report_measures()
    texts = dict(report.narratives.values_list("measure_id", "text"))
    outputs = services.measure_outputs(measures, up_to=services.data_cut_off(report.meeting_date))
    initial = {"title": report.title, "meeting_date": report.meeting_date,
               "patient_story": report.patient_story_id, "improvement_story": report.improvement_story_id,
               **{f"narrative_{m.pk}": texts.get(m.pk, "") for m in measures}}
    form = DraftForm(request.POST or None, initial=initial, measures=measures, outputs=outputs)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(report, by=request.user, title=form.cleaned_data["title"],
                                meeting_date=form.cleaned_data["meeting_date"],
                                patient_story=form.cleaned_data["patient_story"],
                                improvement_story=form.cleaned_data["improvement_story"],
                                narratives=form.narratives())
        except services.ReportError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "Draft saved. Preview it below, then publish it when it is ready.")
            return redirect(report)
    rows = [(m, field, outputs[m.pk]) for m, field in form.narrative_fields()]
    return render(request, "board/edit.html", {"report": report, "form": form, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def narrative(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """A Whole System Measure's owner writes this month's line for a draft (the QI department may too)."""
    report = get_object_or_404(BoardReport.objects.drafts(), pk=pk)
    measure = get_object_or_404(Measure.objects.for_board().select_related("owner"), pk=measure_pk)
    if not (can_prepare_reports(request.user) or measure.owner_id == request.user.pk):
        raise PermissionDenied("The measure's owner and the QI department write its narrative.")
    current = report.narratives.filter(measure=measure).values_list("text", flat=True).first() or ""
    form = NarrativeForm(request.POST or None, initial={"text": current})
    output = services.measure_outputs([measure], up_to=services.data_cut_off(report.meeting_date))[measure.pk]
    if request.method == "POST" and form.is_valid():
        services.save_narrative(report, measure, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, f"Narrative for {measure.name} saved.")
        return redirect("board:index")
    return render(request, "board/narrative.html", {"report": report, "measure": measure, "form": form,
                                                    "output": output})


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, prepare=True)
    try:
        report = services.publish(report, by=request.user)
    except services.ReportError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Published. The report is now a record: board members can read it, and it "
                                  "will not change.")
    return redirect(report)


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, prepare=True)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what the correction changes.")
        return redirect(report)
    try:
        new = services.correct(report, note=form.cleaned_data["note"], by=request.user)
    except services.ReportError as e:
        messages.error(request, str(e))
        return redirect(report)
    messages.success(request, f"Version {new.version} started. Publish it to supersede version {report.version}.")
    return redirect("board:edit", new.pk)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk, prepare=True)
    try:
        services.discard_draft(report)
    except services.ReportError as e:
        messages.error(request, str(e))
        return redirect(report)
    messages.success(request, "Draft discarded.")
    return redirect("board:index")


# --------------------------------------------------------------------------- the PDF


def _pdf_grouping(request: HttpRequest, report: BoardReport) -> str:
    params = request.POST if request.method == "POST" else request.GET
    return frozen.choose_grouping(report.content, params.get("group"))[0]


def _with_group(url: str, grouping: str) -> str:
    return url if grouping == frozen.DOMAIN else f"{url}?group={grouping}"


@login_required
@require_POST
def pdf_request(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    grouping = _pdf_grouping(request, report)
    try:
        services.request_pdf(report, by=request.user, grouping=grouping)
    except services.ReportError as e:
        messages.error(request, str(e))
    return redirect(_with_group(reverse("board:report", args=[report.pk]), grouping) + "#pdf")


@login_required
@require_GET
def pdf_status(request: HttpRequest, pk: int) -> JsonResponse:
    report = _report_for(request, pk)
    grouping = _pdf_grouping(request, report)
    pdf = ReportPDF.objects.defer("file").filter(report=report, grouping=grouping).first()
    if pdf is None:
        return JsonResponse({"status": "none"})
    return JsonResponse({
        "status": pdf.status, "label": pdf.get_status_display(), "step": pdf.step, "percent": pdf.percent,
        "pages": pdf.pages, "error": pdf.error if pdf.status == PDFStatus.FAILED else "",
        "download": (_with_group(reverse("board:pdf_download", args=[report.pk]), grouping)
                     if pdf.status == PDFStatus.READY else ""),
    })


@login_required
@require_GET
def pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    grouping = _pdf_grouping(request, report)
    pdf = ReportPDF.objects.filter(report=report, grouping=grouping, status=PDFStatus.READY).first()
    if pdf is None:
        raise Http404("The PDF is not ready yet.")
    response = HttpResponse(bytes(pdf.file), content_type="application/pdf")
    by = "" if grouping == frozen.DOMAIN else f"-by-{grouping}"
    name = f"board-quality-report-{report.meeting_date:%Y-%m-%d}-v{report.version}{by}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --------------------------------------------------------------------------- live pages


def _directorate_choice(request: HttpRequest) -> tuple[DirectorateFilterForm | None, Directorate | None]:
    """Board, QI department and IAs choose any directorate (or all); everyone else sees their own."""
    if sees_every_directorate(request.user):
        form = DirectorateFilterForm(request.GET or None)
        chosen = form.cleaned_data["directorate"] if form.is_valid() else None
        return form, chosen
    return None, request.user.directorate


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    form, directorate = _directorate_choice(request)
    if form is None and directorate is None:
        raise PermissionDenied("The portfolio page shows your directorate's QI projects, and your account has "
                               "no directorate: ask the QI department to add it.")
    directorate_id = directorate.pk if directorate else None
    figures = portfolio_figures.with_links(portfolio_figures.figures(timezone.localdate(), directorate_id),
                                           directorate_id)
    return render(request, "board/portfolio.html", {"form": form, "directorate": directorate,
                                                    "portfolio": figures})


WARDS_SHOWN_TRUST_WIDE = 30


@login_required
@require_GET
def early_warning(request: HttpRequest) -> HttpResponse:
    """Wards by their safety and staffing indicators, each cell the indicator's latest SPC reading."""
    form = DirectorateFilterForm(request.GET or None)
    directorate = form.cleaned_data["directorate"] if form.is_valid() else None
    measures = Measure.objects.early_warning().active().select_related("team", "team__directorate")
    if directorate:
        measures = measures.filter(team__directorate=directorate)
    rows = load_summary(list(measures.order_by("team__directorate__name", "team__name", "name")))
    indicators = sorted({r.measure.name for r in rows})
    wards: dict[int, dict] = {}
    for r in rows:
        team = r.measure.team
        ward = wards.setdefault(team.pk, {"team": team, "cells": {}, "concern": 0, "improvement": 0})
        ward["cells"][r.measure.name] = r
        if r.reading == "concern":
            ward["concern"] += 1
        elif r.reading == "improvement":
            ward["improvement"] += 1
    table = []
    for ward in wards.values():
        ward["row"] = [ward["cells"].get(name) for name in indicators]
        table.append(ward)
    # Wards where several indicators signal concern at once come first: that is the pattern to catch.
    table.sort(key=lambda w: (-w["concern"], w["team"].directorate.name, w["team"].name))
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.reading] += 1
    # Trust-wide, the wards most in need of a look, not every ward of a region (hundreds of rows, 1.5 MB, a third
    # of a second to write); a chosen directorate shows all of its wards.
    shown = table if directorate else table[:WARDS_SHOWN_TRUST_WIDE]
    return render(request, "board/early_warning.html", {
        "form": form, "indicators": indicators, "wards": shown, "counts": dict(counts),
        "flagged": sum(1 for w in table if w["concern"] >= 2), "ward_count": len(table),
        "more": len(table) - len(shown),
    })
