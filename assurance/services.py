"""WalkRounds: recording them, following up their actions, the schedule and coverage, and starting idea
drafts from what the team said."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from notifications.services import Notice, notify, notify_each
from organisation.models import Role, Team, User
from projects.models import Project
from projects.services import create_idea

from . import schedule
from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    IdeaLink,
    IdeaSource,
    PlannedWalkRound,
    WalkRound,
)

ACTION_ASSIGNED_KIND = "action_assigned"
ACTION_DUE_KIND = "action_due"
COVERAGE_DAYS = 365

# Every move an action's status may make; update_action refuses any other.
ALLOWED_ACTION_MOVES: dict[str, set[str]] = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED},
    ActionStatus.IN_PROGRESS: {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED},
    ActionStatus.DONE: {ActionStatus.OPEN},  # reopened: it was not done after all
    ActionStatus.DROPPED: {ActionStatus.OPEN},
}


class ActionError(Exception):
    """The action is not in a state that allows this change (often: someone else changed it first)."""


class PlanError(Exception):
    """The team already has a WalkRound planned."""


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: User
    due: dt.date


def executives():
    """The people who do WalkRounds: holders of the board role."""
    return (User.objects.filter(is_active=True, role_assignments__role=Role.BOARD).distinct()
            .order_by("display_name", "username"))


def record_walkround(*, team: Team, date: dt.date, executives: list[User], proud_of: str, working_to_improve: str,
                     getting_in_the_way: str, taking_care: str, actions: list[NewAction], by: User) -> WalkRound:
    """A WalkRound with its follow-up actions; the team's open plan (if any) becomes done, and each action's
    owner hears of their action."""
    with transaction.atomic():
        walkround = WalkRound.objects.create(
            team=team, date=date, proud_of=proud_of, working_to_improve=working_to_improve,
            getting_in_the_way=getting_in_the_way, taking_care=taking_care, recorded_by=by)
        walkround.executives.set(executives)
        for new in actions:
            add_action(walkround, new, by=by, tell=False)
        PlannedWalkRound.objects.filter(team=team, walkround__isnull=True).update(walkround=walkround)
        _tell_owners(walkround.actions.all())
    return walkround


def add_action(walkround: WalkRound, new: NewAction, *, by: User, tell: bool = True) -> Action:
    with transaction.atomic():
        action = Action.objects.create(team_id=walkround.team_id, walkround=walkround, description=new.description,
                                       owner=new.owner, due=new.due, created_by=by)
        ActionUpdate.objects.create(action=action, to_status=ActionStatus.OPEN, by=by, note="Action agreed")
        if tell:
            _tell_owners([action])
    return action


def add_assessment_action(assessment, new: NewAction, *, by: User) -> Action:
    """An action agreed from an accreditation's areas for improvement (shown on the team's huddle board)."""
    with transaction.atomic():
        action = Action.objects.create(team_id=assessment.team_id, assessment=assessment,
                                       description=new.description, owner=new.owner, due=new.due, created_by=by)
        ActionUpdate.objects.create(action=action, to_status=ActionStatus.OPEN, by=by, note="Action agreed")
        _tell_owners([action])
    return action


def _tell_owners(actions) -> None:
    notify_each([Notice(frozenset([a.owner_id]), f"A WalkRound action is yours, due {a.due:%-d %b %Y}: "
                        f"{a.description}", url=_action_url(a),
                        key=f"action-assigned-{a.pk}") for a in actions], kind=ACTION_ASSIGNED_KIND)


def update_action(action: Action, to_status: str, *, by: User, note: str = "", expected_from: str | None = None
                  ) -> Action:
    """Move an action to `to_status`, locked and recorded: two people closing it at once leave one update."""
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        current = locked.status
        if expected_from is not None and current != expected_from:
            raise ActionError(f"This action is now “{locked.get_status_display()}”; nothing was changed.")
        if to_status not in ALLOWED_ACTION_MOVES.get(current, set()):
            raise ActionError(f"An action that is “{locked.get_status_display()}” cannot become "
                              f"“{ActionStatus(to_status).label}”.")
        locked.status = to_status
        locked.closed_on = None if to_status in OPEN_ACTION_STATUSES else timezone.localdate()
        locked.save(update_fields=["status", "closed_on"])
        ActionUpdate.objects.create(action=locked, from_status=current, to_status=to_status, note=note[:300], by=by)
    return locked


def overdue_actions_of(user: User, today: dt.date | None = None):
    return (Action.objects.overdue(today).filter(owner=user).select_related("team", "walkround")
            .order_by("due", "pk"))


def _action_url(action: Action) -> str:
    if action.walkround_id:
        return reverse("assurance:walkround", args=[action.walkround_id])
    if action.assessment_id:
        return reverse("assurance:assessment", args=[action.assessment_id])
    return reverse("assurance:index")


def tell_overdue(today: dt.date | None = None) -> int:
    """The daily run: each owner hears once that an action of theirs has passed its due date (once per due
    date, so moving the date and missing it again is told again). Safe to run twice."""
    today = today or timezone.localdate()
    overdue = Action.objects.overdue(today).only("pk", "owner_id", "due", "description", "walkround_id")
    return notify_each([
        Notice(frozenset([a.owner_id]), f"Overdue since {a.due:%-d %b %Y}: {a.description}",
               url=_action_url(a),
               key=f"action-due-{a.pk}-{a.due:%Y%m%d}")
        for a in overdue.iterator(chunk_size=1000)], kind=ACTION_DUE_KIND)


# The schedule


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _unplanned_candidates() -> list[schedule.Candidate]:
    planned = PlannedWalkRound.objects.filter(walkround__isnull=True).values("team_id")
    rows = (Team.objects.filter(active=True).exclude(pk__in=planned).annotate(last=Max("walkrounds__date"))
            .values_list("pk", "directorate_id", "last", "name"))
    return [schedule.Candidate(*row) for row in rows]


@dataclass
class Proposal:
    executive: User
    teams: list[tuple[Team, dt.date | None]] = field(default_factory=list)
    planned: list[PlannedWalkRound] = field(default_factory=list)


def proposals(per_executive: int = 4, *, only: User | None = None) -> list[Proposal]:
    """Each executive's planned visits and the next teams the schedule proposes to them (four queries)."""
    people = list(executives())
    dealt = schedule.propose(_unplanned_candidates(), [p.pk for p in people], per_executive)
    chosen = {c.team_id for cs in dealt.values() for c in cs}
    teams = Team.objects.select_related("directorate").in_bulk(chosen)
    planned = defaultdict(list)
    for plan in (PlannedWalkRound.objects.filter(walkround__isnull=True, executive__in=people)
                 .select_related("team", "team__directorate").order_by("week_of", "pk")):
        planned[plan.executive_id].append(plan)
    out = [Proposal(p, [(teams[c.team_id], c.last_visit) for c in dealt[p.pk]], planned[p.pk]) for p in people]
    return [p for p in out if only is None or p.executive.pk == only.pk]


def plan_walkround(*, executive: User, team: Team, week_of: dt.date, by: User) -> PlannedWalkRound:
    try:
        with transaction.atomic():
            return PlannedWalkRound.objects.create(executive=executive, team=team, week_of=monday(week_of),
                                                   planned_by=by)
    except IntegrityError as error:
        raise PlanError(f"{team} already has a WalkRound planned; record it or cancel that plan first.") from error


def cancel_plan(plan: PlannedWalkRound) -> None:
    PlannedWalkRound.objects.filter(pk=plan.pk, walkround__isnull=True).delete()


# Coverage


@dataclass
class Coverage:
    directorate_id: int
    directorate: str
    teams: int = 0
    visited: int = 0
    never: list[tuple[int, str]] = field(default_factory=list)
    lapsed: list[tuple[int, str, dt.date]] = field(default_factory=list)

    @property
    def visited_pct(self) -> int:
        return round(100 * self.visited / self.teams) if self.teams else 0


def coverage(today: dt.date | None = None) -> list[Coverage]:
    """Teams visited in the last 12 months, never visited, and visited longer ago, by directorate (one query)."""
    since = (today or timezone.localdate()) - dt.timedelta(days=COVERAGE_DAYS)
    rows = (Team.objects.filter(active=True).annotate(last=Max("walkrounds__date"))
            .values_list("directorate_id", "directorate__name", "pk", "name", "last")
            .order_by("directorate__name", "name"))
    out: dict[int, Coverage] = {}
    for directorate_id, directorate, pk, name, last in rows:
        row = out.setdefault(directorate_id, Coverage(directorate_id, directorate))
        row.teams += 1
        if last is None:
            row.never.append((pk, name))
        elif last >= since:
            row.visited += 1
        else:
            row.lapsed.append((pk, name, last))
    return list(out.values())


# Assurance feeding improvement


def start_idea(walkround: WalkRound, *, source: str, lead: User, by: User) -> Project:
    """A draft idea for the team, prefilled from what it said at the WalkRound; the team still shapes and
    submits it. Linked back so the WalkRound shows what became of it."""
    text = walkround.working_to_improve if source == IdeaSource.IMPROVEMENT else walkround.getting_in_the_way
    names = ", ".join(e.name for e in walkround.executives.all())
    first_line = text.strip().splitlines()[0] if text.strip() else "An idea from a WalkRound"
    title = first_line if len(first_line) <= 120 else first_line[:117].rsplit(" ", 1)[0] + "…"
    with transaction.atomic():
        project = create_idea(
            created_by=by, lead=lead, team=walkround.team, title=title, problem=text,
            why_it_matters=f"The team raised this at an executive WalkRound on {walkround.date:%-d %B %Y}"
                           f"{' with ' + names if names else ''}.",
            aim_what="", aim_how_much="")
        IdeaLink.objects.create(project=project, walkround=walkround, source=source, created_by=by)
    if lead.pk != by.pk:
        notify([lead.pk], kind=ACTION_ASSIGNED_KIND, text=f"An idea draft from a WalkRound is yours to lead: {title}",
               url=project.get_absolute_url(), key=f"walkround-idea-{project.pk}")
    return project
