"""WalkRounds: the list, recording one, following up its actions, the schedule and coverage."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from organisation.directory import find_teams
from organisation.models import Team
from organisation.rules import is_qi_admin

from . import rules as assurance_rules
from .forms import ActionFormSet, ActionStatusForm, PlanForm, StartIdeaForm, WalkRoundForm
from .models import Action, ActionUpdate, PlannedWalkRound, WalkRound
from .services import (
    ActionError,
    NewAction,
    PlanError,
    cancel_plan,
    coverage,
    monday,
    plan_walkround,
    proposals,
    record_walkround,
    start_idea,
    update_action,
)

PAGE = 25


def _walkround_rows(qs):
    return (qs.select_related("team", "team__directorate")
            .prefetch_related("executives", Prefetch("actions", queryset=Action.objects.select_related("owner"))))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    sees_all = assurance_rules.can_record_walkrounds(user)
    walkrounds = WalkRound.objects.visible_to(user)
    page = Paginator(_walkround_rows(walkrounds).order_by("-date", "-pk"), PAGE).get_page(request.GET.get("page"))
    mine = Action.objects.still_open().filter(owner=user).select_related("team", "walkround").order_by("due")[:50]
    team_open = (Action.objects.still_open().filter(team_id=user.team_id).select_related("owner", "walkround")
                 .order_by("due")[:50] if user.team_id else [])
    query = request.GET.get("team", "").strip()[:100]
    return render(request, "assurance/index.html", {
        "page": page, "walkrounds": page.object_list, "mine": mine, "team_open": team_open, "sees_all": sees_all,
        "query": query, "found": find_teams(query) if sees_all and query else [], "today": timezone.localdate(),
    })


def _walkround_for(request: HttpRequest, pk: int) -> WalkRound:
    """The WalkRound if the person may see it (else 404), with its executives loaded for the rules."""
    return get_object_or_404(
        WalkRound.objects.visible_to(request.user).select_related("team", "team__directorate", "recorded_by")
        .prefetch_related("executives"), pk=pk)


@login_required
def walkround(request: HttpRequest, pk: int) -> HttpResponse:
    record = _walkround_for(request, pk)
    return _render_walkround(request, record)


def _render_walkround(request: HttpRequest, record: WalkRound, *, bound: dict | None = None,
                      idea_form: StartIdeaForm | None = None) -> HttpResponse:
    user = request.user
    actions = list(record.actions.select_related("owner").prefetch_related(
        Prefetch("updates", queryset=ActionUpdate.objects.select_related("by"))))
    for action in actions:
        action.walkround = record
        action.may_update = assurance_rules.can_update_action(user, action)
        action.form = (bound or {}).get(action.pk) or (ActionStatusForm(action=action, prefix=f"a{action.pk}")
                                                       if action.may_update else None)
    may_start_idea = assurance_rules.can_start_idea(user, record)
    if may_start_idea and idea_form is None:
        idea_form = StartIdeaForm(team=record.team, initial={"lead": user.pk if user.team_id == record.team_id
                                                            else None})
    return render(request, "assurance/walkround.html", {
        "walkround": record, "actions": actions, "today": timezone.localdate(),
        "ideas": record.ideas.select_related("project"), "idea_form": idea_form if may_start_idea else None,
    }, status=400 if bound or (idea_form is not None and idea_form.is_bound) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def walkround_new(request: HttpRequest, team_pk: int) -> HttpResponse:
    if not assurance_rules.can_record_walkrounds(request.user):
        raise PermissionDenied("WalkRounds are recorded by the trust's executives and the QI department.")
    team = get_object_or_404(Team.objects.select_related("directorate"), pk=team_pk, active=True)
    initial = {"executives": [request.user.pk]} if assurance_rules.is_executive(request.user) else {}
    form = WalkRoundForm(request.POST or None, initial=initial)
    actions = ActionFormSet(request.POST or None, team=team, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        data = form.cleaned_data
        record = record_walkround(
            team=team, date=data["date"], executives=list(data["executives"]), proud_of=data["proud_of"],
            working_to_improve=data["working_to_improve"], getting_in_the_way=data["getting_in_the_way"],
            taking_care=data["taking_care"], by=request.user,
            actions=[NewAction(a.cleaned_data["description"], a.cleaned_data["owner"], a.cleaned_data["due"])
                     for a in actions if a.is_action])
        messages.success(request, f"The WalkRound to {team} is recorded. Each action's owner has been told.")
        return redirect(record)
    last = WalkRound.objects.filter(team=team).order_by("-date").first()
    return render(request, "assurance/walkround_form.html", {"form": form, "actions": actions, "team": team,
                                                             "last": last})


@login_required
@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("walkround"), pk=pk)
    record = _walkround_for(request, action.walkround_id) if action.walkround_id else None
    if record is not None:
        action.walkround = record  # its executives are loaded
    if not assurance_rules.can_update_action(request.user, action):
        raise PermissionDenied("An action is updated by its owner, the WalkRound's executives or the QI department.")
    form = ActionStatusForm(request.POST, action=action, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            update_action(action, form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"],
                          expected_from=form.cleaned_data["current"])
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{action.description}” is updated.")
        return redirect(record or "assurance:index")
    if record is None:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("assurance:index")
    return _render_walkround(request, record, bound={action.pk: form})


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, pk: int) -> HttpResponse:
    record = _walkround_for(request, pk)
    if not assurance_rules.can_start_idea(request.user, record):
        raise PermissionDenied("An idea is started from a WalkRound by its team, its executives or the QI department.")
    form = StartIdeaForm(request.POST or None, team=record.team)
    if request.method == "POST" and form.is_valid():
        project = start_idea(record, source=form.cleaned_data["source"], lead=form.cleaned_data["lead"],
                             by=request.user)
        if request.user.has_perm("projects.edit_idea", project):
            messages.success(request, "An idea draft is started from the WalkRound. Shape it with the team, then "
                             "send it to the forum.")
            return redirect("projects:idea_edit", pk=project.pk)
        messages.success(request, f"An idea draft is started for {project.lead.name} and the team to shape and "
                         "submit.")
        return redirect(record)
    if request.method == "GET":
        return redirect(record)
    return _render_walkround(request, record, idea_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not assurance_rules.can_plan_walkrounds(user):
        raise PermissionDenied("The WalkRound schedule is kept by the executives and the QI department.")
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["executive"].pk != user.pk and not is_qi_admin(user):
            raise PermissionDenied("An executive plans their own WalkRounds; the QI department plans anyone's.")
        try:
            plan = plan_walkround(executive=data["executive"], team=data["team"], week_of=data["week_of"], by=user)
        except PlanError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{plan.team} is planned for {plan.executive.name} in the week of "
                             f"{plan.week_of:%-d %B %Y}.")
        return redirect("assurance:schedule")
    if form.is_bound:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    only = None if is_qi_admin(user) else user
    return render(request, "assurance/schedule.html", {
        "proposals": proposals(only=only), "next_week": monday(timezone.localdate()) + dt.timedelta(days=7),
    }, status=400 if form.is_bound else 200)


@login_required
@require_POST
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(PlannedWalkRound.objects.select_related("team"), pk=pk, walkround__isnull=True)
    if not (is_qi_admin(request.user) or plan.executive_id == request.user.pk):
        raise PermissionDenied("A plan is cancelled by its executive or the QI department.")
    with transaction.atomic():
        cancel_plan(plan)
    messages.success(request, f"The WalkRound to {plan.team} is no longer planned.")
    return redirect("assurance:schedule")


@login_required
def coverage_view(request: HttpRequest) -> HttpResponse:
    if not assurance_rules.can_plan_walkrounds(request.user):
        raise PermissionDenied("WalkRound coverage is for the executives and the QI department.")
    rows = coverage()
    totals = {"teams": sum(r.teams for r in rows), "visited": sum(r.visited for r in rows),
              "never": sum(len(r.never) for r in rows)}
    return render(request, "assurance/coverage.html", {"rows": rows, "totals": totals})
