"""Enrolment, attendance and completion, and the dosing plan's figures: trained against needed.

Completion is never typed: `refresh_completion` reads the course's rule (sessions attended, project
presented) against what was recorded, and every change to attendance or presentation calls it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone

from coaching.services import add_to_pool
from notifications.services import notify
from ops.bulk import insert_rows, update_rows
from organisation.models import CoachProfile, Directorate, Role, RoleAssignment, StaffGroup, User
from organisation.rules import has_role
from projects.models import Project

from .models import (
    Attendance,
    Audience,
    CoachProposal,
    Cohort,
    Course,
    DoseTarget,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    ProposalOutcome,
    Route,
    Session,
    leaver_q,
)

Kind = EnrolmentEvent.Kind


class EnrolmentError(ValueError):
    """Why this person cannot be enrolled (or moved); the message is for the person."""


# Callbacks run when a person completes a course: (enrolment, by). Upper apps may register here.
_on_completed: list = []


def on_completed(callback) -> None:
    if callback not in _on_completed:
        _on_completed.append(callback)


def _event(enrolment: Enrolment, kind: str, by=None, note: str = "") -> EnrolmentEvent:
    return EnrolmentEvent.objects.create(enrolment=enrolment, kind=kind, by=by, note=note[:300])


PLACE_KIND = "training_place"


def _tell_place(enrolment: Enrolment, event: EnrolmentEvent, text: str) -> None:
    """The person hears of a place given to them by someone else, or of a place come free (once per event)."""
    notify([enrolment.person_id], kind=PLACE_KIND, key=f"training-place-{event.pk}", text=text,
           url=reverse("capability:mine"))


def has_completed(person, course: Course) -> bool:
    return Enrolment.objects.completed().filter(person=person, cohort__course=course).exists()


def enrol(cohort: Cohort, person: User, *, by=None, route: str = Route.SELF) -> Enrolment:
    """Give the person a place on the cohort, or a place on its waiting list when it is full."""
    with transaction.atomic():
        # Locked: two people taking the last place at once must not both get it.
        cohort = Cohort.objects.select_for_update().select_related("course").get(pk=cohort.pk)
        if not cohort.open_for_enrolment or not cohort.course.active:
            raise EnrolmentError(f"{cohort} is not open for enrolment.")
        if not person.is_active or (person.left_on and person.left_on <= timezone.localdate()):
            raise EnrolmentError(f"{person.name} has left the organisation.")
        existing = Enrolment.objects.filter(cohort=cohort, person=person).first()
        if existing and existing.status != EnrolmentStatus.WITHDRAWN:
            raise EnrolmentError(f"{person.name} is already on {cohort.name} "
                                 f"({existing.get_status_display().lower()}).")
        original = cohort.course.refresher_of
        if original is not None and not has_completed(person, original):
            raise EnrolmentError(f"{cohort.course} is a refresher for people who completed {original}.")
        full = Enrolment.objects.placed().filter(cohort=cohort).count() >= cohort.capacity
        status = EnrolmentStatus.WAITING if full else EnrolmentStatus.ENROLLED
        if existing:
            existing.status, existing.route, existing.nominated_by = status, route, by if by != person else None
            existing.created_at = timezone.now()  # back of the queue
            existing.save(update_fields=["status", "route", "nominated_by", "created_at"])
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(cohort=cohort, person=person, route=route, status=status,
                                                 nominated_by=by if by is not None and by != person else None)
        event = _event(enrolment, Kind.WAITING if full else Kind.ENROLLED, by, Route(route).label)
        if enrolment.nominated_by_id:
            where = "on the waiting list for" if full else "a place on"
            _tell_place(enrolment, event, f"{by.name} nominated you: you have {where} {cohort.course} – "
                                          f"{cohort.name}.")
    return enrolment


def withdraw(enrolment: Enrolment, *, by=None, reason: str = "") -> Enrolment | None:
    """Take the person off the cohort; the first on the waiting list gets the place. Returns who did."""
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            return None
        had_place = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status"])
        _event(enrolment, Kind.WITHDRAWN, by, reason)
        if not had_place:
            return None
        return _promote_first_waiting(enrolment.cohort, by)


def _promote_first_waiting(cohort: Cohort, by) -> Enrolment | None:
    if Enrolment.objects.placed().filter(cohort=cohort).count() >= cohort.capacity:
        return None
    first = (Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITING)
             .order_by("created_at", "pk").select_related("person").first())
    if first is None:
        return None
    first.status = EnrolmentStatus.ENROLLED
    first.save(update_fields=["status"])
    event = _event(first, Kind.PROMOTED, by)
    _tell_place(first, event, f"A place came free: you are off the waiting list and on {cohort.course} – "
                              f"{cohort.name}.")
    return first


def set_capacity(cohort: Cohort, capacity: int, *, by=None) -> list[Enrolment]:
    """Change the number of places; new places go to the waiting list in order."""
    promoted = []
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        cohort.capacity = capacity
        cohort.save(update_fields=["capacity"])
        while (nxt := _promote_first_waiting(cohort, by)) is not None:
            promoted.append(nxt)
    return promoted


def is_aligned(project: Project) -> bool:
    return project.priorities.exists() or project.objectives.exists()


def link_project(enrolment: Enrolment, project: Project | None, *, not_aligned_reason: str = "",
                 by=None) -> None:
    """The project a participant brings. Like an idea, it is aligned to a priority or says why not."""
    reason = not_aligned_reason.strip()
    if project is not None and not is_aligned(project) and not reason:
        raise EnrolmentError(f"“{project.title}” is not aligned to a strategic objective or annual priority: "
                             "say why it matters all the same.")
    enrolment.project = project
    enrolment.not_aligned_reason = "" if project is None or is_aligned(project) else reason
    enrolment.save(update_fields=["project", "not_aligned_reason"])
    _event(enrolment, Kind.PROJECT, by, project.title if project else "No project")


def mark_presented(enrolment: Enrolment, on: dt.date | None, *, by=None) -> None:
    enrolment.presented_on = on
    enrolment.save(update_fields=["presented_on"])
    if on:
        _event(enrolment, Kind.PRESENTED, by, f"{on:%-d %B %Y}")
    refresh_completion([enrolment.pk], by=by)


def record_attendance(cohort: Cohort, marks: dict[tuple[int, int], bool], *, by=None,
                      imported: bool = False) -> int:
    """Attendance for (enrolment id, session id) pairs of one cohort. Only what changed is written;
    returns how many marks changed. Completion follows."""
    enrolment_ids = set(Enrolment.objects.filter(cohort=cohort).values_list("pk", flat=True))
    session_ids = set(Session.objects.filter(cohort=cohort).values_list("pk", flat=True))
    marks = {k: v for k, v in marks.items() if k[0] in enrolment_ids and k[1] in session_ids}
    return write_marks(marks, by=by, imported=imported)


def write_marks(marks: dict[tuple[int, int], bool], *, by=None, imported: bool = False) -> int:
    if not marks:
        return 0
    now = timezone.now()
    with transaction.atomic():
        # Tuples, not model rows: an import compares tens of thousands of marks and changes few.
        current = {(e, s): (pk, attended) for pk, e, s, attended in Attendance.objects.filter(
            enrolment_id__in={e for e, _ in marks}, session_id__in={s for _, s in marks})
            .values_list("pk", "enrolment_id", "session_id", "attended")}
        new, changed, touched = [], {True: [], False: []}, set()
        for (enrolment_id, session_id), attended in marks.items():
            row = current.get((enrolment_id, session_id))
            if row is None:
                new.append((enrolment_id, session_id, attended))
            elif row[1] != attended:
                changed[attended].append(row[0])
            else:
                continue
            touched.add(enrolment_id)
        insert_rows(Attendance, ("enrolment_id", "session_id", "attended"), new,
                    recorded_by=by.pk if by else None, recorded_at=now, imported=imported)
        # One UPDATE for the marks that became "attended" and one for "absent", not a CASE over each row.
        for attended, pks in changed.items():
            update_rows(Attendance, pks, attended=attended, recorded_by=by, recorded_at=now, imported=imported)
        refresh_completion(touched, by=by)
    return len(new) + len(changed[True]) + len(changed[False])


def record_events(items: Iterable[tuple[int, str]], *, by=None, note: str = "") -> None:
    """History rows for many enrolments at once (an import)."""
    insert_rows(EnrolmentEvent, ("enrolment_id", "kind"), items, by=by.pk if by else None, note=note[:300])


def completion_date(attended_dates: list[dt.date], min_sessions: int, requires_project: bool,
                    presented_on: dt.date | None) -> dt.date | None:
    """The day the rule was met: the session that made the number attended enough (and the presentation,
    when the course asks for one, whichever came later); None while it is not met."""
    dates = sorted(attended_dates)
    if len(dates) < min_sessions or (requires_project and presented_on is None):
        return None
    met = dates[min_sessions - 1]
    return max(met, presented_on) if requires_project else met


def refresh_completion(enrolment_ids: Iterable[int], *, by=None) -> list[Enrolment]:
    """Work out completion for these enrolments from their course's rule; returns those newly completed."""
    ids = list(set(enrolment_ids))
    if not ids:
        return []
    attended = defaultdict(list)
    for enrolment_id, day in (Attendance.objects.filter(enrolment_id__in=ids, attended=True)
                              .values_list("enrolment_id", "session__date")):
        attended[enrolment_id].append(day)
    # The rule's inputs as tuples (an import refreshes thousands); model rows only for who newly completed.
    rows = Enrolment.objects.filter(pk__in=ids).values_list(
        "pk", "status", "presented_on", "completed_on", "cohort__course__min_sessions",
        "cohort__course__requires_project")
    by_date, events, completed_ids = defaultdict(list), [], []
    for pk, status, presented_on, completed_on, min_sessions, requires_project in rows:
        when = completion_date(attended[pk], min_sessions, requires_project, presented_on)
        when = when if status == EnrolmentStatus.ENROLLED else None
        if when == completed_on:
            continue
        if when and not completed_on:
            events.append((pk, Kind.COMPLETED, f"{when:%-d %B %Y}"))
            completed_ids.append(pk)
        elif not when:
            events.append((pk, Kind.UNCOMPLETED, ""))
        # One UPDATE per completion date rather than bulk_update's CASE over every row: an import completes
        # thousands of people on a handful of session dates.
        by_date[when].append(pk)
    for day, pks in by_date.items():
        update_rows(Enrolment, pks, completed_on=day)
    insert_rows(EnrolmentEvent, ("enrolment_id", "kind", "note"), events, by=by.pk if by else None)
    # The person is read by a callback only when it needs them (a coach graduate), not for every row.
    completed = list(Enrolment.objects.filter(pk__in=completed_ids).select_related("cohort__course")
                     .order_by("pk")) if completed_ids else []
    for e in completed:
        for callback in _on_completed:
            callback(e, by=by)
    return completed


# ---- a person's record -------------------------------------------------------------------------------


def training_record(person: User) -> list[Enrolment]:
    return list(Enrolment.objects.filter(person=person).exclude(status=EnrolmentStatus.WITHDRAWN)
                .select_related("cohort__course", "project").order_by("-created_at"))


def trained_in(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each person's completed courses by name (one query), e.g. for a project team."""
    courses = defaultdict(list)
    for person_id, name in (Enrolment.objects.completed().filter(person_id__in=list(person_ids))
                            .values_list("person_id", "cohort__course__name").distinct()
                            .order_by("person_id", "cohort__course__name")):
        courses[person_id].append(name)
    return dict(courses)


# ---- trained against needed ---------------------------------------------------------------------------


@dataclass
class TargetRow:
    target: DoseTarget
    audience_size: int
    trained: int

    @property
    def needed(self) -> int:
        return self.target.needed(self.audience_size)

    @property
    def gap(self) -> int:
        return max(self.needed - self.trained, 0)

    @property
    def share(self) -> float | None:
        return self.trained / self.needed if self.needed else None


@dataclass
class Breakdown:
    """Trained staff (not partners, not leavers) per course by a grouping, with the headcount in post."""

    label: str
    groups: list[tuple[object, str]]  # (key, name)
    courses: list[Course]
    trained: dict[tuple[object, int], int]
    headcount: dict[object, int]

    def rows(self) -> list[dict]:
        return [{"name": name, "headcount": self.headcount.get(key, 0),
                 "cells": [self.trained.get((key, c.pk), 0) for c in self.courses]}
                for key, name in self.groups if self.headcount.get(key, 0) or any(
                    self.trained.get((key, c.pk)) for c in self.courses)]


@dataclass
class Dashboard:
    year: int
    years: list[int]
    staff: list[TargetRow] = field(default_factory=list)
    partners: list[TargetRow] = field(default_factory=list)
    by_directorate: Breakdown | None = None
    by_staff_group: Breakdown | None = None
    cumulative: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # course id -> [(year, total)]
    courses: list[Course] = field(default_factory=list)
    partners_trained: dict[int, int] = field(default_factory=dict)  # course id -> partners trained


def plan_years() -> list[int]:
    return sorted(DoseTarget.objects.order_by("year").values_list("year", flat=True).distinct())


def target_rows(year: int, today: dt.date) -> list[TargetRow]:
    """Each of the year's dosing targets with its audience's size and who is trained to date (four queries)."""
    targets = list(DoseTarget.objects.filter(year=year).select_related("audience", "course"))
    audiences = {t.audience_id: t.audience for t in targets}
    audience_directorates = defaultdict(list)
    for audience_id, directorate_id in Audience.directorates.through.objects.filter(
            audience_id__in=list(audiences)).values_list("audience_id", "directorate_id"):
        audience_directorates[audience_id].append(directorate_id)

    def member_q(audience: Audience, prefix: str = "") -> Q:
        return audience.member_q(prefix, directorate_ids=audience_directorates[audience.pk], today=today)

    sizes = User.objects.aggregate(**{f"a{a.pk}": Count("pk", filter=member_q(a)) for a in audiences.values()}) \
        if audiences else {}
    until = min(today, dt.date(year, 12, 31))
    trained = Enrolment.objects.completed().filter(completed_on__lte=until).aggregate(**{
        f"t{t.pk}": Count("person", distinct=True,
                          filter=Q(cohort__course_id=t.course_id) & member_q(t.audience, "person__"))
        for t in targets}) if targets else {}
    return [TargetRow(t, sizes.get(f"a{t.audience_id}") or 0, trained.get(f"t{t.pk}") or 0) for t in targets]


def default_year(years: list[int], today: dt.date) -> int:
    """This year's plan, else the latest year gone by, else the first year planned."""
    past = [y for y in years if y <= today.year]
    if not years or today.year in years:
        return today.year
    return max(past) if past else min(years)


def training_reach(as_of: dt.date) -> dict | None:
    """The board report's capability section: trained against needed on a day, as plain data (kept as it
    was when the report is published)."""
    years = plan_years()
    if not years:
        return None
    year = default_year(years, as_of)
    rows = target_rows(year, as_of)
    return {"year": year, "as_of": as_of.isoformat(), "rows": [
        {"audience": r.target.audience.name, "course": r.target.course.name, "partners": r.target.audience.partners,
         "audience_size": r.audience_size, "needed": r.needed, "trained": r.trained, "gap": r.gap}
        for r in rows]}


def dashboard(year: int | None = None, today: dt.date | None = None) -> Dashboard:
    """Every figure of the trained-against-needed dashboard in a fixed number of queries, whatever the
    number of people, audiences, courses or directorates."""
    today = today or timezone.localdate()
    years = plan_years()
    year = year or default_year(years, today)
    board = Dashboard(year=year, years=years)
    for row in target_rows(year, today):
        (board.partners if row.target.audience.partners else board.staff).append(row)

    board.courses = list(Course.objects.filter(targets__isnull=False).distinct().order_by("audience__order", "name"))
    course_ids = [c.pk for c in board.courses]
    staff_q = ~leaver_q("person__", today) & Q(person__external_organisation__isnull=True)
    completed = Enrolment.objects.completed().filter(cohort__course_id__in=course_ids)
    in_post = User.objects.filter(~leaver_q("", today), external_organisation__isnull=True)

    by_dir = {(d, c): n for d, c, n in completed.filter(staff_q).values_list(
        "person__directorate_id", "cohort__course_id").annotate(n=Count("person", distinct=True)).order_by()}
    heads = dict(in_post.values_list("directorate_id").annotate(n=Count("pk")).order_by())
    names = list(Directorate.objects.filter(pk__in=[k for k in heads if k]).values_list("pk", "name"))
    board.by_directorate = Breakdown("Directorate", names + [(None, "No directorate")], board.courses, by_dir, heads)

    by_group = {(g, c): n for g, c, n in completed.filter(staff_q).values_list(
        "person__staff_group", "cohort__course_id").annotate(n=Count("person", distinct=True)).order_by()}
    group_heads = dict(in_post.values_list("staff_group").annotate(n=Count("pk")).order_by())
    groups = [(g, label) for g, label in StaffGroup.choices if g] + [("", "Not recorded")]
    board.by_staff_group = Breakdown("Staff group", groups, board.courses, by_group, group_heads)

    # The cumulative chart counts the staff in post by the year they completed, so its last point is the
    # table's "trained to date" (leavers and partners are not in it).
    per_year = defaultdict(dict)
    for course_id, y, n in (completed.filter(staff_q).annotate(y=ExtractYear("completed_on"))
                            .values_list("cohort__course_id", "y")
                            .annotate(n=Count("person", distinct=True)).order_by()):
        per_year[course_id][y] = n
    all_years = sorted(y for y in {y for counts in per_year.values() for y in counts} | set(years) if y <= today.year)
    for course_id, counts in per_year.items():
        total, points = 0, []
        for y in all_years:
            total += counts.get(y, 0)
            points.append((y, total))
        board.cumulative[course_id] = points
    board.partners_trained = dict(completed.filter(~leaver_q("person__", today),
                                                   person__external_organisation__isnull=False)
                                  .values_list("cohort__course_id").annotate(n=Count("person", distinct=True))
                                  .order_by())
    return board


def cumulative_figure(board: Dashboard) -> dict:
    """A plain-dict Plotly figure: each course's graduates to date, year by year, with its target."""
    data = []
    for course in board.courses:
        points = board.cumulative.get(course.pk, [])
        data.append({"type": "scatter", "mode": "lines+markers", "name": course.name,
                     "x": [y for y, _ in points], "y": [n for _, n in points]})
    return {"data": data, "layout": {"title": {"text": "Trained to date, by year"},
                                     "xaxis": {"dtick": 1},
                                     "yaxis": {"title": {"text": "People trained (cumulative)"}, "rangemode": "tozero"},
                                     "legend": {"orientation": "h"}, "margin": {"t": 40, "r": 10}}}


# ---- courses and cohorts ----------------------------------------------------------------------------


def save_cohort(cohort: Cohort, *, session_dates: list[dt.date], facilitators: list[User]) -> Cohort:
    """Save a cohort with its session dates (numbered in order) and facilitators; the facilitators' coach
    loads (before and after) follow."""
    with transaction.atomic():
        before = set(cohort.facilitators.values_list("pk", flat=True)) if cohort.pk else set()
        cohort.save()
        existing = {s.number: s for s in Session.objects.filter(cohort=cohort)}
        for number, day in enumerate(session_dates, start=1):
            session = existing.get(number)
            if session is None:
                Session.objects.create(cohort=cohort, number=number, date=day)
            elif session.date != day:
                session.date = day
                session.save(update_fields=["date"])
        cohort.facilitators.set(facilitators)
        refresh_facilitation(before | {p.pk for p in facilitators})
    return cohort


def refresh_facilitation(user_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """Recount `CoachProfile.cohorts_facilitated` (running cohorts each coach facilitates) for these people,
    or for every coach: one UPDATE. Called when a cohort's dates or facilitators change, and nightly, since a
    cohort starts and finishes by the calendar, not by a write. coaching counts the figure in the load."""
    running = (Cohort.facilitators.through.objects
               .filter(user_id=OuterRef("user_id"), cohort__in=Cohort.objects.running(today))
               .order_by().values("user_id").annotate(n=Count("pk")).values("n"))
    profiles = CoachProfile.objects.all()
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=[pk for pk in user_ids if pk])
    return profiles.update(cohorts_facilitated=Coalesce(Subquery(running), 0))


def cohorts_with_places(cohorts):
    """Cohorts with `placed` and `waiting` counts and their first and last session dates."""
    return cohorts.annotate(
        placed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED), distinct=True),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING), distinct=True),
        starts=Min("session_set__date"), ends=Max("session_set__date"))


# ---- the coach pool -----------------------------------------------------------------------------------

PROPOSAL_KIND = "coach_proposal"


def propose_for_coach_pool(enrolment: Enrolment, by=None) -> CoachProposal | None:
    """Completing the coaching programme proposes the graduate for the coach pool (once), and tells the
    QI department. A person already coaching is simply marked trained."""
    if not enrolment.cohort.course.makes_coaches:
        return None
    person = enrolment.person
    profile = CoachProfile.objects.filter(user=person).first()
    if profile is not None and has_role(person, Role.COACH):
        if profile.trained_on is None:
            profile.trained_on = enrolment.completed_on
            profile.save(update_fields=["trained_on"])
        return None
    advisor = (enrolment.cohort.facilitators.filter(role_assignments__role=Role.IMPROVEMENT_ADVISOR)
               .order_by("pk").first())
    proposal, created = CoachProposal.objects.get_or_create(
        enrolment=enrolment, defaults={"person": person, "suggested_supervisor": advisor})
    if created:
        admins = RoleAssignment.objects.filter(role=Role.QI_ADMIN).values_list("user_id", flat=True)
        notify(admins, kind=PROPOSAL_KIND, key=f"coach-proposal-{proposal.pk}",
               text=f"{person.name} completed {enrolment.cohort.course} and is proposed for the coach pool",
               url=reverse("capability:proposals"))
    return proposal


def decide_proposal(proposal: CoachProposal, *, by, add: bool, reason: str = "", hours_per_week=2,
                    max_teams: int = 2, supervisor=None) -> CoachProposal:
    with transaction.atomic():
        proposal = CoachProposal.objects.select_for_update().select_related("person", "enrolment").get(pk=proposal.pk)
        if proposal.outcome:
            raise EnrolmentError(f"The proposal of {proposal.person.name} was already decided.")
        if add:
            add_to_pool(proposal.person, hours_per_week=hours_per_week, max_teams=max_teams, supervisor=supervisor,
                        trained_on=proposal.enrolment.completed_on)
            refresh_facilitation([proposal.person_id])  # a new coach may be facilitating a cohort already
        proposal.outcome = ProposalOutcome.ADDED if add else ProposalOutcome.DECLINED
        proposal.decided_by, proposal.decided_at, proposal.reason = by, timezone.now(), reason[:300]
        proposal.save(update_fields=["outcome", "decided_by", "decided_at", "reason"])
    return proposal
