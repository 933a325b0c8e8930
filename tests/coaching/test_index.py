"""The coaching page: each role sees its own section, nobody else gets in, and cost does not grow with data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import Supervision
from organisation.models import Role

from ..factories import UserFactory
from ..workflow import approved_project

pytestmark = pytest.mark.django_db
URL = reverse("coaching:index")


def _get(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("persona", ["staff", "board", "sponsor", "chair", "serviceuser"], indirect=True)
def test_people_without_a_coaching_role_are_refused(client, persona):
    client.force_login(persona)
    assert client.get(URL).status_code == 403


def test_outsider_is_refused_and_anonymous_is_sent_to_log_in(client, outsider):
    assert client.get(URL).status_code == 302
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_coach_sees_their_own_teams_load_and_supervisor(client, coach, ia, project, make_coach, ward, chair,
                                                        sponsor):
    someone_else = make_coach()
    other = approved_project(team=ward, chair=chair, coach=someone_else, sponsor=sponsor, title="Not mine")
    response = _get(client, coach)
    html = response.content.decode()
    assert [p.pk for p in response.context["my_teams"]] == [project.pk]
    assert project.title in html and other.title not in html
    assert project.lead.name in html and sponsor.name in html and ward.name in html
    assert timezone.localdate().strftime("%-d %b %Y") in html  # coaching since
    load = response.context["my_load"]
    assert (load.teams, load.profile.max_teams, load.hours) == (1, 2, 3)
    assert "1</span><span class=\"stat-label\">of 2 teams" in html
    assert ia.name in html
    assert 'data-testid="ia-section"' not in html and 'data-testid="pool-section"' not in html


def test_ia_sees_the_coaches_they_supervise_with_loads_and_last_supervision(client, coach, ia, project,
                                                                              make_coach, other_directorate):
    full = make_coach(supervisor=ia, max_teams=1, name="Full Coach")
    approved_project(team=project.team, chair=_chair(project), coach=full, sponsor=project.sponsor)
    not_mine = make_coach(supervisor=UserFactory(roles=[Role.IMPROVEMENT_ADVISOR]), name="Someone Elses")
    Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 3, 4), notes="Went well")
    Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 2, 4), notes="Earlier")

    response = _get(client, ia)
    html = response.content.decode()
    rows = {row["load"].coach: row for row in response.context["supervised"]}
    assert set(rows) == {coach, full}
    assert not_mine.name not in html
    assert rows[coach]["last_supervised"] == dt.date(2025, 3, 4) and rows[coach]["due"]
    assert rows[full]["last_supervised"] is None
    assert (rows[coach]["load"].teams, rows[coach]["load"].at_capacity) == (1, False)
    assert (rows[full]["load"].teams, rows[full]["load"].at_capacity) == (1, True)
    assert rows[coach]["projects"] == [project]
    assert "4 Mar 2025" in html and "At capacity" in html and "Has room for 1" in html
    assert reverse("coaching:supervision_new", args=[coach.pk]) in html
    assert reverse("coaching:supervision_new", args=[full.pk]) in html
    assert 'data-testid="coach-section"' not in html


def _chair(project):
    return UserFactory(roles=[(Role.FORUM_CHAIR, project.directorate)])


def test_qi_admin_sees_the_pool_by_directorate_with_who_is_full_and_who_is_free(client, qiadmin, coach, project,
                                                                                   make_coach, other_directorate):
    full = make_coach(max_teams=1, name="Full Coach")
    approved_project(team=project.team, chair=_chair(project), coach=full, sponsor=project.sponsor)
    north = make_coach(directorate=other_directorate, max_teams=3, name="Northern Coach")

    response = _get(client, qiadmin)
    pool = {d.name: d for d in response.context["pool"]}
    assert set(pool) == {"Riverside Mental Health", "Northgate Mental Health"}
    riverside, northgate = pool["Riverside Mental Health"], pool["Northgate Mental Health"]
    assert (riverside.coaches, riverside.spare_places, riverside.at_capacity) == (2, 1, 1)
    assert (northgate.coaches, northgate.spare_places, northgate.at_capacity) == (1, 3, 0)
    totals = dict(response.context["pool_totals"])
    assert totals.pop("counted_at") is not None
    assert totals == {"coaches": 3, "spare_places": 4, "at_capacity": 1}
    html = response.content.decode()
    assert "2 coaches · 1 spare place · 1 at capacity" in html
    assert north.name in html and full.name in html and coach.name in html

    room = client.get(URL, {"capacity": "room"}).context["pool"]
    assert {c.coach for d in room for c in d.loads} == {coach, north}
    full_only = client.get(URL, {"capacity": "full"})
    assert {c.coach for d in full_only.context["pool"] for c in d.loads} == {full}
    assert "No coach here is at capacity." in full_only.content.decode()
    # Counts stay those of the whole directorate whatever the filter.
    assert {d.name: d.coaches for d in full_only.context["pool"]} == {"Riverside Mental Health": 2,
                                                                      "Northgate Mental Health": 1}


def test_a_person_with_several_roles_sees_every_section(client, coach, project):
    from organisation.models import RoleAssignment

    RoleAssignment.objects.create(user=coach, role=Role.IMPROVEMENT_ADVISOR)
    RoleAssignment.objects.create(user=coach, role=Role.QI_ADMIN)
    html = _get(client, coach).content.decode()
    for section in ("coach-section", "ia-section", "pool-section"):
        assert f'data-testid="{section}"' in html


def _grow(n, *, ia, chair, sponsor, ward, make_coach, directorates):
    """n more coaches, each supervised by `ia`, coaching one running project, with one supervision."""
    for i in range(n):
        coach = make_coach(supervisor=ia, directorate=directorates[i % len(directorates)])
        approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
        Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 1, 1), notes="Fine")


def test_index_query_count_does_not_grow_with_coaches_or_projects(client, coach, ia, chair, sponsor, ward,
                                                                    project, make_coach, directorate,
                                                                    other_directorate, django_assert_max_num_queries):
    everyone = UserFactory(team=ward, roles=[Role.STAFF, Role.COACH, Role.IMPROVEMENT_ADVISOR, Role.QI_ADMIN])
    from organisation.models import CoachProfile
    CoachProfile.objects.create(user=everyone, hours_per_week=4, max_teams=6, supervisor=ia)
    grow = dict(ia=everyone, chair=chair, sponsor=sponsor, ward=ward, make_coach=make_coach,
                directorates=[directorate, other_directorate])
    approved_project(team=ward, chair=chair, coach=everyone, sponsor=sponsor)
    _grow(2, **grow)
    client.force_login(everyone)
    with django_assert_max_num_queries(12) as small:
        assert client.get(URL).status_code == 200
    _grow(6, **grow)
    approved_project(team=ward, chair=chair, coach=everyone, sponsor=sponsor)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(response.context["supervised"]) == 8
    assert len(response.context["my_teams"]) == 2


def test_the_pool_is_paged_five_directorates_at_a_time(client, qiadmin, make_coach, django_assert_max_num_queries):
    from ..factories import DirectorateFactory

    names = [f"Directorate {i:02d}" for i in range(12)]
    for name in names:
        make_coach(directorate=DirectorateFactory(name=name))
    client.force_login(qiadmin)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("coaching:index"))
    shown = [d.name for d in first.context["pool"]]
    assert shown == names[:5]
    assert first.context["pool_totals"]["coaches"] == 12
    html = first.content.decode()
    assert "Directorates 1–5 of 12" in html and "page=2" in html
    last = client.get(reverse("coaching:index"), {"page": 3, "capacity": "room"})
    assert [d.name for d in last.context["pool"]] == names[10:]
    assert client.get(reverse("coaching:index"), {"page": "nonsense"}).status_code == 200
