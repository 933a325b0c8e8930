"""Coach capacity, suggestions and allocation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.template.defaultfilters import pluralize
from django.utils import timezone

from notifications import services as notices
from ops.cache import figures
from ops.mail import render
from organisation.models import CoachProfile, Directorate, Role, RoleAssignment
from projects.models import EventKind, Project, ProjectStatus
from projects.services import record_event

from .models import Allocation, AllocationKind, Supervision

User = get_user_model()
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)
# Supervision is monthly; a little slack before it shows as due.
SUPERVISION_INTERVAL_DAYS = 35
# Facilitating a running cohort of a course counts as coaching this many teams. A coach gives 2–4 hours a
# week to one or two teams, about two hours a week a team; a cohort is a facilitation day a month (the
# Improvement Leaders' Programme: one day a month for five months) with its preparation, about eight to ten
# hours a month, which is the same two hours a week. The capability app keeps the count of running cohorts
# (CoachProfile.cohorts_facilitated); docs/capability.md explains the rule.
TEAMS_PER_COHORT_FACILITATED = 1


class CapacityError(Exception):
    """A coach at capacity was chosen without a written reason."""


@dataclass(frozen=True)
class CoachLoad:
    coach: object
    profile: CoachProfile
    teams: int
    same_directorate: bool = False

    @property
    def cohorts(self) -> int:
        """Running cohorts of a course the coach facilitates now."""
        return self.profile.cohorts_facilitated

    @property
    def cohort_teams(self) -> int:
        """The teams that facilitation counts as."""
        return self.cohorts * TEAMS_PER_COHORT_FACILITATED

    @property
    def load(self) -> int:
        """Teams coached plus the team-equivalents of facilitation, against `profile.max_teams`."""
        return self.teams + self.cohort_teams

    @property
    def spare(self) -> int:
        return self.profile.max_teams - self.load

    @property
    def at_capacity(self) -> bool:
        return self.spare <= 0

    @property
    def facilitation(self) -> str:
        """e.g. "facilitates 1 running cohort, counted as 1 team"; empty when the coach facilitates none."""
        if not self.cohorts:
            return ""
        return (f"facilitates {self.cohorts} running cohort{pluralize(self.cohorts)}, counted as "
                f"{self.cohort_teams} team{pluralize(self.cohort_teams)}")

    @property
    def teams_text(self) -> str:
        """What a choice of coach shows of the load: "1 of 2 teams", "1 of 2 teams + 1 cohort facilitated"."""
        text = f"{self.teams} of {self.profile.max_teams} teams"
        return text + (f" + {self.cohorts} cohort{pluralize(self.cohorts)} facilitated" if self.cohorts else "")

    @property
    def hours(self) -> Decimal:
        return self.profile.hours_per_week


# A coach's load in team-equivalents from the profile's kept counts: teams coached and cohorts facilitated.
LOAD = F("current_teams") + F("cohorts_facilitated") * Value(TEAMS_PER_COHORT_FACILITATED)
# Coaches taking teams with a place free, and coaches at capacity, by their kept counts.
TAKING_TEAMS = Q(LessThan(LOAD, F("max_teams")), accepting_teams=True)
AT_CAPACITY = Q(GreaterThanOrEqual(LOAD, F("max_teams")))


def active_coaches(profiles=None):
    """The profiles (all, or those given) of active people who hold the coach role. A semi-join rather than
    a join + DISTINCT: DISTINCT over these wide rows cost seconds at 4,000 coaches."""
    coaches = RoleAssignment.objects.filter(role=Role.COACH).values("user_id")
    profiles = profiles if profiles is not None else CoachProfile.objects.all()
    return profiles.filter(user__is_active=True, user_id__in=coaches)


def coach_loads(profiles=None, *, order_by=None, limit: int | None = None, narrow: bool = False) -> list[CoachLoad]:
    """Coaches with their current load, in one query: the load is the profile's kept count. `narrow` reads only
    what a choice of coach shows (name, team, directorate, capacity), not whole rows and the supervisor."""
    qs = active_coaches(profiles).select_related("user", "user__directorate", "user__team")
    qs = qs.only(*_SUGGESTION_FIELDS) if narrow else qs.select_related("supervisor")
    if order_by:
        qs = qs.order_by(*order_by)
    if limit is not None:
        qs = qs[:limit]
    return [CoachLoad(p.user, p, p.current_teams) for p in qs]


def refresh_loads(user_ids=None) -> int:
    """Recount `CoachProfile.current_teams` (running projects coached now) for these coaches, or for all:
    one UPDATE. Called when an allocation or a project's status changes, and nightly to heal any drift."""
    running = (Allocation.objects.current()
               .filter(kind=AllocationKind.COACH, project__status__in=RUNNING, person_id=OuterRef("user_id"))
               .order_by().values("person_id").annotate(n=Count("pk")).values("n"))
    profiles = CoachProfile.objects.all()
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=[pk for pk in user_ids if pk])
    return profiles.update(current_teams=Coalesce(Subquery(running), 0))


def _status_changed(project: Project, *, from_status: str, to_status: str) -> None:
    if (from_status in RUNNING) != (to_status in RUNNING):
        refresh_loads(Allocation.objects.current().filter(project=project, kind=AllocationKind.COACH)
                      .values_list("person_id", flat=True))


SUGGEST_FROM_ELSEWHERE = 10
# What a coach suggestion shows: name, team, directorate, teams against maximum, hours.
_SUGGESTION_FIELDS = ("max_teams", "hours_per_week", "accepting_teams", "current_teams", "cohorts_facilitated",
                      "trained_on",
                      "user__is_active", "user__directorate__name", "user__team__name",
                      *(f"user__{f}" for f in User.NAME_FIELDS))
_RANKED = 4 * SUGGEST_FROM_ELSEWHERE  # how many of the roomiest coaches are remembered
_ROOMIEST = [LOAD - F("max_teams"), "-hours_per_week", "user__display_name"]


def _roomiest_coach_ids() -> list[int]:
    """The `_RANKED` profiles with the most spare places trust-wide, best first. Ranking them reads every coach
    (20 ms at 3,750 coaches), and every decision form asks, so the ranking is remembered for a minute; the
    loads shown are read fresh by the caller."""
    def compute() -> dict:
        roomy = active_coaches(CoachProfile.objects.filter(TAKING_TEAMS))
        return {"ids": list(roomy.order_by(*_ROOMIEST).values_list("pk", flat=True)[:_RANKED])}

    return figures("coach-roomiest", compute)["ids"]


def suggest_coaches(directorate_id: int) -> list[CoachLoad]:
    """The directorate's own coaches first, then at most ten coaches from elsewhere with the most spare
    capacity; within each, those who completed the coaching programme before those who did not, then most
    spare places, then most hours a week. One query however many coaches
    (two when the remembered ranking runs short, as when most of it is this directorate's own)."""
    ranked = _roomiest_coach_ids()
    # "Coach's user in the directorate" as a subquery on the profile's own column: an OR across the join
    # would read every coach in the trust (6 ms at 3,750 coaches, against 2 ms).
    own_or_ranked = CoachProfile.objects.filter(
        Q(user_id__in=User.objects.filter(directorate_id=directorate_id).values("pk")) | Q(pk__in=ranked))
    loads = coach_loads(own_or_ranked, order_by=_ROOMIEST, narrow=True)
    own = [CoachLoad(c.coach, c.profile, c.teams, True) for c in loads if c.coach.directorate_id == directorate_id]
    # The ranking is a minute old: a coach in it may have filled up or stopped taking teams since.
    elsewhere = [c for c in loads if c.coach.directorate_id != directorate_id
                 and c.profile.accepting_teams and not c.at_capacity][:SUGGEST_FROM_ELSEWHERE]
    if len(elsewhere) < SUGGEST_FROM_ELSEWHERE and len(ranked) == _RANKED:
        others = CoachProfile.objects.exclude(user__directorate_id=directorate_id).filter(TAKING_TEAMS)
        elsewhere = coach_loads(others, order_by=_ROOMIEST, limit=SUGGEST_FROM_ELSEWHERE, narrow=True)
    loads = own + elsewhere
    loads.sort(key=lambda c: (not c.same_directorate, c.at_capacity, c.profile.trained_on is None, -c.spare,
                              -c.hours, c.coach.name))
    return loads


def add_to_pool(person, *, hours_per_week, max_teams: int, supervisor=None, trained_on=None) -> CoachProfile:
    """Make a person a QI coach: the coach role and a profile (kept when they already have one, with the
    date they completed the coaching programme added)."""
    with transaction.atomic():
        RoleAssignment.objects.get_or_create(user=person, role=Role.COACH, directorate=None)
        profile, created = CoachProfile.objects.get_or_create(
            user=person, defaults={"hours_per_week": hours_per_week, "max_teams": max_teams,
                                   "supervisor": supervisor, "trained_on": trained_on})
        if not created and trained_on and profile.trained_on != trained_on:
            profile.trained_on = trained_on
            profile.save(update_fields=["trained_on"])
    return profile


def sponsors_for(directorate_id: int):
    """Sponsors are senior managers holding the sponsor role in the project's directorate."""
    return (User.objects.filter(is_active=True, role_assignments__role=Role.SPONSOR,
                                role_assignments__directorate_id=directorate_id)
            .distinct().order_by("display_name"))


def advisors():
    return User.objects.filter(is_active=True, role_assignments__role=Role.IMPROVEMENT_ADVISOR).distinct()


def allocate(project: Project, *, by, reason: str, coach=None, sponsor=None, advisor=None,
             override_reason: str = "", notify: bool = True) -> list[Allocation]:
    """Give the project a coach, a sponsor and optionally an IA, ending whoever held each role.

    The coach's profile row is locked, so two chairs cannot both take a coach's last place.
    Runs inside the caller's transaction when there is one.
    """
    wanted = {AllocationKind.COACH: coach, AllocationKind.SPONSOR: sponsor, AllocationKind.ADVISOR: advisor}
    created: list[Allocation] = []
    today = timezone.localdate()
    with transaction.atomic():
        if coach is not None:
            profile = CoachProfile.objects.select_for_update().filter(user=coach).first()
            if profile is None:
                raise CapacityError(f"{coach} is not a QI coach.")
            teams = (Allocation.objects.current()
                     .filter(kind=AllocationKind.COACH, person=coach, project__status__in=RUNNING)
                     .exclude(project=project).count())
            load = CoachLoad(coach, profile, teams)
            if load.at_capacity and not override_reason.strip():
                also = f" and {load.facilitation}" if load.cohorts else ""
                raise CapacityError(
                    f"{coach} already coaches {teams} of a maximum of {profile.max_teams} teams{also}. "
                    "Choose another coach, or give a reason for the override.")
        current = {a.kind: a for a in Allocation.objects.current().select_for_update().filter(project=project)}
        changed_fields = {}
        coaches: set[int] = set()  # whose count of running projects this changes
        for kind, person in wanted.items():
            if person is None:
                continue
            old = current.get(kind)
            if old is not None and old.person_id == person.pk:
                continue
            if old is not None:
                old.ended_on = today
                old.ended_reason = reason
                old.save(update_fields=["ended_on", "ended_reason"])
            if kind == AllocationKind.COACH:
                coaches |= {person.pk, *([old.person_id] if old is not None else [])}
            created.append(Allocation.objects.create(
                project=project, kind=kind, person=person, started_on=today, reason=reason,
                capacity_override_reason=override_reason.strip() if kind == AllocationKind.COACH else "",
                allocated_by=by))
            changed_fields[kind.value] = person
        if changed_fields:
            Project.objects.filter(pk=project.pk).update(**changed_fields, updated_at=timezone.now())
            for field, person in changed_fields.items():
                setattr(project, field, person)
            names = ", ".join(f"{AllocationKind(k).label}: {p}" for k, p in changed_fields.items())
            detail = f"Capacity override: {override_reason.strip()}" if override_reason.strip() else ""
            record_event(project, kind=EventKind.ALLOCATION, by=by, summary=f"{names} ({reason})", detail=detail)
        refresh_loads(sorted(coaches))
        if notify:
            for allocation in created:
                _tell_allocated(allocation)
    return created


ALLOCATION_KIND = "allocation"


def _tell_allocated(allocation: Allocation) -> None:
    """The person allocated hears of it (by e-mail at once unless they chose otherwise)."""
    subject, body = render("coaching/email/allocated.txt", {"allocation": allocation})
    notices.notify([allocation.person_id], kind=ALLOCATION_KIND, text=subject, body=body,
                   url=allocation.project.get_absolute_url(), key=f"allocation:{allocation.pk}")


def end_allocations(project: Project, *, reason: str) -> None:
    current = Allocation.objects.current().filter(project=project)
    coaches = list(current.filter(kind=AllocationKind.COACH).values_list("person_id", flat=True))
    current.update(ended_on=timezone.localdate(), ended_reason=reason)
    refresh_loads(coaches)


def teams_coached_by(user):
    """The running projects the person coaches now, each with `coached_since` (the date their allocation began)."""
    since = (Allocation.objects.current().filter(project=OuterRef("pk"), kind=AllocationKind.COACH, person=user)
             .values("started_on")[:1])
    # A semi-join on the current allocations rather than a join + DISTINCT over whole project rows.
    coached = Allocation.objects.current().filter(person=user, kind=AllocationKind.COACH).values("project_id")
    return (Project.objects.filter(pk__in=coached, status__in=RUNNING)
            .select_related("team", "directorate", "lead", "sponsor")
            .annotate(coached_since=Subquery(since)).order_by("coached_since", "title"))


def last_supervision_date():
    """A subquery: the date of a coach's latest supervision, whoever gave it."""
    return Subquery(Supervision.objects.filter(coach=OuterRef("user_id")).order_by("-date").values("date")[:1])


def supervised_coaches(advisor) -> list[CoachLoad]:
    """The coaches an IA supervises, with their loads; each profile carries `last_supervised` (a date or None)."""
    profiles = CoachProfile.objects.filter(supervisor=advisor).annotate(last_supervised=last_supervision_date())
    return sorted(coach_loads(profiles), key=lambda c: c.coach.name)


def supervision_due(last_supervised: dt.date | None, today: dt.date | None = None) -> bool:
    """Supervision is monthly: due when there has been none, or none for more than a month."""
    today = today or timezone.localdate()
    return last_supervised is None or (today - last_supervised).days > SUPERVISION_INTERVAL_DAYS


@dataclass(frozen=True)
class DirectoratePool:
    """One directorate's coaches, for the QI department's view of who has room."""

    name: str
    loads: list[CoachLoad]
    coaches: int
    spare_places: int
    at_capacity: int


POOL_FILTERS = {"room": lambda c: not c.at_capacity, "full": lambda c: c.at_capacity}


def pool_totals() -> dict[str, Any]:
    """Coaches, spare places and coaches at capacity across the trust (one aggregate over the kept loads),
    remembered for a minute with the time they were counted."""
    def compute() -> dict[str, int]:
        totals = active_coaches().aggregate(
            coaches=Count("pk"),
            spare_places=Coalesce(Sum(Greatest(F("max_teams") - LOAD, Value(0))), 0),
            at_capacity=Count("pk", filter=AT_CAPACITY),
        )
        return {k: int(v or 0) for k, v in totals.items()}

    return figures("coach-pool-totals", compute)


def pool_summary(capacity: str = "", directorates=None) -> list[DirectoratePool]:
    """The coach pool by directorate (all, or the `directorates` given, e.g. one page of them). Counts are
    always of the whole directorate; `capacity` ("room" or "full") only narrows the coaches listed, so a
    directorate with nobody free still shows, empty. One query."""
    keep = POOL_FILTERS.get(capacity, lambda c: True)
    profiles = active_coaches()
    if directorates is not None:
        where = Q(user__directorate_id__in=[d.pk for d in directorates if d is not None])
        if None in directorates:
            where |= Q(user__directorate__isnull=True)
        profiles = profiles.filter(where)
    pool: dict = {}
    for load in sorted(coach_loads(profiles), key=lambda c: (c.coach.directorate.name if c.coach.directorate
                                                              else "~", c.coach.name)):
        key = load.coach.directorate.name if load.coach.directorate else "No directorate"
        pool.setdefault(key, []).append(load)
    summary = []
    for name, loads in pool.items():
        shown = [c for c in loads if keep(c)]
        summary.append(DirectoratePool(
            name=name, loads=shown, coaches=len(loads),
            spare_places=sum(max(c.spare, 0) for c in loads), at_capacity=sum(c.at_capacity for c in loads)))
    return summary


POOL_DIRECTORATES_PER_PAGE = 5


def pool_page(capacity: str = "", page_number=1):
    """One page of the pool: five directorates that have coaches, in name order (coaches with no directorate
    come on the last page). Returns the page of directorates and their summaries; a fixed number of queries."""
    # Which directorates have coaches (ids in name order) is remembered for a minute; the page's five
    # directorates and their coaches are read fresh.
    ids = figures("coach-pool-directorates", lambda: {"ids": list(
        Directorate.objects.filter(Exists(active_coaches().filter(user__directorate=OuterRef("pk"))))
        .order_by("name").values_list("pk", flat=True))})["ids"]
    page = Paginator(ids, POOL_DIRECTORATES_PER_PAGE).get_page(page_number)
    by_id = Directorate.objects.in_bulk(list(page.object_list))
    directorates = [by_id[pk] for pk in page.object_list if pk in by_id]
    if not page.has_next():
        directorates.append(None)
    return page, pool_summary(capacity, directorates)

