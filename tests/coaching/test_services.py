"""Coach suggestions, loads, the pool summary and supervision timing."""

import datetime as dt

import pytest

from coaching.services import pool_summary, suggest_coaches, supervision_due, teams_coached_by
from projects.models import ProjectStatus
from projects.services import transition

from ..workflow import approved_project

pytestmark = pytest.mark.django_db


def test_suggest_coaches_same_directorate_first_then_spare_capacity_then_hours(
        directorate, other_directorate, make_coach, ward, chair, sponsor):
    near_busy = make_coach(hours=4, max_teams=2, name="Near Busy")  # 1 spare after the project below
    approved_project(team=ward, chair=chair, coach=near_busy, sponsor=sponsor)
    near_full = make_coach(hours=4, max_teams=1, name="Near Full")
    approved_project(team=ward, chair=chair, coach=near_full, sponsor=sponsor)
    near_two_hours = make_coach(hours=2, max_teams=2, name="Near Two Hours")
    near_three_hours = make_coach(hours=3, max_teams=2, name="Near Three Hours")
    far_lots_of_room = make_coach(directorate=other_directorate, hours=4, max_teams=6, name="Far Away")

    order = [c.coach for c in suggest_coaches(directorate.pk)]
    assert order == [near_three_hours, near_two_hours, near_busy, near_full, far_lots_of_room]
    loads = {c.coach: c for c in suggest_coaches(directorate.pk)}
    assert (loads[near_busy].teams, loads[near_busy].spare) == (1, 1)
    assert loads[near_full].at_capacity and loads[near_full].same_directorate
    assert not loads[far_lots_of_room].same_directorate


def test_finished_projects_do_not_count_towards_a_coach_load(ward, chair, coach, sponsor, qiadmin):
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    assert next(c for c in suggest_coaches(ward.directorate_id) if c.coach == coach).teams == 1
    transition(project, ProjectStatus.STOPPED, by=qiadmin, summary="Stopped")
    assert next(c for c in suggest_coaches(ward.directorate_id) if c.coach == coach).teams == 0
    assert list(teams_coached_by(coach)) == []


def test_teams_coached_by_carries_the_date_coaching_began(project, coach):
    [only] = teams_coached_by(coach)
    assert only == project and only.coached_since == project.approved_on


def test_pool_summary_counts_whole_directorates_and_filters_the_rows(make_coach, other_directorate, ward, chair,
                                                                     sponsor):
    full = make_coach(max_teams=1)
    approved_project(team=ward, chair=chair, coach=full, sponsor=sponsor)
    free = make_coach(max_teams=3)
    make_coach(directorate=other_directorate, max_teams=1)
    everyone = {d.name: d for d in pool_summary()}
    assert (everyone["Riverside Mental Health"].coaches, everyone["Riverside Mental Health"].spare_places,
            everyone["Riverside Mental Health"].at_capacity) == (2, 3, 1)
    room = {d.name: [c.coach for c in d.loads] for d in pool_summary("room")}
    assert room["Riverside Mental Health"] == [free]
    full_only = {d.name: [c.coach for c in d.loads] for d in pool_summary("full")}
    assert full_only == {"Northgate Mental Health": [], "Riverside Mental Health": [full]}
    assert pool_summary("nonsense") == pool_summary()


def test_supervision_is_due_when_never_given_or_over_a_month_ago():
    today = dt.date(2025, 6, 30)
    assert supervision_due(None, today)
    assert not supervision_due(dt.date(2025, 6, 1), today)
    assert supervision_due(dt.date(2025, 5, 1), today)


def _kept(user) -> int:
    from organisation.models import CoachProfile

    return CoachProfile.objects.get(user=user).current_teams


def test_the_kept_load_follows_allocation_reallocation_status_and_the_nightly_recount(
        ward, chair, coach, sponsor, qiadmin, make_coach):
    from coaching.services import allocate, refresh_loads
    from organisation.models import CoachProfile

    assert _kept(coach) == 0
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    assert _kept(coach) == 1
    other = make_coach(max_teams=3)
    allocate(project, by=qiadmin, reason="Rebalancing", coach=other)
    assert (_kept(coach), _kept(other)) == (0, 1)
    transition(project, ProjectStatus.STOPPED, by=qiadmin, summary="Stopped")
    assert _kept(other) == 0
    # Written around the services (a bulk load, the admin): the nightly recount puts it right.
    CoachProfile.objects.filter(user=other).update(current_teams=5)
    assert refresh_loads() >= 2 and _kept(other) == 0


def test_suggestions_list_the_directorate_then_at_most_ten_with_room_elsewhere(
        directorate, other_directorate, make_coach, django_assert_max_num_queries):
    from coaching.services import SUGGEST_FROM_ELSEWHERE

    mine = [make_coach(max_teams=1) for _ in range(3)]
    roomy = [make_coach(directorate=other_directorate, max_teams=6, hours=4) for _ in range(SUGGEST_FROM_ELSEWHERE)]
    [make_coach(directorate=other_directorate, max_teams=1, hours=2) for _ in range(5)]
    with django_assert_max_num_queries(2):  # the trust-wide ranking, remembered for a minute
        suggest_coaches(directorate.pk)
    with django_assert_max_num_queries(1):
        loads = suggest_coaches(directorate.pk)
    assert [c.coach for c in loads[:3]] == sorted(mine, key=lambda u: u.name)
    assert {c.coach for c in loads[3:]} == set(roomy)


def test_a_remembered_ranking_never_offers_a_coach_who_has_since_filled_up(
        directorate, other_directorate, make_coach):
    from organisation.models import CoachProfile

    roomy = [make_coach(directorate=other_directorate, max_teams=3) for _ in range(3)]
    assert {c.coach for c in suggest_coaches(directorate.pk)} == set(roomy)  # ranking remembered now
    CoachProfile.objects.filter(user=roomy[0]).update(current_teams=3)
    CoachProfile.objects.filter(user=roomy[1]).update(current_teams=1)
    loads = {c.coach: c for c in suggest_coaches(directorate.pk)}
    assert set(loads) == set(roomy[1:])
    assert loads[roomy[1]].teams == 1  # loads are read fresh, not from the remembered ranking
