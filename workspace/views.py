"""The workspace pages: the three questions, PDSA cycles, progress, team, closure, the library and stories.

Reading is open to everyone logged in (approved projects are the organisation's learning); changing
needs `workspace.edit` (team, coach, sponsor, Improvement Advisors, QI admins) and a running project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from projects.models import APPROVED_STATUSES, Project, ProjectMember, ProjectStatus, Stage
from projects.services import TransitionError

from . import library_sources, services, storyboard
from .charts import progress_step_svg
from .forms import (
    AimForm,
    ChangeIdeaForm,
    ClosureForm,
    ConfirmRemoveForm,
    DriverForm,
    InvolvementForm,
    LibrarySearchForm,
    MemberForm,
    PDSAForm,
    ProgressForm,
    ReviewForm,
    StageForm,
    StoryForm,
)
from .models import ChangeIdea, ClosureOutcome, ClosureRequest, Driver, PDSACycle, Story
from .panels import render_panels

CLOSED_REFUSAL = "This project is closed: its workspace is now a record and can no longer be changed."
EDIT_REFUSAL = ("Only the project's team, its coach and sponsor, Improvement Advisors and the QI department "
                "change a project's workspace.")


# --- Access helpers --------------------------------------------------------------------------------

def _project(request: HttpRequest, pk: int) -> Project:
    """An approved project (anything else has no workspace: 404), with its current team prefetched."""
    current = ProjectMember.objects.filter(left_on__isnull=True).select_related("person", "organisation")
    return get_object_or_404(
        Project.objects.filter(status__in=APPROVED_STATUSES).for_list().select_related("advisor")
        .prefetch_related(Prefetch("members", queryset=current, to_attr="current_members")), pk=pk)


def _require(request: HttpRequest, project: Project, perm: str = "workspace.edit", *, running: bool = True,
             message: str = EDIT_REFUSAL) -> None:
    if not request.user.has_perm(perm, project):
        raise PermissionDenied(message)
    if running and project.status not in services.RUNNING_STATUSES:
        raise PermissionDenied(CLOSED_REFUSAL)


def _project_to_edit(request: HttpRequest, pk: int, perm: str = "workspace.edit", **kwargs) -> Project:
    project = _project(request, pk)
    _require(request, project, perm, **kwargs)
    return project


def _driver_to_edit(request: HttpRequest, pk: int) -> Driver:
    driver = get_object_or_404(Driver.objects.select_related("parent"), pk=pk)
    driver.project = _project_to_edit(request, driver.project_id)
    return driver


def _idea_to_edit(request: HttpRequest, pk: int) -> ChangeIdea:
    idea = get_object_or_404(ChangeIdea, pk=pk)
    idea.project = _project_to_edit(request, idea.project_id)
    return idea


def _cycle(request: HttpRequest, pk: int) -> PDSACycle:
    cycle = get_object_or_404(PDSACycle.objects.select_related("change_idea", "builds_on", "created_by"), pk=pk)
    cycle.change_idea.project = _project(request, cycle.change_idea.project_id)
    return cycle


def _workspace_url(project: Project, anchor: str = "", *, editing: bool = False) -> str:
    """Back to the workspace; after a change to the diagram the editor stays open."""
    return (reverse("workspace:project", args=[project.pk]) + ("?edit=diagram" if editing else "")
            + (f"#{anchor}" if anchor else ""))


def _form_page(request: HttpRequest, project: Project, form, *, heading: str, submit: str, intro: str = "",
               anchor: str = "", danger: bool = False) -> HttpResponse:
    return render(request, "workspace/form.html", {
        "project": project, "form": form, "heading": heading, "intro": intro, "submit": submit,
        "cancel_url": _workspace_url(project, anchor), "danger": danger})


# --- The workspace page ----------------------------------------------------------------------------

@dataclass
class PrimaryRow:
    driver: Driver
    secondaries: list[Driver] = field(default_factory=list)


def _driver_tree(drivers: list[Driver]) -> list[PrimaryRow]:
    rows = {d.pk: PrimaryRow(d) for d in drivers if d.parent_id is None}
    for d in drivers:
        if d.parent_id is not None and d.parent_id in rows:
            rows[d.parent_id].secondaries.append(d)
    return list(rows.values())


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    today = timezone.localdate()
    versions = list(project.aim_versions.select_related("created_by").order_by("-version"))
    if not versions:
        versions = [services.ensure_aim(project)]
    drivers = list(project.drivers.order_by("order", "pk"))
    tree = _driver_tree(drivers)
    ideas = list(project.change_ideas.order_by("order", "pk").prefetch_related(
        Prefetch("secondary_drivers", queryset=Driver.objects.only("pk", "text", "parent_id")),
        Prefetch("cycles", queryset=PDSACycle.objects.order_by("number"))))
    scores = list(project.progress_scores.select_related("recorded_by").order_by("month", "recorded_at", "pk"))
    monthly = services.effective_scores(scores)
    overrides = list(project.involvement_overrides.select_related("by"))
    involvement, override = services.current_involvement(project, project.current_members, overrides)
    closures = list(project.closure_requests.select_related("requested_by", "reviewed_by").order_by("-requested_at"))
    user = request.user
    can_edit = user.has_perm("workspace.edit", project) and project.status in services.RUNNING_STATUSES

    svg = services.driver_diagram(project.title, versions[0].statement, drivers, ideas)
    stage_index = services.STAGE_ORDER.index(project.stage) if project.stage else -1
    return render(request, "workspace/project.html", {
        "project": project,
        "aim": versions[0], "aim_versions": versions,
        "stages": [(i, value, label, services.STAGE_EXPECTATIONS[value]) for i, (value, label)
                   in enumerate(Stage.choices)],
        "stage_index": stage_index,
        "stage_expectation": services.STAGE_EXPECTATIONS.get(project.stage, ""),
        "stage_form": StageForm(initial={"stage": _next_stage(project.stage)}),
        "tree": tree, "ideas": ideas, "diagram": mark_safe(svg),  # noqa: S308 - built and escaped by diagram.py
        "panels": render_panels(request, project),
        "team_panels": render_panels(request, project, "team"),
        "latest_score": list(monthly.values())[-1] if monthly else None,
        "progress_chart": mark_safe(progress_step_svg([(m, float(s.score)) for m, s in monthly.items()])),  # noqa: S308
        "attention": services.attention_reasons(project, today, scores),
        "involvement": involvement, "override": override,
        "closure": closures[0] if closures else None,
        "stories": list(project.stories.all()) if project.status in services.CLOSED_STATUSES else [],
        "can_edit": can_edit, "editing_diagram": request.GET.get("edit") == "diagram" or not tree,
        "can_move_stage": user.has_perm("workspace.move_stage", project)
        and project.status in services.RUNNING_STATUSES,
        "can_request_closure": user.has_perm("workspace.request_closure", project)
        and project.status == ProjectStatus.ACTIVE,
        "can_review": user.has_perm("workspace.review_closure", project),
        "can_tell_story": user.has_perm("workspace.tell_story", project)
        and project.status in services.CLOSED_STATUSES,
    })


def _next_stage(stage: str) -> str:
    order = services.STAGE_ORDER
    if stage not in order:
        return order[0]
    return order[min(order.index(stage) + 1, len(order) - 1)]


@login_required
@require_POST
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk, "workspace.move_stage",
                               message="The lead, coach, sponsor, Improvement Advisors and the QI department "
                                       "move a project through the stages.")
    form = StageForm(request.POST)
    if form.is_valid():
        services.set_stage(project, form.cleaned_data["stage"], by=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"Stage: {project.get_stage_display()}.")
    else:
        messages.error(request, "Choose a stage.")
    return redirect(_workspace_url(project, "stage"))


# --- The storyboard --------------------------------------------------------------------------------

def _project_to_read(request: HttpRequest, pk: int) -> Project:
    """Whoever may read the workspace may read its storyboard (a project that is not approved has neither)."""
    project = _project(request, pk)
    if not request.user.has_perm("projects.view_project", project):
        raise Http404("No such project.")
    return project


def _storyboard_context(request: HttpRequest, project: Project, *, pdf: bool = False) -> dict:
    board = storyboard.build(project)
    # With no diagram of its own, a team may work from another's theory of change (programmes adds its own).
    diagram_panels = [] if board.has_drivers else render_panels(request, project, "storyboard-diagram")
    return {"project": project, "board": board, "pdf": pdf, "today": timezone.localdate(),
            "panels": render_panels(request, project, "storyboard"), "diagram_panels": diagram_panels}


@login_required
def storyboard_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_read(request, pk)
    return render(request, "workspace/storyboard.html", _storyboard_context(request, project))


@login_required
def storyboard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_read(request, pk)
    html = render_to_string("workspace/storyboard_pdf.html",
                            {**_storyboard_context(request, project, pdf=True), "css": storyboard.print_css()},
                            request=request)
    data, _pages = storyboard.render_pdf(html)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"storyboard-{slugify(project.title)[:60]}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Aim -------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def aim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    form = AimForm.from_version(request.POST or None, services.ensure_aim(project, by=request.user))
    if request.method == "POST" and form.is_valid():
        version = services.change_aim(project, by=request.user, **form.cleaned_data)
        messages.success(request, f"Aim version {version.version} saved; earlier versions stay in the history.")
        return redirect(_workspace_url(project, "aim"))
    return _form_page(request, project, form, heading="Revise the aim", submit="Save as a new version",
                      intro="A new version is added; the earlier ones stay in the history.", anchor="aim")


# --- Driver diagram --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def driver_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else {}
    form = DriverForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        driver = services.add_driver(project, text=form.cleaned_data["text"], parent=form.cleaned_data["parent"])
        messages.success(request, f"{'Secondary' if driver.parent_id else 'Primary'} driver added.")
        return redirect(_workspace_url(project, "changes", editing=True))
    return _form_page(request, project, form, heading="Add a driver", submit="Add the driver", anchor="changes",
                      intro="Primary drivers are the few big things that must change for the aim to be met; "
                            "secondary drivers are the places within each where change ideas act.")


@login_required
@require_http_methods(["GET", "POST"])
def driver_edit(request: HttpRequest, pk: int) -> HttpResponse:
    driver = _driver_to_edit(request, pk)
    project = driver.project
    form = DriverForm(request.POST or None, project=project, driver=driver,
                      initial={"text": driver.text, "parent": driver.parent_id})
    if request.method == "POST" and form.is_valid():
        services.rename_driver(driver, form.cleaned_data["text"])
        if not driver.is_primary:
            services.reparent_driver(driver, form.cleaned_data["parent"])
        messages.success(request, "Driver saved.")
        return redirect(_workspace_url(project, "changes", editing=True))
    return _form_page(request, project, form, heading="Rename or move the driver", submit="Save", anchor="changes")


@login_required
@require_POST
def driver_move(request: HttpRequest, pk: int) -> HttpResponse:
    driver = _driver_to_edit(request, pk)
    services.move_driver(driver, "up" if request.POST.get("direction") == "up" else "down")
    return redirect(_workspace_url(driver.project, f"driver-{driver.pk}", editing=True))


@login_required
@require_http_methods(["GET", "POST"])
def driver_remove(request: HttpRequest, pk: int) -> HttpResponse:
    driver = _driver_to_edit(request, pk)
    form = ConfirmRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remove_driver(driver, by=request.user)
        messages.success(request, f"Removed “{driver.text}”.")
        return redirect(_workspace_url(driver.project, "changes", editing=True))
    children = list(driver.children.all())
    intro = f"“{driver.text}” will be removed from the driver diagram."
    if children:
        intro += f" Its {len(children)} secondary driver{'s' if len(children) != 1 else ''} go with it: " + \
            "; ".join(c.text for c in children) + "."
    intro += " Change ideas stay, but lose their link to it."
    return _form_page(request, driver.project, form, heading="Remove this driver?", submit="Remove",
                      intro=intro, anchor="changes", danger=True)


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    initial = {"secondary_drivers": [request.GET["driver"]]} if request.GET.get("driver", "").isdigit() else {}
    form = ChangeIdeaForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.add_change_idea(project, **form.cleaned_data)
        messages.success(request, "Change idea added. Plan a first small PDSA cycle to test it.")
        return redirect(_workspace_url(project, "ideas"))
    return _form_page(request, project, form, heading="Add a change idea", submit="Add the change idea",
                      anchor="ideas", intro="Something specific the team could try, small enough to test this week.")


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_to_edit(request, pk)
    form = ChangeIdeaForm(request.POST or None, project=idea.project, initial={
        "title": idea.title, "description": idea.description,
        "secondary_drivers": list(idea.secondary_drivers.values_list("pk", flat=True))})
    if request.method == "POST" and form.is_valid():
        services.update_change_idea(idea, **form.cleaned_data)
        messages.success(request, "Change idea saved.")
        return redirect(_workspace_url(idea.project, f"idea-{idea.pk}"))
    return _form_page(request, idea.project, form, heading="Edit the change idea", submit="Save", anchor="ideas")


@login_required
@require_POST
def idea_move(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_to_edit(request, pk)
    services.move_change_idea(idea, "up" if request.POST.get("direction") == "up" else "down")
    return redirect(_workspace_url(idea.project, f"idea-{idea.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def idea_remove(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_to_edit(request, pk)
    form = ConfirmRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remove_change_idea(idea, by=request.user)
        messages.success(request, f"Removed “{idea.title}”.")
        return redirect(_workspace_url(idea.project, "ideas"))
    cycles = idea.cycles.count()
    intro = f"“{idea.title}” will be removed from the driver diagram"
    intro += f", with its {cycles} PDSA cycle{'s' if cycles != 1 else ''}." if cycles else "."
    return _form_page(request, idea.project, form, heading="Remove this change idea?", submit="Remove",
                      intro=intro, anchor="ideas", danger=True)


# --- PDSA cycles -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_to_edit(request, pk)
    previous = idea.cycles.order_by("-number").first()
    builds_on = previous if previous and request.GET.get("fresh") != "1" else None
    if request.method == "POST":
        builds_on = previous if previous and request.POST.get("builds_on") == str(previous.pk) else None
    initial = services.prefill_from(builds_on) if builds_on else {"planned_start": timezone.localdate()}
    form = PDSAForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.cycle_fields()
        plan = {k: v for k, v in fields.items() if k in services.PLAN_FIELDS}
        cycle = services.start_cycle(idea, by=request.user, builds_on=builds_on, **plan)
        rest = {k: v for k, v in fields.items() if k not in services.PLAN_FIELDS}
        if any(rest.values()):
            services.save_cycle(cycle, by=request.user, **rest)
        messages.success(request, f"PDSA {cycle.number} saved. Come back to fill in Do, Study and Act as it runs.")
        return redirect(cycle)
    return render(request, "workspace/cycle_form.html", {
        "project": idea.project, "idea": idea, "form": form, "builds_on": builds_on, "previous": previous,
        "number": (previous.number + 1) if previous else 1})


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    project = cycle.change_idea.project
    siblings = list(cycle.change_idea.cycles.order_by("number").only("pk", "number", "act_decision"))
    return render(request, "workspace/cycle_detail.html", {
        "project": project, "idea": cycle.change_idea, "cycle": cycle, "siblings": siblings,
        "can_edit": request.user.has_perm("workspace.edit", project) and project.status in services.RUNNING_STATUSES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    project = cycle.change_idea.project
    _require(request, project)
    form = PDSAForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        services.save_cycle(cycle, by=request.user, **form.cycle_fields())
        messages.success(request, f"PDSA {cycle.number} saved.")
        if request.POST.get("action") == "continue":
            return redirect("workspace:cycle_edit", pk=cycle.pk)
        return redirect(cycle)
    return render(request, "workspace/cycle_form.html", {
        "project": project, "idea": cycle.change_idea, "form": form, "cycle": cycle, "number": cycle.number,
        "builds_on": cycle.builds_on})


# --- Monthly progress ------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    today = timezone.localdate()
    form = ProgressForm(request.POST or None, today=today, since=project.approved_on)
    if request.method == "POST" and form.is_valid():
        row = services.record_progress(project, by=request.user, **form.cleaned_data)
        messages.success(request, f"Progress for {row.month:%B %Y} recorded: {row.score} ({row.meaning.lower()}).")
        return redirect(_workspace_url(project, "progress"))
    scores = list(project.progress_scores.select_related("recorded_by").latest_first()[:24])
    return render(request, "workspace/progress.html", {"project": project, "form": form, "scores": scores,
                                                       "attention": services.attention_reasons(project, today)})


# --- Team ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    form = MemberForm(request.POST or None, prefix="member")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(project, by=request.user, **form.cleaned_data)
        except services.WorkspaceError as refusal:
            form.add_error("person", str(refusal))
        else:
            messages.success(request, f"{form.cleaned_data['person'].name} joined the team.")
            return redirect("workspace:team", pk=project.pk)
    overrides = list(project.involvement_overrides.select_related("by").order_by("-at", "-pk"))
    level, override = services.current_involvement(project, project.current_members, overrides)
    past = project.members.filter(left_on__isnull=False).select_related("person", "organisation").order_by("-left_on")
    return render(request, "workspace/team.html", {
        "project": project, "form": form, "past_members": list(past),
        "involvement_form": InvolvementForm(initial={"level": override.level if override else ""}, prefix="inv"),
        "involvement": level, "override": override, "overrides": overrides,
        "from_team": services.involvement_from_team(project.current_members)})


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(ProjectMember.objects.select_related("person"), pk=pk, left_on__isnull=True)
    member.project = _project_to_edit(request, member.project_id)
    try:
        services.remove_member(member, by=request.user)
    except services.WorkspaceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{member.person.name} has left the team; their part stays in the history.")
    return redirect("workspace:team", pk=member.project_id)


@login_required
@require_POST
def involvement(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk)
    form = InvolvementForm(request.POST, prefix="inv")
    if form.is_valid():
        services.override_involvement(project, by=request.user, **form.cleaned_data)
        messages.success(request, "Service-user involvement updated.")
    else:
        messages.error(request, "Give a reason for the involvement level.")
    return redirect("workspace:team", pk=project.pk)


# --- Closure ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def closure_request(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_edit(request, pk, "workspace.request_closure",
                               message="The project lead (or the QI department) asks the forum to close a project.")
    if project.status != ProjectStatus.ACTIVE:
        raise PermissionDenied("Closure has already been requested for this project.")
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_closure(project, by=request.user, **form.cleaned_data)
        except TransitionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Closure requested. The {project.directorate} QI forum's chair will review it.")
            return redirect(_workspace_url(project, "closure"))
    return render(request, "workspace/closure_request.html", {"project": project, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def closure_review(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(ClosureRequest.objects.select_related("requested_by", "reviewed_by"), pk=pk)
    project = _project(request, closure.project_id)
    closure.project = project
    can_review = request.user.has_perm("workspace.review_closure", project) and closure.is_pending
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("workspace.review_closure", project):
            raise PermissionDenied("Only the chair or co-chair of the directorate's QI forum reviews a closure.")
        if not closure.is_pending:
            raise Http404("This closure request has already been reviewed.")
        if form.is_valid():
            confirm = form.cleaned_data["decision"] == "confirm"
            try:
                services.review_closure(closure, by=request.user, confirm=confirm, note=form.cleaned_data["note"])
            except (TransitionError, services.WorkspaceError) as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Closure confirmed: the project is now in the learning library."
                                 if confirm else "Closure returned to the team with your note.")
                return redirect("workspace:closure_review", pk=closure.pk)
    ideas = list(project.change_ideas.order_by("order", "pk"))
    return render(request, "workspace/closure_review.html", {
        "project": project, "closure": closure, "form": form, "can_review": can_review, "ideas": ideas,
        "aim": project.aim_versions.order_by("-version").first()})


# --- Learning library and stories ------------------------------------------------------------------

@login_required
def library(request: HttpRequest) -> HttpResponse:
    form = LibrarySearchForm(request.GET or None)
    query = outcome = ""
    if form.is_valid():
        query, outcome = form.cleaned_data["q"], form.cleaned_data["outcome"]
    page = Paginator(services.library(query, outcome), 20).get_page(request.GET.get("page"))
    labels = dict(ClosureOutcome.choices)
    for project in page:
        project.outcome_label = labels.get(project.outcome, "")
    params = request.GET.copy()
    params.pop("page", None)
    # Evaluated programmes (registered by programmes) come first, on the first page: a handful at most.
    extras = library_sources.entries(query, outcome) if page.number == 1 else []
    return render(request, "workspace/library.html", {"form": form, "page": page, "query": params.urlencode(),
                                                      "searching": bool(query or outcome), "extras": extras})


@login_required
def stories(request: HttpRequest) -> HttpResponse:
    page = Paginator(Story.objects.published().for_list(), 12).get_page(request.GET.get("page"))
    return render(request, "workspace/stories.html", {"page": page})


@login_required
def story(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Story.objects.for_list(), pk=pk)
    if not item.published and not request.user.has_perm("workspace.tell_story", item.project):
        raise Http404("No such story.")
    return render(request, "workspace/story.html", {"story": item, "project": item.project})


@login_required
@require_http_methods(["GET", "POST"])
def story_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require(request, project, "workspace.tell_story", running=False,
             message="The project's team and the QI department tell its stories.")
    if project.status not in services.CLOSED_STATUSES:
        raise PermissionDenied("Stories are told once a project has closed.")
    form = StoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.add_story(project, by=request.user, **form.cleaned_data)
        messages.success(request, "Story saved." + (" It is published." if item.published else ""))
        return redirect(item)
    return _form_page(request, project, form, heading="Tell the story", submit="Save the story", anchor="stories",
                      intro="A patient's story, told with their consent, or the team's improvement story: what "
                            "the problem was, what you tried, what changed. Plain language, no jargon.")
