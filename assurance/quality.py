"""One view of quality per team, and a directorate's roll-up: the four parts of the quality management
system side by side (planning, control, assurance, improvement). Fixed numbers of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from measures.models import Measure
from measures.services import load_summary
from organisation.models import AnnualPriority, Directorate, StrategicObjective, Team
from programmes.models import Enrolment as ProgrammeEnrolment
from projects.models import Project, ProjectStatus

from .huddles import ESCALATE_AFTER_DAYS
from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    Assessment,
    AssessmentStatus,
    Escalation,
    Huddle,
    PlannedWalkRound,
    WalkRound,
)

HUDDLE_WINDOW_DAYS = 28


def _latest_assessment(field: str) -> Subquery:
    return Subquery(Assessment.objects.filter(team=OuterRef("pk"), status=AssessmentStatus.PUBLISHED)
                    .order_by("-visit_date", "-pk").values(field)[:1])


def walkrounds_against_plan(since: dt.date, until: dt.date, **teams) -> dict[str, int]:
    """WalkRounds done after `since` up to `until`, the visits planned for weeks in that time and how many of
    those were done (two queries); `teams` narrows both to some teams, e.g. team__directorate=…"""
    planned = PlannedWalkRound.objects.filter(week_of__gt=since, week_of__lte=until, **teams).aggregate(
        walkrounds_planned=Count("pk"), planned_done=Count("pk", filter=Q(walkround__isnull=False)))
    return {"walkrounds_done": WalkRound.objects.filter(date__gt=since, date__lte=until, **teams).count(),
            **planned}


def directorate_rollup(directorate: Directorate, today: dt.date | None = None) -> dict:
    """Each active team of the directorate with its last WalkRound, actions open and overdue, latest award,
    huddles in the last four weeks and open escalations (one query), and the directorate's totals."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=HUDDLE_WINDOW_DAYS)
    teams = list(
        Team.objects.filter(directorate=directorate, active=True)
        .annotate(
            last_walkround=Subquery(WalkRound.objects.filter(team=OuterRef("pk")).order_by("-date")
                                    .values("date")[:1]),
            open_actions=Subquery(Action.objects.filter(team=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES)
                                  .values("team").annotate(n=Count("pk")).values("n")[:1]),
            overdue_actions=Subquery(Action.objects.filter(team=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES,
                                                           due__lt=today)
                                     .values("team").annotate(n=Count("pk")).values("n")[:1]),
            award=_latest_assessment("award"), award_due=_latest_assessment("due_on"),
            huddles_recent=Subquery(Huddle.objects.filter(team=OuterRef("pk"), date__gte=since)
                             .values("team").annotate(n=Count("pk")).values("n")[:1]),
            escalations_open=Subquery(Escalation.objects.unresolved().filter(team=OuterRef("pk"))
                                 .values("team").annotate(n=Count("pk")).values("n")[:1]),
        ).order_by("name"))
    award_labels = dict(Assessment._meta.get_field("award").choices)
    for team in teams:
        team.award_label = award_labels.get(team.award, "")
    year_ago = today - dt.timedelta(days=365)
    totals = {
        # WalkRounds done against planned in the last twelve months, as the board reads them for the trust.
        **walkrounds_against_plan(year_ago, today, team__directorate=directorate),
        "teams": len(teams),
        "visited": sum(1 for t in teams if t.last_walkround and t.last_walkround >= year_ago),
        "open_actions": sum(t.open_actions or 0 for t in teams),
        "overdue_actions": sum(t.overdue_actions or 0 for t in teams),
        "escalations": sum(t.escalations_open or 0 for t in teams),
        "accredited": sum(1 for t in teams if t.award and t.award != "none"),
    }
    return {"teams": teams, "totals": totals, "today": today}


def team_quality(team: Team, *, user, today: dt.date | None = None) -> dict:
    """The team's planning, control, assurance and improvement on one page."""
    today = today or timezone.localdate()
    projects = list(Project.objects.visible_to(user).filter(team=team)
                    .exclude(status__in=[ProjectStatus.DECLINED]).for_rows().order_by("status", "title")[:30])
    project_ids = [p.pk for p in projects]
    objectives = list(StrategicObjective.objects.filter(projects__in=project_ids)
                      .annotate(n=Count("projects", filter=Q(projects__in=project_ids), distinct=True))
                      .order_by("order", "name"))
    priorities = list(AnnualPriority.objects.filter(projects__in=project_ids)
                      .annotate(n=Count("projects", filter=Q(projects__in=project_ids), distinct=True))
                      .order_by("-year", "name"))
    indicators = load_summary(list(Measure.objects.early_warning().active().filter(team=team).order_by("name")))
    huddles = list(Huddle.objects.filter(team=team).annotate(
        issue_count=Count("issues"), escalated=Count("issues", filter=Q(issues__outcome="escalated")))
        .order_by("-date", "-pk")[:8])
    since = today - dt.timedelta(days=HUDDLE_WINDOW_DAYS)
    recent = Huddle.objects.filter(team=team, date__gte=since).aggregate(n=Count("pk"), last=Max("date"))
    walkrounds = list(WalkRound.objects.filter(team=team).prefetch_related("executives").order_by("-date")[:6])
    assessments = list(Assessment.objects.filter(team=team, status=AssessmentStatus.PUBLISHED)
                       .order_by("-visit_date")[:4])
    actions = list(Action.objects.still_open().filter(team=team).select_related("owner").order_by("due")[:20])
    aligned = _aligned(project_ids) if project_ids else set()
    # Improvement from the top down too: the programmes the team's projects take part in.
    programmes = list(ProgrammeEnrolment.objects.filter(project__team=team).select_related("programme", "wave")
                      .order_by("-enrolled_on", "-pk"))
    return {
        "programmes": programmes,
        "team": team, "today": today, "projects": projects, "objectives": objectives, "priorities": priorities,
        "aligned": len(aligned), "indicators": indicators,
        "huddles": huddles, "huddles_recent": recent["n"], "escalations": list(
            Escalation.objects.unresolved().filter(team=team).select_related("issue", "owner")),
        "walkrounds": walkrounds, "assessments": assessments, "award": assessments[0] if assessments else None,
        "actions": actions,
    }


def _aligned(project_ids: list[int]) -> set[int]:
    through_o = Project.objectives.through.objects.filter(project_id__in=project_ids).values_list("project_id",
                                                                                                  flat=True)
    through_p = Project.priorities.through.objects.filter(project_id__in=project_ids).values_list("project_id",
                                                                                                   flat=True)
    return set(through_o) | set(through_p)


def board_figures(as_of: dt.date) -> dict:
    """The quality system's figures for the board report, as plain JSON (the report freezes them when it is
    published): WalkRounds done against planned in the twelve months to `as_of`, actions open and overdue,
    each team's latest accreditation award, and huddle escalations open (and open past the set time)."""
    since = as_of - dt.timedelta(days=365)
    open_actions = Action.objects.still_open()
    latest = (Assessment.objects.published().filter(team=OuterRef("pk"), visit_date__lte=as_of)
              .order_by("-visit_date", "-pk").values("award")[:1])
    awards = dict(Team.objects.filter(active=True).annotate(award=Subquery(latest)).exclude(award=None)
                  .values_list("award").annotate(n=Count("pk")).order_by())
    now = timezone.now()
    labels = dict(Assessment._meta.get_field("award").choices)
    return {
        **walkrounds_against_plan(since, as_of),
        "actions_open": open_actions.count(), "actions_overdue": open_actions.filter(due__lt=as_of).count(),
        "awards": [{"award": key, "label": labels[key], "teams": awards.get(key, 0)} for key in labels],
        "escalations_open": Escalation.objects.unresolved().count(),
        "escalations_overdue": Escalation.objects.unresolved_since(now - dt.timedelta(days=ESCALATE_AFTER_DAYS))
        .count(),
        "escalate_after_days": ESCALATE_AFTER_DAYS,
    }
