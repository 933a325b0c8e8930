"""Coaching: a coach's own teams, an IA's supervised coaches, the QI department's coach pool, and changes of
coach, sponsor or IA on a running project."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from organisation.models import CoachProfile
from organisation.rules import chairs_directorate, is_coach, is_improvement_advisor, is_qi_admin
from projects.models import Project

from .forms import ReallocationForm, SupervisionForm
from .models import Allocation, AllocationKind, Supervision
from .services import (
    POOL_FILTERS,
    RUNNING,
    TEAMS_PER_COHORT_FACILITATED,
    CapacityError,
    allocate,
    coach_loads,
    pool_page,
    pool_totals,
    supervised_coaches,
    supervision_due,
    teams_coached_by,
)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = {"coach": is_coach(user), "ia": is_improvement_advisor(user), "qi_admin": is_qi_admin(user)}
    if not any(roles.values()):
        raise PermissionDenied("The coaching pages are for QI coaches, Improvement Advisors and the QI department.")
    context: dict = {"roles": roles}
    if roles["coach"]:
        own = coach_loads(CoachProfile.objects.filter(user=user))
        context["my_load"] = own[0] if own else None
        context["my_teams"] = list(teams_coached_by(user))
    if roles["ia"]:
        context["supervised"] = _supervised_rows(user)
    if roles["qi_admin"]:
        capacity = request.GET.get("capacity", "")
        capacity = capacity if capacity in POOL_FILTERS else ""
        page, pool = pool_page(capacity, request.GET.get("page"))
        context.update({"pool": pool, "pool_page": page, "capacity": capacity, "pool_totals": pool_totals(),
                        "teams_per_cohort": TEAMS_PER_COHORT_FACILITATED})
    return render(request, "coaching/index.html", context)


def _supervised_rows(advisor) -> list[dict]:
    """Each coach the IA supervises, with their load, last supervision and current teams (two queries in all)."""
    loads = supervised_coaches(advisor)
    teams = defaultdict(list)
    allocations = (Allocation.objects.current()
                   .filter(kind=AllocationKind.COACH, person__in=[c.coach.pk for c in loads],
                           project__status__in=RUNNING)
                   .select_related("project", "project__team").order_by("project__title"))
    for allocation in allocations:
        teams[allocation.person_id].append(allocation.project)
    return [{"load": load, "last_supervised": load.profile.last_supervised,
             "due": supervision_due(load.profile.last_supervised), "projects": teams[load.coach.pk]}
            for load in loads]


def _coach_to_supervise(request: HttpRequest, user_pk: int) -> CoachProfile:
    profile = get_object_or_404(CoachProfile.objects.select_related("user", "user__team", "supervisor"),
                                user_id=user_pk, user__is_active=True)
    user = request.user
    if not (is_qi_admin(user) or (is_improvement_advisor(user) and profile.supervisor_id == user.pk)):
        raise PermissionDenied("Supervision is logged by the coach's own Improvement Advisor or the QI department.")
    return profile


@login_required
@require_http_methods(["GET", "POST"])
def supervision_new(request: HttpRequest, user_pk: int) -> HttpResponse:
    profile = _coach_to_supervise(request, user_pk)
    coach = profile.user
    form = SupervisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supervision = form.save(commit=False)
        supervision.advisor = request.user
        supervision.coach = coach
        supervision.save()
        messages.success(request, f"Supervision of {coach.name} on {supervision.date:%-d %B %Y} has been logged.")
        return redirect("coaching:index")
    load = next(iter(coach_loads(CoachProfile.objects.filter(pk=profile.pk))), None)
    return render(request, "coaching/supervision.html", {
        "form": form, "coach": coach, "profile": profile, "load": load,
        "teams": teams_coached_by(coach),
        "supervisions": Supervision.objects.filter(coach=coach).select_related("advisor"),
    })


def _may_reallocate(user, project: Project) -> bool:
    if is_qi_admin(user) or chairs_directorate(user, project.directorate_id):
        return True
    if not is_improvement_advisor(user):
        return False
    profile = getattr(project.coach, "coach_profile", None) if project.coach_id else None
    return user.pk == project.advisor_id or (profile is not None and user.pk == profile.supervisor_id)


def _project_to_reallocate(request: HttpRequest, project_pk: int) -> Project:
    project = get_object_or_404(
        Project.objects.select_related("team", "directorate", "lead", "coach", "coach__coach_profile", "sponsor",
                                       "advisor"),
        pk=project_pk)
    if not _may_reallocate(request.user, project):
        raise PermissionDenied("A project's coach, sponsor and Improvement Advisor are changed by its directorate's "
                               "forum chair, its Improvement Advisor, the coach's supervisor or the QI department.")
    return project


@login_required
@require_http_methods(["GET", "POST"])
def reallocate(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project_to_reallocate(request, project_pk)
    running = project.status in RUNNING
    form = ReallocationForm(request.POST or None, project=project) if running else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                # Re-read under a lock: the project may have closed since the page was drawn.
                if Project.objects.select_for_update().filter(pk=project.pk, status__in=RUNNING).exists():
                    created = allocate(project, by=request.user, reason=data["reason"], coach=data["coach"],
                                       sponsor=data["sponsor"], advisor=data["advisor"],
                                       override_reason=data["override_reason"])
                else:
                    created = None
        except CapacityError as error:
            form.add_error("coach", str(error))
        else:
            if created is None:
                messages.error(request, "This project is no longer running, so its allocation was not changed.")
            else:
                names = "; ".join(f"{a.get_kind_display()}: {a.person.name}" for a in created)
                messages.success(request, f"Allocation changed ({names}). Each new person will get an e-mail.")
            return redirect("coaching:reallocate", project.pk)
    history = (Allocation.objects.filter(project=project).select_related("person", "allocated_by")
               .order_by("-started_on", "-created_at", "-pk"))
    return render(request, "coaching/reallocate.html", {
        "project": project, "form": form, "running": running, "history": history,
    })
