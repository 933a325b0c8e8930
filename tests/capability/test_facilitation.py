"""Facilitating a running cohort counts as coach time: in the coach's load, on the coaching pages and in
coach suggestions; a cohort not yet started or already finished does not."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from capability import services
from capability.models import Cohort
from coaching.services import (
    TEAMS_PER_COHORT_FACILITATED,
    CapacityError,
    allocate,
    coach_loads,
    pool_totals,
    suggest_coaches,
)
from ops.nightly import steps as nightly_steps
from organisation.models import CoachProfile, Role

from ..factories import CoachProfileFactory, UserFactory
from ..workflow import approved_project

pytestmark = pytest.mark.django_db


def plan(course, *, first: dt.date, facilitators, name="Wave 9") -> Cohort:
    """A cohort planned through the service, one session a month from `first`."""
    cohort = Cohort(course=course, name=name, capacity=20)
    dates = [first + dt.timedelta(days=28 * n) for n in range(course.sessions)]
    return services.save_cohort(cohort, session_dates=dates, facilitators=list(facilitators))


def running_since(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def load_of(user):
    [load] = coach_loads(CoachProfile.objects.filter(user=user))
    return load


def test_facilitating_a_running_cohort_raises_the_coach_load(ilp, coach, ward, chair, sponsor):
    approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    assert (load_of(coach).load, load_of(coach).spare) == (1, 1)
    plan(ilp, first=running_since(30), facilitators=[coach])  # second of five monthly sessions next
    load = load_of(coach)
    assert (load.teams, load.cohorts, load.load) == (1, 1, 1 + TEAMS_PER_COHORT_FACILITATED)
    assert load.spare == 1 - TEAMS_PER_COHORT_FACILITATED and load.at_capacity


def test_a_finished_or_not_yet_started_cohort_does_not_count(ilp, coach):
    plan(ilp, first=running_since(200), facilitators=[coach], name="Wave 7")  # last session 88 days ago
    plan(ilp, first=timezone.localdate() + dt.timedelta(days=10), facilitators=[coach], name="Wave 10")
    assert load_of(coach).cohorts == 0


def test_a_cohort_stops_counting_the_night_after_its_last_session(ilp, coach):
    cohort = plan(ilp, first=running_since(112), facilitators=[coach])  # the fifth session is today
    assert load_of(coach).cohorts == 1
    last = cohort.session_set.order_by("-date").first().date
    services.refresh_facilitation(today=last + dt.timedelta(days=1))
    assert load_of(coach).cohorts == 0
    # Written around the service (the admin, a bulk load): the nightly step puts it right.
    CoachProfile.objects.filter(user=coach).update(cohorts_facilitated=3)
    assert nightly_steps()["facilitation loads"]()["coaches"] >= 1
    assert load_of(coach).cohorts == 1


def test_changing_the_facilitators_moves_the_load(ilp, coach, make_person):
    other = make_person(roles=[Role.STAFF, Role.COACH])
    CoachProfileFactory(user=other, hours_per_week=2, max_teams=2)
    cohort = plan(ilp, first=running_since(30), facilitators=[coach])
    services.save_cohort(cohort, session_dates=[s.date for s in cohort.session_set.all()], facilitators=[other])
    assert (load_of(coach).cohorts, load_of(other).cohorts) == (0, 1)


def test_suggestions_rank_a_fully_loaded_facilitator_lower(ilp, directorate, ward):
    busy = UserFactory(team=ward, roles=[Role.STAFF, Role.COACH], display_name="Aisha Facilitator")
    CoachProfileFactory(user=busy, hours_per_week=4, max_teams=1)
    free = UserFactory(team=ward, roles=[Role.STAFF, Role.COACH], display_name="Zac Free")
    CoachProfileFactory(user=free, hours_per_week=2, max_teams=1)
    assert [c.coach for c in suggest_coaches(directorate.pk)] == [busy, free]  # more hours first
    plan(ilp, first=running_since(30), facilitators=[busy])
    loads = suggest_coaches(directorate.pk)
    assert [c.coach for c in loads] == [free, busy]
    assert loads[1].at_capacity and loads[1].teams == 0 and loads[1].cohorts == 1


def test_a_facilitator_at_capacity_needs_an_override_reason_to_coach(ilp, coach, ward, chair, sponsor, qiadmin,
                                                                      make_person):
    facilitator = make_person(roles=[Role.STAFF, Role.COACH])
    CoachProfileFactory(user=facilitator, hours_per_week=2, max_teams=1)
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    plan(ilp, first=running_since(30), facilitators=[facilitator])
    with pytest.raises(CapacityError, match="0 of a maximum of 1 teams and facilitates 1 running cohort, counted as 1"):
        allocate(project, by=qiadmin, reason="Rebalancing", coach=facilitator)
    allocate(project, by=qiadmin, reason="Rebalancing", coach=facilitator, override_reason="The cohort ends soon")
    assert (load_of(facilitator).load, load_of(coach).load) == (2, 0)


def test_the_pool_and_the_coach_page_show_facilitation_in_constant_queries(
        client, ilp, coach, ward, directorate, make_person, django_assert_max_num_queries):
    everyone = make_person(roles=[Role.STAFF, Role.COACH, Role.QI_ADMIN])
    CoachProfileFactory(user=everyone, hours_per_week=4, max_teams=2)
    client.force_login(everyone)
    with django_assert_max_num_queries(14) as before:
        html = client.get(reverse("coaching:index")).content.decode()
    assert 'data-testid="facilitation"' not in html
    spare_before = pool_totals()["spare_places"]

    for n in range(3):
        helper = make_person(roles=[Role.STAFF, Role.COACH])
        CoachProfileFactory(user=helper, hours_per_week=2, max_teams=2)
        plan(ilp, first=running_since(30), facilitators=[everyone, coach, helper], name=f"Wave {n}")
    from django.core.cache import cache

    cache.clear()  # the trust-wide totals are counted once a minute
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("coaching:index"))
    html = response.content.decode()
    assert response.context["my_load"].cohorts == 3 and response.context["my_load"].at_capacity
    assert "You also facilitate 3 running cohorts of a QI course, counted as 3 teams" in html
    rows = {c.coach: c for d in response.context["pool"] for c in d.loads}
    assert (rows[coach].cohorts, rows[coach].spare) == (3, -1)
    assert "+ 3 cohorts facilitated" in html and "+ 1 cohort facilitated" in html
    # Each new helper has one of two places left after their cohort; `coach` and `everyone` have none.
    assert (spare_before, response.context["pool_totals"]["spare_places"]) == (4, 3)
    assert response.context["pool_totals"]["at_capacity"] == 2
