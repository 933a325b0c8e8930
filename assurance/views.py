"""WalkRounds: the list, recording one, following up its actions, the schedule and coverage."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.directory import find_teams
from organisation.models import Directorate, Team
from organisation.rules import is_qi_admin

from . import rules as assurance_rules
from .accreditation import (
    AccreditationError,
    awards_by_directorate,
    earlier_findings,
    latest_published,
    pareto,
    publish,
    save_judgements,
    start_assessment,
    teams_due,
)
from .accreditation import start_idea as start_area_idea
from .charts import pareto_svg
from .forms import (
    ActionForm,
    ActionFormSet,
    ActionStatusForm,
    AssessmentForm,
    BoardLinkForm,
    EscalationForm,
    HuddleForm,
    IssueFormSet,
    JudgementsForm,
    LeadForm,
    PlanForm,
    PublishForm,
    StartIdeaForm,
    WalkRoundForm,
)
from .huddles import (
    ESCALATE_AFTER_DAYS,
    HuddleError,
    NewIssue,
    escalations_for,
    issue_board_link,
    link_for,
    overdue_cutoff,
    record_huddle,
    revoke_board_link,
    update_escalation,
)
from .huddles import board as huddle_board
from .models import (
    Action,
    ActionUpdate,
    Assessment,
    AssessmentStatus,
    Award,
    BoardLink,
    Escalation,
    Framework,
    Huddle,
    HuddleIssue,
    Judgement,
    PlannedWalkRound,
    Rating,
    WalkRound,
)
from .quality import directorate_rollup, team_quality
from .services import (
    ActionError,
    NewAction,
    PlanError,
    add_assessment_action,
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
    followed = (Action.objects.still_open().filter(walkround__executives=user).exclude(owner=user)
                .select_related("team", "owner", "walkround").order_by("due")[:50]
                if assurance_rules.is_executive(user) else [])
    team_open = (Action.objects.still_open().filter(team_id=user.team_id).select_related("owner", "walkround")
                 .order_by("due")[:50] if user.team_id else [])
    query = request.GET.get("team", "").strip()[:100]
    return render(request, "assurance/index.html", {
        "page": page, "walkrounds": page.object_list, "mine": mine, "followed": followed, "team_open": team_open,
        "sees_all": sees_all,
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


# Accreditation


@login_required
def accreditation_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    leads = assurance_rules.can_run_accreditation(user)
    if leads or assurance_rules.is_executive(user):
        visible = Assessment.objects.all()
    else:
        mine = Assessment.objects.filter(assessors=user).values("pk")
        visible = Assessment.objects.filter(Q(pk__in=mine) | Q(team_id=user.team_id, status=AssessmentStatus.PUBLISHED))
    page = Paginator(visible.select_related("team", "team__directorate", "framework").order_by("-visit_date", "-pk"),
                     PAGE).get_page(request.GET.get("page"))
    query = request.GET.get("team", "").strip()[:100]
    return render(request, "assurance/accreditation_index.html", {
        "page": page, "assessments": page.object_list, "leads": leads, "query": query,
        "found": find_teams(query) if leads and query else [], "framework": Framework.objects.in_force(),
        "sees_trust": assurance_rules.can_see_trust_accreditation(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, team_pk: int) -> HttpResponse:
    if not assurance_rules.can_run_accreditation(request.user):
        raise PermissionDenied("Assessment visits are arranged by accreditation leads.")
    team = get_object_or_404(Team.objects.select_related("directorate"), pk=team_pk, active=True)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = start_assessment(team=team, visit_date=form.cleaned_data["visit_date"],
                                          assessors=list(form.cleaned_data["assessors"]), by=request.user)
        except AccreditationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The assessment visit to {team} is arranged; its assessors can record it.")
            return redirect(assessment)
    return render(request, "assurance/assessment_form.html", {"form": form, "team": team,
                                                              "framework": Framework.objects.in_force()})


def _assessment_for(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("team", "team__directorate", "framework", "published_by")
        .prefetch_related("assessors"), pk=pk)
    if not assurance_rules.can_see_assessment(request.user, assessment):
        raise Http404("No such assessment.")
    return assessment


def _render_assessment(request: HttpRequest, assessment: Assessment, *, judgements_form=None, publish_form=None,
                       action_form=None) -> HttpResponse:
    user = request.user
    judged = {j.standard_id: j for j in assessment.judgements.select_related("standard")
              .prefetch_related("ideas__project")}
    standards = list(assessment.framework.standards.all())
    may_judge = assurance_rules.can_judge(user, assessment)
    may_publish = assurance_rules.can_publish(user, assessment)
    if may_judge and judgements_form is None:
        judgements_form = JudgementsForm(standards=standards, judgements=judged)
    earlier = earlier_findings(assessment)
    groups: dict[str, list] = {}
    for standard in standards:
        groups.setdefault(standard.group, []).append({
            "standard": standard, "judgement": judged.get(standard.pk), "earlier": earlier.get(standard.code)})
    fields = {s.pk: (rating, evidence) for s, rating, evidence in judgements_form.rows()} if judgements_form else {}
    for rows in groups.values():
        for row in rows:
            row["fields"] = fields.get(row["standard"].pk)
    may_start_ideas = assurance_rules.can_start_idea_from_area(user, assessment)
    status = 400 if any(f is not None and f.is_bound for f in (judgements_form, publish_form, action_form)) else 200
    return render(request, "assurance/assessment.html", {
        "assessment": assessment, "groups": groups, "judgements_form": judgements_form if may_judge else None,
        "publish_form": (publish_form or PublishForm(initial={"report": assessment.report})) if may_publish else None,
        "action_form": (action_form or ActionForm(team=assessment.team, prefix="action"))
        if assessment.is_published and assurance_rules.can_run_accreditation(user) else None,
        "actions": assessment.actions.select_related("owner"), "today": timezone.localdate(),
        "lead_form": LeadForm(team=assessment.team) if may_start_ideas else None,
        "judged": len(judged), "total": len(standards), "earlier_date": next(iter(earlier.values()))["date"]
        if earlier else None,
    }, status=status)


@login_required
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assessment(request, _assessment_for(request, pk))


@login_required
@require_POST
def assessment_judge(request: HttpRequest, pk: int) -> HttpResponse:
    record = _assessment_for(request, pk)
    if not assurance_rules.can_judge(request.user, record):
        raise PermissionDenied("Judgements are recorded by the visit's own assessors until the report is published.")
    standards = list(record.framework.standards.all())
    form = JudgementsForm(request.POST, standards=standards, judgements={})
    if not form.is_valid():
        return _render_assessment(request, record, judgements_form=form)
    try:
        saved = save_judgements(record, form.judged(), by=request.user)
    except AccreditationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{saved} judgement{'s' if saved != 1 else ''} saved.")
    return redirect(record)


@login_required
@require_POST
def assessment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    record = _assessment_for(request, pk)
    if not assurance_rules.can_publish(request.user, record):
        raise PermissionDenied("The report is published by an accreditation lead.")
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            record = publish(record, report=form.cleaned_data["report"], by=request.user)
        except AccreditationError as error:
            form.add_error("report" if "report" in str(error) else None, str(error))
        else:
            messages.success(request, f"The report is published: {record.get_award_display()}, re-accreditation due "
                             f"{record.due_on:%-d %B %Y}. The team can read it now.")
            return redirect(record)
    return _render_assessment(request, record, publish_form=form)


@login_required
@require_POST
def assessment_action(request: HttpRequest, pk: int) -> HttpResponse:
    record = _assessment_for(request, pk)
    if not (record.is_published and assurance_rules.can_run_accreditation(request.user)):
        raise PermissionDenied("Actions from an accreditation are agreed by an accreditation lead.")
    form = ActionForm(request.POST, team=record.team, prefix="action")
    if form.is_valid() and not form.is_action:
        form.add_error("description", "Say what is to be done.")
    if form.is_valid():
        data = form.cleaned_data
        add_assessment_action(record, NewAction(data["description"], data["owner"], data["due"]), by=request.user)
        messages.success(request, "The action is added; its owner has been told.")
        return redirect(record)
    return _render_assessment(request, record, action_form=form)


@login_required
@require_POST
def judgement_idea(request: HttpRequest, pk: int) -> HttpResponse:
    judgement = get_object_or_404(Judgement.objects.select_related("standard", "assessment"), pk=pk)
    record = _assessment_for(request, judgement.assessment_id)
    if not assurance_rules.can_start_idea_from_area(request.user, record) or judgement.rating == Rating.MET:
        raise PermissionDenied("An idea is started from an area for improvement by the team or a lead.")
    judgement.assessment = record
    form = LeadForm(request.POST, team=record.team)
    if not form.is_valid():
        messages.error(request, "Choose who in the team leads the idea.")
        return redirect(record)
    project = start_area_idea(judgement, lead=form.cleaned_data["lead"], by=request.user)
    if request.user.has_perm("projects.edit_idea", project):
        messages.success(request, "An idea draft is started from the area for improvement.")
        return redirect("projects:idea_edit", pk=project.pk)
    messages.success(request, f"An idea draft is started for {project.lead.name} and the team.")
    return redirect(record)


@login_required
def accreditation_trust(request: HttpRequest) -> HttpResponse:
    if not assurance_rules.can_see_trust_accreditation(request.user):
        raise PermissionDenied("The trust view of accreditation is for accreditation leads and executives.")
    latest = latest_published()
    bars = pareto(latest)
    return render(request, "assurance/accreditation_trust.html", {
        "by_directorate": awards_by_directorate(latest), "awards": Award.choices, "bars": bars,
        "chart": mark_safe(pareto_svg([(b.code, b.text, b.count, b.cumulative_pct) for b in bars])),  # noqa: S308
        "due": teams_due(latest),
    })


# Huddles, escalation and the wall board


def _team_for(team_pk: int) -> Team:
    return get_object_or_404(Team.objects.select_related("directorate"), pk=team_pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_huddles(request: HttpRequest, team_pk: int) -> HttpResponse:
    team = _team_for(team_pk)
    user = request.user
    if not assurance_rules.can_see_huddles(user, team):
        raise PermissionDenied("A team's huddle log is for the team, its directorate's leaders and the QI department.")
    may_record = assurance_rules.can_record_huddle(user, team)
    form = HuddleForm(request.POST or None) if may_record else None
    issues = IssueFormSet(request.POST or None, team=team, prefix="issues") if may_record else None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("A huddle is logged by the team itself.")
        if form.is_valid() and issues.is_valid():
            data = form.cleaned_data
            record_huddle(team=team, date=data["date"], attendance=data["attendance"], by=user, issues=[
                NewIssue(i.cleaned_data["description"], i.cleaned_data["outcome"], i.cleaned_data.get("owner"))
                for i in issues if i.is_issue])
            messages.success(request, "The huddle is logged. Escalated issues have gone to the directorate.")
            return redirect("assurance:team_huddles", team.pk)
    page = Paginator(Huddle.objects.filter(team=team).prefetch_related(
        Prefetch("issues", queryset=HuddleIssue.objects.select_related("escalation", "escalation__owner")))
        .order_by("-date", "-pk"), 20).get_page(request.GET.get("page"))
    links = (BoardLink.objects.filter(team=team).select_related("created_by", "revoked_by")
             if assurance_rules.can_issue_board_links(user) else None)
    return render(request, "assurance/huddles.html", {
        "team": team, "form": form, "issues": issues, "page": page, "huddles": page.object_list, "links": links,
        "link_form": BoardLinkForm() if links is not None else None,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def board_link_new(request: HttpRequest, team_pk: int) -> HttpResponse:
    team = _team_for(team_pk)
    if not assurance_rules.can_issue_board_links(request.user):
        raise PermissionDenied("Wall-board links are issued by the QI department.")
    form = BoardLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say where the screen is, so the link can be told apart from others.")
        return redirect("assurance:team_huddles", team.pk)
    link, secret = issue_board_link(team, label=form.cleaned_data["label"], by=request.user)
    url = request.build_absolute_uri(reverse("assurance:wall_board", args=[secret]))
    return render(request, "assurance/board_link_issued.html", {"team": team, "link": link, "url": url})


@login_required
@require_POST
def board_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(BoardLink.objects.select_related("team"), pk=pk)
    if not assurance_rules.can_issue_board_links(request.user):
        raise PermissionDenied("Wall-board links are revoked by the QI department.")
    revoke_board_link(link, by=request.user)
    messages.success(request, f"The board link “{link.label}” no longer works; the screen will show nothing.")
    return redirect("assurance:team_huddles", link.team_id)


@require_GET
def wall_board(request: HttpRequest, secret: str) -> HttpResponse:
    """The huddle board on the ward's wall screen: no sign-in, read-only, and no patient-identifiable data."""
    link = link_for(secret)
    if link is None:
        raise Http404("This board link is not in use.")
    response = render(request, "assurance/wall_board.html", huddle_board(link.team))
    response["Referrer-Policy"] = "no-referrer"  # the secret is in the address
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def escalation_update(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation.objects.select_related("team", "directorate", "issue"), pk=pk)
    if not assurance_rules.can_update_escalation(request.user, escalation):
        raise PermissionDenied("An escalation is updated by its owner, the directorate's leaders or the QI department.")
    form = EscalationForm(request.POST, prefix=f"e{escalation.pk}")
    if form.is_valid():
        try:
            update_escalation(escalation, by=request.user, status=form.cleaned_data["status"],
                              note=form.cleaned_data["note"])
        except HuddleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The escalation from {escalation.team} is updated.")
    else:
        messages.error(request, "Choose a status for the escalation.")
    return redirect("assurance:directorate", escalation.directorate.slug)


@login_required
def directorate(request: HttpRequest, slug: str) -> HttpResponse:
    record = get_object_or_404(Directorate, slug=slug)
    if not assurance_rules.can_see_directorate_quality(request.user, record):
        raise PermissionDenied("A directorate's quality page is for its people, its leaders, executives and the QI "
                               "department.")
    escalations = list(escalations_for(record.pk))
    cutoff = overdue_cutoff()
    may_update = {e.pk for e in escalations if assurance_rules.can_update_escalation(request.user, e)}
    for e in escalations:
        e.overdue = e.raised_at < cutoff
        e.form = EscalationForm(prefix=f"e{e.pk}", initial={"status": "resolved"}) if e.pk in may_update else None
    return render(request, "assurance/directorate.html", {
        "directorate": record, "escalations": escalations, "after_days": ESCALATE_AFTER_DAYS,
        **directorate_rollup(record),
    })


@login_required
def team(request: HttpRequest, team_pk: int) -> HttpResponse:
    """The team's quality page: planning, control, assurance and improvement together."""
    record = _team_for(team_pk)
    user = request.user
    if not assurance_rules.can_see_huddles(user, record):
        raise PermissionDenied("A team's quality page is for the team, its directorate's leaders, executives and the "
                               "QI department.")
    context = team_quality(record, user=user)
    # A directorate's leaders and the IAs see the page, not every WalkRound: link only those this person may open.
    readable = set(WalkRound.objects.visible_to(user).filter(pk__in=[w.pk for w in context["walkrounds"]])
                   .values_list("pk", flat=True))
    context.update(can_huddles=True, readable_walkrounds=readable,
                   can_read_reports=bool(context["award"])
                   and assurance_rules.can_see_assessment(user, context["award"]))
    return render(request, "assurance/team.html", context)


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    if not request.user.team_id:
        messages.info(request, "You are not in a team in the directory, so there is no team quality page to show.")
        return redirect("assurance:index")
    return redirect("assurance:team", request.user.team_id)
