"""Ideas and projects: browse, my own, the idea form, sending it to the forum, and the project page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from discussions.forms import CommentForm
from discussions.services import thread
from organisation.models import AnnualPriority, StrategicObjective
from organisation.rules import is_qi_admin

from .filters import ProjectFilter
from .forms import CONDITION_WORDING, IdeaForm, SubmitIdeaForm, missing_for_submission
from .models import APPROVED_STATUSES, EventKind, Project, ProjectEvent, ProjectMember, ProjectStatus
from .services import TransitionError, similar_projects, submit_idea, visible_count

PAGE_SIZE = 25
# What the project list reads from its query string; any other parameter is rendered but not remembered.


def _with_alignment(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.prefetch_related("objectives", "priorities")


def _project_for(request: HttpRequest, pk: int, perm: str | None = None) -> Project:
    """The project if the person may see it (a draft outside their team is a 404), and may do `perm` (else 403)."""
    current_members = ProjectMember.objects.filter(left_on__isnull=True).select_related("person", "organisation")
    project = get_object_or_404(
        _with_alignment(Project.objects.visible_to(request.user).for_list().select_related("advisor"))
        .prefetch_related(Prefetch("members", queryset=current_members, to_attr="current_members")),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, project):
        raise PermissionDenied("Only the project's team and the QI department can change an idea, and only "
                               "while it is a draft or has been returned for more work.")
    return project


def _latest_decision(project: Project) -> ProjectEvent | None:
    return project.events.filter(kind=EventKind.DECISION).select_related("by").order_by("-at", "-pk").first()


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class CountedPaginator(Paginator):
    """A paginator told its total instead of counting it."""

    def __init__(self, *args, count: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.visible_to(request.user).for_rows().prefetch_related(
        Prefetch("objectives", queryset=StrategicObjective.objects.only("name")),
        Prefetch("priorities", queryset=AnnualPriority.objects.only("name")))
    project_filter = ProjectFilter(request.GET or None, queryset=projects, request=request)
    form = project_filter.form
    unfiltered = not project_filter.is_bound or (form.is_valid() and not any(form.cleaned_data.values()))
    # Unfiltered, the total is known without counting; filtered (or a filter in error: no rows), it is counted.
    paginator = (CountedPaginator(project_filter.qs, PAGE_SIZE, count=visible_count(request.user)) if unfiltered
                 else Paginator(project_filter.qs, PAGE_SIZE))
    page = paginator.get_page(request.GET.get("page"))
    for project in page:  # read the prefetched alignment once, not five times a row in the template
        project.alignment = ([(o.name, False) for o in project.objectives.all()]
                             + [(p.name, True) for p in project.priorities.all()])
    return render(request, "projects/list.html", {
        "filter": project_filter,
        "page": page,
        "filtered": project_filter.is_bound and any(form.cleaned_data.values()),
        "query": _query_without_page(request),
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    })


def audit_url(project: Project) -> str | None:
    """The project's part of the audit log (the audit app, above this one, by URL name only)."""
    try:
        return reverse("audit:project", args=[project.pk])
    except NoReverseMatch:
        return None


def workspace_url(project: Project) -> str:
    """The approved project's workspace, by URL name only: the workspace app sits above this one."""
    try:
        return reverse("workspace:project", args=[project.pk])
    except NoReverseMatch:
        return project.get_absolute_url()


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    primary: bool = False


def _next_step(project: Project) -> NextStep:
    if project.status == ProjectStatus.DRAFT:
        return NextStep("Continue the draft", reverse("projects:idea_edit", args=[project.pk]), primary=True)
    if project.status == ProjectStatus.RETURNED:
        return NextStep("Read the forum's feedback and revise", reverse("projects:idea_edit", args=[project.pk]),
                        primary=True)
    if project.status == ProjectStatus.SUBMITTED:
        return NextStep("Waiting for the forum", project.get_absolute_url())
    if project.status in (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED):
        return NextStep("Open the workspace", workspace_url(project), primary=True)
    return NextStep("See the record", project.get_absolute_url())


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    decisions = ProjectEvent.objects.filter(kind=EventKind.DECISION).order_by("-at", "-pk")
    projects = (
        _with_alignment(Project.objects.involving(request.user).for_list())
        .prefetch_related(Prefetch("events", queryset=decisions, to_attr="decision_events"))
        .annotate(urgency=Case(When(status=ProjectStatus.DRAFT, then=Value(0)),
                               When(status=ProjectStatus.RETURNED, then=Value(1)),
                               default=Value(2), output_field=IntegerField()))
        .order_by("urgency", "-updated_at")
    )
    rows = [(project, _next_step(project)) for project in projects]
    return render(request, "projects/mine.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("projects.submit_idea"):
        raise PermissionDenied("Your roles do not include submitting improvement ideas. Ask the QI department.")
    form = IdeaForm(request.POST or None, lead=request.user, initial={"team": request.user.team_id})
    if request.method == "POST" and form.is_valid():
        project = form.save(by=request.user)
        return _after_save(request, project)
    return render(request, "projects/idea_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk, "projects.edit_idea")
    heading = project.title  # the form writes what was typed onto the instance, even when it is invalid
    form = IdeaForm(request.POST or None, instance=project, lead=project.lead)
    if request.method == "POST" and form.is_valid():
        project = form.save(by=request.user)
        return _after_save(request, project)
    feedback = _latest_decision(project) if project.status == ProjectStatus.RETURNED else None
    return render(request, "projects/idea_form.html", {
        "form": form, "project": project, "heading": heading, "feedback": feedback})


def _after_save(request: HttpRequest, project: Project) -> HttpResponse:
    if request.POST.get("action") == "review":
        return redirect("projects:idea_submit", pk=project.pk)
    messages.success(request, "Your idea is saved. Only your team can see it until you send it to the forum."
                     if project.is_draft else "Your changes are saved.")
    return redirect("projects:idea_edit", pk=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def idea_submit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk, "projects.edit_idea")
    form = SubmitIdeaForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            submit_idea(project, by=request.user)
        except TransitionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Your idea was sent to the {project.directorate} QI forum's next meeting. "
                                      "The forum will approve it, return it with feedback, or decline it.")
            return redirect(project)
    return render(request, "projects/idea_submit.html", {
        "project": project,
        "form": form,
        "missing": missing_for_submission(project),
        "similar": similar_projects(project, user=request.user),
        "conditions": [(text, getattr(project, name)) for name, text in CONDITION_WORDING.items()],
    })


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    events = list(project.events.select_related("by").order_by("-at", "-pk"))
    feedback = None
    if project.status == ProjectStatus.RETURNED:
        feedback = next((e for e in events if e.kind == EventKind.DECISION), None)
    can_edit = request.user.has_perm("projects.edit_idea", project)
    # Approved projects are open to read, so everyone gets the way into the workspace.
    in_workspace = project.status in APPROVED_STATUSES
    return render(request, "projects/detail.html", {
        "project": project,
        "thread": thread(project, request.user),
        "comment_form": CommentForm(),
        "workspace_url": workspace_url(project) if in_workspace else None,
        "events": events,
        "feedback": feedback,
        "can_edit": can_edit,
        "audit_url": audit_url(project) if is_qi_admin(request.user) else None,
        "conditions": [(text, getattr(project, name)) for name, text in CONDITION_WORDING.items()],
    })
