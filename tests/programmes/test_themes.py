import pytest
from django.urls import reverse

from programmes.models import Candidacy
from tests.factories import TeamFactory
from tests.workflow import approved_project


@pytest.fixture
def running(chair, coach, sponsor, directorate, priority):
    projects = []
    for i in range(4):
        p = approved_project(chair=chair, coach=coach, sponsor=sponsor, override_reason="x",
                             team=TeamFactory(directorate=directorate), title=f"Reducing seclusion on ward {i}")
        p.priorities.add(priority)
        projects.append(p)
    return projects


def test_qi_department_sees_themes_and_invites_a_team_into_a_programme(client, qiadmin, running, recruiting,
                                                                        django_assert_max_num_queries):
    client.force_login(qiadmin)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("programmes:themes")).content.decode()
    assert "Aligned to “Reducing restrictive practice”" in body and "“seclusion”" in body
    team = running[0].team
    response = client.post(reverse("programmes:recruitment", args=[recruiting.pk]), {
        "action": "invite", "team": team.pk, "note": "Running a project on this theme"})
    assert response.status_code == 302
    assert Candidacy.objects.get(programme=recruiting, team=team).status == "open"


def test_themes_cost_the_same_however_many_projects(client, qiadmin, running, chair, coach, sponsor, directorate,
                                                    priority):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(qiadmin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("programmes:themes"))
    for i in range(6):
        approved_project(chair=chair, coach=coach, sponsor=sponsor, override_reason="x",
                         team=TeamFactory(directorate=directorate), title=f"Reducing seclusion at night {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("programmes:themes"))
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_themes_are_for_the_qi_department_only(client, staff, board):
    for person in (staff, board):
        client.force_login(person)
        assert client.get(reverse("programmes:themes")).status_code == 403
