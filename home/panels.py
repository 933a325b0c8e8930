"""What each role sees first on the home page, as a list of panels (template + context).

The home page reads from every app, so this app stands on top of them all. Each builder runs a fixed
number of queries whatever the size of the trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from assurance.services import overdue_actions_of
from coaching import services as coaching
from forums.models import Forum, Meeting
from forums.services import ensure_next_meeting
from ops.cache import figures
from organisation import rules as roles
from organisation.models import CoachProfile, Directorate, Role, Team, User
from projects.models import APPROVED_STATUSES, Project, ProjectMember, ProjectStatus, led_or_started
from workspace.services import needing_attention, published_stories


@dataclass
class Panel:
    template: str
    title: str
    context: dict = field(default_factory=dict)
    width: int = 6
    html: str = ""  # the panel written out, by the view


def my_projects(user) -> Panel:
    """The first eight of the person's ideas and projects, drafts and returned ones first.

    The projects they lead or started and those whose team they are on are each asked for their first
    eight (both index walks), then merged: someone on hundreds of teams no longer sends the database a list
    of every project they are on, which cost more to build and plan than the page's other queries together.
    """
    led = (Project.objects.filter(led_or_started(user)).order_by("status", "-updated_at", "-pk")
           .values_list("pk", "status", "updated_at")[:8])
    on_team = (ProjectMember.objects.filter(person=user, left_on__isnull=True)
               .order_by("project__status", "-project__updated_at", "-project_id")
               .values_list("project_id", "project__status", "project__updated_at")[:8])
    first = sorted({*led, *on_team}, key=lambda row: (row[1], -row[2].timestamp(), -row[0]))[:8]
    order = {pk: i for i, (pk, _, _) in enumerate(first)}
    projects = sorted(Project.objects.filter(pk__in=order).for_rows(), key=lambda p: order[p.pk])
    drafts = sum(1 for p in projects if p.status in (ProjectStatus.DRAFT, ProjectStatus.RETURNED))
    return Panel("home/_my_projects.html", "My ideas and projects",
                 {"projects": projects, "drafts": drafts, "can_submit": roles.can_submit_ideas(user)})


def overdue_actions(user) -> Panel | None:
    """The person's WalkRound and accreditation actions past their due date (one query), when there are any."""
    actions = list(overdue_actions_of(user)[:10])
    return Panel("home/_overdue_actions.html", "Your overdue actions", {"actions": actions}) if actions else None


def chair_meetings(user) -> Panel:
    directorate_ids = roles.directorates_with_role(user, Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR)
    today = timezone.localdate()
    meetings = []
    for forum in Forum.objects.filter(directorate_id__in=directorate_ids).select_related("directorate"):
        ensure_next_meeting(forum, today)
    upcoming = (Meeting.objects.filter(forum__directorate_id__in=directorate_ids, date__gte=today)
                .select_related("forum").order_by("forum_id", "date")
                .annotate(waiting=Count("items", filter=Q(items__decision__isnull=True,
                                                          items__project__status=ProjectStatus.SUBMITTED))))
    seen = set()
    for meeting in upcoming:
        if meeting.forum_id not in seen:
            seen.add(meeting.forum_id)
            meetings.append(meeting)
    return Panel("home/_chair.html", "Your QI forum", {"meetings": meetings})


def _flag_attention(projects: list[Project]) -> list[Project]:
    """Mark the projects whose progress is stale (one query for the lot), those first."""
    stale = set(needing_attention(Project.objects.filter(pk__in=[p.pk for p in projects]), timezone.localdate())
                .values_list("pk", flat=True))
    for project in projects:
        project.needs_attention = project.pk in stale
    return sorted(projects, key=lambda p: not p.needs_attention)


def coach_load(user) -> Panel:
    profile = CoachProfile.objects.filter(user=user).select_related("supervisor").first()
    # The panel shows each project's title and team: not the whole rows the coaching page reads.
    teams = _flag_attention(list(coaching.teams_coached_by(user).select_related(None).select_related("team")
                                 .only("title", "team__name")))
    return Panel("home/_coach.html", "Your coaching", {"profile": profile, "teams": teams})


def sponsored(user) -> Panel:
    projects = _flag_attention(list(Project.objects.active().filter(sponsor=user).for_rows()[:10]))
    return Panel("home/_sponsor.html", "Projects you sponsor", {"projects": projects})


def stories(user) -> Panel | None:
    """The two newest published stories, the same for everyone: one query down an index."""
    chosen = published_stories(2)
    return Panel("home/_stories.html", "Stories of improvement", {"stories": chosen}, width=12) if chosen else None


def advisor(user) -> Panel:
    """How many coaches the IA supervises and how many are full, and the first eight by name: remembered for
    a minute (labelled so), as an IA may supervise many coaches."""
    def compute() -> dict:
        supervised = coaching.active_coaches(CoachProfile.objects.filter(supervisor=user))
        counts = supervised.aggregate(n=Count("pk"), full=Count("pk", filter=coaching.AT_CAPACITY))
        loads = coaching.coach_loads(supervised, order_by=["user__display_name"], limit=8)
        return {"loads": loads, "count": counts["n"], "full": counts["full"]}

    return Panel("home/_advisor.html", "Coaches you supervise", figures(f"home-advisor-{user.pk}", compute))


def _pipeline_figures() -> dict:
    counts = dict(Project.objects.values_list("status").annotate(n=Count("pk")).order_by())
    approved = Project.objects.filter(status__in=APPROVED_STATUSES)
    aligned = approved.filter(
        Q(Exists(Project.objects.model.objectives.through.objects.filter(project_id=OuterRef("pk"))))
        | Q(Exists(Project.objects.model.priorities.through.objects.filter(project_id=OuterRef("pk"))))
    )
    n_approved, n_aligned = approved.count(), aligned.count()
    return {
        "stages": [(value, label, counts.get(value, 0)) for value, label in ProjectStatus.choices],
        "approved": n_approved, "aligned": n_aligned,
        "aligned_pct": round(100 * n_aligned / n_approved) if n_approved else None,
    }


def pipeline(user) -> Panel:
    """Counted across the whole portfolio, so remembered for a minute rather than counted on every view."""
    # Each count opens the list it counts; drafts only for the QI department, the one role that sees them all.
    # The key names the figures' shape (status, label, count): the previous release cached (label, count)
    # under "home-pipeline", which a worker still running it during a deploy may keep writing.
    counted = figures("home-pipeline-by-status", _pipeline_figures)
    sees_drafts = roles.is_qi_admin(user)
    stages = [(status, label, n, status != ProjectStatus.DRAFT or sees_drafts)
              for status, label, n in counted["stages"]]
    return Panel("home/_pipeline.html", "The QI pipeline", {**counted, "stages": stages})


def organisation_counts() -> dict:
    return figures("home-organisation", lambda: {
        "directorates": Directorate.objects.count(),
        "teams": Team.objects.filter(active=True).count(),
        "people": User.objects.filter(is_active=True).count(),
    })


def panels_for(user) -> list[Panel]:
    panels = [my_projects(user)]
    overdue = overdue_actions(user)
    if overdue:
        panels.append(overdue)
    if roles.is_forum_chair(user):
        panels.append(chair_meetings(user))
    if roles.is_coach(user):
        panels.append(coach_load(user))
    if roles.is_sponsor(user):
        panels.append(sponsored(user))
    if roles.is_improvement_advisor(user):
        panels.append(advisor(user))
    if roles.is_qi_admin(user) or roles.is_board_member(user):
        panels.append(pipeline(user))
    story_panel = stories(user)
    if story_panel:
        panels.append(story_panel)
    return panels
