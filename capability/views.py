"""Courses, cohorts, attendance, a person's training and the dosing plan's dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ops import queue
from ops.models import ImportStatus
from ops.tables import UploadError
from organisation.rules import is_qi_admin

from . import rules, services
from .certificate import certificate_pdf
from .export import dashboard_workbook
from .forms import AttendanceForm, CohortForm, ImportForm, NominateForm, ProjectLinkForm, ProposalForm
from .imports import read_file
from .models import Attendance, AttendanceImport, CoachProposal, Cohort, Course, Enrolment, EnrolmentStatus, Route


def _course(slug: str, user) -> Course:
    course = get_object_or_404(Course.objects.select_related("audience", "refresher_of"), slug=slug)
    if not course.active and not rules.can_manage_courses(user):
        raise Http404("No such course.")
    return course


def _cohort(pk: int, user) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course", "course__audience"), pk=pk)
    if not cohort.course.active and not rules.can_manage_cohort(user, cohort):
        raise Http404("No such cohort.")
    return cohort


def _managed_cohort(pk: int, user) -> Cohort:
    cohort = _cohort(pk, user)
    if not rules.can_manage_cohort(user, cohort):
        raise PermissionDenied("A cohort is run by its facilitators and the QI department.")
    return cohort


@login_required
def index(request: HttpRequest) -> HttpResponse:
    manage = rules.can_manage_courses(request.user)
    courses = Course.objects.select_related("audience", "refresher_of")
    if not manage:
        courses = courses.open()
    cohorts = services.cohorts_with_places(Cohort.objects.filter(open_for_enrolment=True)).order_by("starts", "pk")
    courses = courses.prefetch_related(Prefetch("cohorts", queryset=cohorts, to_attr="open_cohorts"))
    return render(request, "capability/index.html", {
        "courses": courses, "manage": manage, "can_see_dashboard": rules.can_see_dashboard(request.user)})


@login_required
def course(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(slug, request.user)
    manage = rules.can_manage_courses(request.user)
    cohorts = Cohort.objects.filter(course=course)
    if not manage:
        cohorts = cohorts.filter(open_for_enrolment=True)
    cohorts = list(services.cohorts_with_places(cohorts).order_by("-starts", "pk"))
    mine = {e.cohort_id: e for e in Enrolment.objects.filter(person=request.user, cohort__course=course)}
    for c in cohorts:
        c.my_enrolment = mine.get(c.pk)
    return render(request, "capability/course.html", {
        "course": course, "cohorts": cohorts, "manage": manage,
        "graduate_of_original": course.refresher_of is None or services.has_completed(request.user,
                                                                                       course.refresher_of)})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_new(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(slug, request.user)
    if not rules.can_manage_courses(request.user):
        raise PermissionDenied("Cohorts are planned by the QI department.")
    form = CohortForm(request.POST or None, course=course, instance=Cohort(course=course))
    if request.method == "POST" and form.is_valid():
        cohort = services.save_cohort(form.save(commit=False), session_dates=form.session_dates(),
                                      facilitators=form.cleaned_data["facilitator_names"])
        messages.success(request, f"{cohort.name} of {course} is planned.")
        return redirect(cohort)
    return render(request, "capability/cohort_form.html", {"form": form, "course": course})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(pk, request.user)
    old_capacity = cohort.capacity
    form = CohortForm(request.POST or None, course=cohort.course, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort = form.save(commit=False)
        new_capacity, cohort.capacity = cohort.capacity, old_capacity
        services.save_cohort(cohort, session_dates=form.session_dates(),
                             facilitators=form.cleaned_data["facilitator_names"])
        promoted = services.set_capacity(cohort, new_capacity, by=request.user)
        messages.success(request, f"{cohort.name} has been saved." + (
            f" {len(promoted)} from the waiting list now have a place." if promoted else ""))
        return redirect(cohort)
    return render(request, "capability/cohort_form.html", {"form": form, "course": cohort.course, "cohort": cohort})


def _attendance_form(request: HttpRequest, cohort: Cohort) -> AttendanceForm:
    enrolments = list(Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED)
                      .select_related("person", "person__team", "project").order_by("person__display_name", "pk"))
    attended = set(Attendance.objects.filter(enrolment__cohort=cohort, attended=True)
                   .values_list("enrolment_id", "session_id"))
    return AttendanceForm(request.POST or None, enrolments=enrolments, sessions=cohort.session_set.all(),
                          attended=attended, requires_project=cohort.course.requires_project)


@login_required
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(pk, request.user)
    user = request.user
    manage = rules.can_manage_cohort(user, cohort)
    context = {
        "cohort": cohort, "course": cohort.course, "manage": manage,
        "sessions": list(cohort.session_set.all()),
        "facilitators": list(cohort.facilitators.all()),
        "mine": Enrolment.objects.filter(cohort=cohort, person=user).first(),
        "places": services.cohorts_with_places(Cohort.objects.filter(pk=cohort.pk)).get(),
        "nominate_form": (NominateForm(directorates=None if is_qi_admin(user) else rules.nominating_directorates(user))
                          if rules.can_nominate(user) and cohort.open_for_enrolment else None),
    }
    if manage:
        context["attendance_form"] = _attendance_form(request, cohort)
        context["waiting"] = list(Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITING)
                                  .select_related("person").order_by("created_at", "pk"))
    return render(request, "capability/cohort.html", context)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(pk, request.user)
    form = _attendance_form(request, cohort)
    if not form.is_valid():
        messages.error(request, "Some dates could not be read; nothing was saved. Check the marked fields.")
        return render(request, "capability/cohort.html", {
            "cohort": cohort, "course": cohort.course, "manage": True, "attendance_form": form,
            "sessions": list(cohort.session_set.all()), "facilitators": list(cohort.facilitators.all()),
            "places": services.cohorts_with_places(Cohort.objects.filter(pk=cohort.pk)).get()}, status=400)
    changed = services.record_attendance(cohort, form.marks(), by=request.user)
    presented = 0
    for enrolment in form.enrolments:
        on = form.presented().get(enrolment.pk)
        if enrolment.pk in form.presented() and on != enrolment.presented_on:
            services.mark_presented(enrolment, on, by=request.user)
            presented += 1
    placed = Enrolment.objects.filter(cohort=cohort).placed()
    messages.success(request, f"Attendance saved: {changed} marks changed, {presented} presentations. "
                              f"{placed.completed().count()} of {placed.count()} have completed {cohort.course}.")
    return redirect(cohort)


@login_required
@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(pk, request.user)
    try:
        enrolment = services.enrol(cohort, request.user, by=request.user, route=Route.SELF)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(cohort.course)
    if enrolment.status == EnrolmentStatus.WAITING:
        messages.info(request, f"{cohort.name} is full: you are on its waiting list and will hear when a place "
                               "comes free.")
    else:
        messages.success(request, f"You are enrolled on {cohort.course}, {cohort.name}.")
    return redirect("capability:mine")


@login_required
@require_POST
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(pk, request.user)
    user = request.user
    if not rules.can_nominate(user):
        raise PermissionDenied("Staff are nominated by their manager, their forum or the QI department.")
    form = NominateForm(request.POST, directorates=None if is_qi_admin(user) else rules.nominating_directorates(user))
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            enrolment = services.enrol(cohort, person, by=user, route=form.cleaned_data["route"])
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{person.name} is {enrolment.get_status_display().lower()} for "
                                      f"{cohort.name}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(cohort)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort", "cohort__course", "person"), pk=pk)
    own = enrolment.person_id == request.user.pk
    if not own and not rules.can_manage_cohort(request.user, enrolment.cohort):
        raise PermissionDenied("Only the person, the cohort's facilitators or the QI department may withdraw them.")
    promoted = services.withdraw(enrolment, by=request.user)
    messages.success(request, f"{'You have' if own else enrolment.person.name + ' has'} withdrawn from "
                              f"{enrolment.cohort.name}." + (f" {promoted.person.name} has the place." if promoted
                                                             and not own else ""))
    return redirect("capability:mine" if own else enrolment.cohort.get_absolute_url())


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    record = services.training_record(request.user)
    forms = {e.pk: ProjectLinkForm(person=request.user, initial={"project": e.project_id,
                                                                 "not_aligned_reason": e.not_aligned_reason},
                                   prefix=f"e{e.pk}")
             for e in record if e.cohort.course.requires_project and e.status == EnrolmentStatus.ENROLLED}
    return render(request, "capability/mine.html", {"record": [(e, forms.get(e.pk)) for e in record]})


@login_required
@require_POST
def link_project(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort__course"), pk=pk, person=request.user)
    form = ProjectLinkForm(request.POST, person=request.user, prefix=f"e{enrolment.pk}")
    if form.is_valid():
        services.link_project(enrolment, form.cleaned_data["project"],
                              not_aligned_reason=form.cleaned_data["not_aligned_reason"], by=request.user)
        messages.success(request, "The project you bring has been saved.")
        return redirect("capability:mine")
    record = services.training_record(request.user)
    forms = {enrolment.pk: form}
    return render(request, "capability/mine.html", {"record": [(e, forms.get(e.pk)) for e in record]}, status=400)


def _year(request: HttpRequest) -> int | None:
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not rules.can_see_dashboard(request.user):
        raise PermissionDenied("The training dashboard is for the QI department and the board.")
    board = services.dashboard(_year(request))
    return render(request, "capability/dashboard.html", {
        "board": board, "figure": services.cumulative_figure(board),
        "breakdowns": [board.by_directorate, board.by_staff_group],
        "partners_trained": [(c, n) for c in board.courses if (n := board.partners_trained.get(c.pk))],
    })


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    if not rules.can_see_dashboard(request.user):
        raise PermissionDenied("The training dashboard is for the QI department and the board.")
    board = services.dashboard(_year(request))
    response = HttpResponse(dashboard_workbook(board),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="trained-against-needed-{board.year}.xlsx"'
    return response


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    """Graduates of the coaching programme proposed for the coach pool, each with a prefilled profile."""
    if not rules.can_manage_courses(request.user):
        raise PermissionDenied("The coach pool is kept by the QI department.")
    open_ones = list(CoachProposal.objects.open().select_related(
        "person", "person__team", "suggested_supervisor", "enrolment__cohort__course"))
    rows = [(p, ProposalForm(prefix=f"p{p.pk}", initial={
        "supervisor": p.suggested_supervisor.email or p.suggested_supervisor.username
        if p.suggested_supervisor else ""})) for p in open_ones]
    decided = CoachProposal.objects.exclude(outcome="").select_related("person", "decided_by")[:20]
    return render(request, "capability/proposals.html", {"rows": rows, "decided": decided})


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_manage_courses(request.user):
        raise PermissionDenied("The coach pool is kept by the QI department.")
    proposal = get_object_or_404(CoachProposal.objects.select_related("person"), pk=pk)
    form = ProposalForm(request.POST, prefix=f"p{proposal.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_proposal(proposal, by=request.user, add=data["decision"] == "add", reason=data["reason"],
                                     hours_per_week=data["hours_per_week"], max_teams=data["max_teams"],
                                     supervisor=data["supervisor"])
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{proposal.person.name} "
                             + ("is now a QI coach." if data["decision"] == "add" else "was not added."))
        return redirect("capability:proposals")
    rows = [(proposal, form)]
    return render(request, "capability/proposals.html", {"rows": rows, "decided": []}, status=400)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's own certificate; the QI department and the cohort's facilitators may print it too."""
    enrolment = get_object_or_404(Enrolment.objects.completed().select_related("person", "cohort__course", "project"),
                                  pk=pk)
    if enrolment.person_id != request.user.pk and not rules.can_manage_cohort(request.user, enrolment.cohort):
        raise Http404("No such certificate.")
    response = HttpResponse(certificate_pdf(enrolment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{enrolment.cohort.course.slug}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(slug, request.user)
    if not rules.can_manage_courses(request.user):
        raise PermissionDenied("Attendance is imported by the QI department.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            rows = read_file(f.read(), f.name)
        except UploadError as error:
            form.add_error("file", str(error))
        else:
            with transaction.atomic():
                batch = AttendanceImport.objects.create(course=course, filename=f.name[:255], rows=rows,
                                                        uploaded_by=request.user, total_rows=len(rows))
                queue.after_commit("capability.tasks.check_import", batch.pk)
            return redirect(batch)
    recent = AttendanceImport.objects.filter(course=course).defer("rows").select_related("uploaded_by")[:10]
    return render(request, "capability/import.html", {"course": course, "form": form, "recent": recent})


@login_required
@require_http_methods(["GET", "POST"])
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_manage_courses(request.user):
        raise PermissionDenied("Attendance is imported by the QI department.")
    # The rows (a 50,000-row file is megabytes of JSON) are read only for the preview and the result, not by
    # the progress page that refreshes every two seconds while the check or the import runs.
    batch = get_object_or_404(AttendanceImport.objects.select_related("course").defer("rows"), pk=pk)
    if request.method == "POST":
        if request.POST.get("cancel"):
            AttendanceImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
                status=ImportStatus.CANCELLED, finished_at=timezone.now())
            messages.info(request, "Import cancelled: nothing was saved.")
            return redirect("capability:import_new", batch.course.slug)
        # Claim the batch so that a double click imports it once.
        if AttendanceImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
                status=ImportStatus.IMPORTING):
            queue.after_commit("capability.tasks.run_import", batch.pk)
        else:
            messages.error(request, "This import is not waiting for confirmation.")
        return redirect(batch)
    shown = not batch.is_working
    return render(request, "capability/import_batch.html", {
        "batch": batch, "course": batch.course, "problems": batch.problem_rows if shown else [],
        "valid": batch.valid_rows if shown else []})
