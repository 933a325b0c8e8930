"""Coach capacity, suggestions and allocation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from organisation.models import CoachProfile, Role, RoleAssignment
from projects.models import EventKind, Project, ProjectStatus
from projects.services import record_event

from .models import Allocation, AllocationKind, Supervision

User = get_user_model()
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)
# Supervision is monthly; a little slack before it shows as due.
SUPERVISION_INTERVAL_DAYS = 35


class CapacityError(Exception):
    """A coach at capacity was chosen without a written reason."""


@dataclass(frozen=True)
class CoachLoad:
    coach: object
    profile: CoachProfile
    teams: int
    same_directorate: bool = False

    @property
    def spare(self) -> int:
        return self.profile.max_teams - self.teams

    @property
    def at_capacity(self) -> bool:
        return self.spare <= 0

    @property
    def hours(self) -> Decimal:
        return self.profile.hours_per_week


def coach_loads(profiles=None) -> list[CoachLoad]:
    """Every coach with their current load, in two queries whatever the number of coaches.

    The loads come from one grouped count over current allocations rather than a correlated
    subquery per coach, which cost seconds for an Improvement Advisor supervising 1,000+ coaches.
    """
    qs = profiles if profiles is not None else CoachProfile.objects.all()
    # A semi-join rather than a join + DISTINCT: DISTINCT over these wide rows cost seconds at 4,000 coaches.
    coaches = RoleAssignment.objects.filter(role=Role.COACH).values("user_id")
    qs = (qs.filter(user__is_active=True, user_id__in=coaches)
          .select_related("user", "user__directorate", "user__team", "supervisor"))
    loads = dict(Allocation.objects.current()
                 .filter(kind=AllocationKind.COACH, project__status__in=RUNNING, person_id__in=qs.values("user_id"))
                 .values_list("person_id").annotate(n=Count("pk")).order_by())
    return [CoachLoad(p.user, p, loads.get(p.user_id, 0)) for p in qs]


def suggest_coaches(directorate_id: int) -> list[CoachLoad]:
    """Same directorate first, then most spare capacity, then most hours a week."""
    loads = [CoachLoad(c.coach, c.profile, c.teams, c.coach.directorate_id == directorate_id)
             for c in coach_loads()]
    loads.sort(key=lambda c: (not c.same_directorate, c.at_capacity, -c.spare, -c.hours, c.coach.name))
    return loads


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
    from .tasks import send_allocation_email

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
            if teams >= profile.max_teams and not override_reason.strip():
                raise CapacityError(
                    f"{coach} already coaches {teams} of a maximum of {profile.max_teams} teams. "
                    "Choose another coach, or give a reason for the override.")
        current = {a.kind: a for a in Allocation.objects.current().select_for_update().filter(project=project)}
        changed_fields = {}
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
        if notify:
            for allocation in created:
                transaction.on_commit(lambda pk=allocation.pk: send_allocation_email.delay(pk))
    return created


def end_allocations(project: Project, *, reason: str) -> None:
    Allocation.objects.current().filter(project=project).update(ended_on=timezone.localdate(), ended_reason=reason)


def teams_coached_by(user):
    """The running projects the person coaches now, each with `coached_since` (the date their allocation began)."""
    since = (Allocation.objects.current().filter(project=OuterRef("pk"), kind=AllocationKind.COACH, person=user)
             .values("started_on")[:1])
    return (Project.objects.filter(allocations__person=user, allocations__kind=AllocationKind.COACH,
                                   allocations__ended_on__isnull=True, status__in=RUNNING)
            .select_related("team", "directorate", "lead", "sponsor")
            .annotate(coached_since=Subquery(since)).distinct().order_by("coached_since", "title"))


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


def pool_summary(capacity: str = "") -> list[DirectoratePool]:
    """The coach pool by directorate. Counts are always of the whole directorate; `capacity` ("room" or
    "full") only narrows the coaches listed, so a directorate with nobody free still shows, empty."""
    keep = POOL_FILTERS.get(capacity, lambda c: True)
    summary = []
    for name, loads in pool_by_directorate().items():
        shown = [c for c in loads if keep(c)]
        summary.append(DirectoratePool(
            name=name, loads=shown, coaches=len(loads),
            spare_places=sum(max(c.spare, 0) for c in loads), at_capacity=sum(c.at_capacity for c in loads)))
    return summary


def pool_by_directorate() -> dict:
    pool: dict = {}
    for load in sorted(coach_loads(), key=lambda c: (c.coach.directorate.name if c.coach.directorate else "~",
                                                      c.coach.name)):
        key = load.coach.directorate.name if load.coach.directorate else "No directorate"
        pool.setdefault(key, []).append(load)
    return pool

