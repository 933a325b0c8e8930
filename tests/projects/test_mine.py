"""My ideas and projects: drafts first, each with what to do next."""

import pytest
from django.urls import reverse
from django.utils import timezone

from forums.models import Outcome
from forums.services import decide
from projects.models import MemberRole, ProjectMember

from ..factories import ProjectFactory, TeamFactory
from ..workflow import agenda_item, approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def test_mine_lists_drafts_first_with_the_next_step(client, staff, ward, chair, coach, sponsor):
    active = approved_project(lead=staff, team=ward, title="Active one", chair=chair, coach=coach, sponsor=sponsor)
    returned = submitted_idea(lead=staff, team=ward, title="Returned one")
    decide(agenda_item(returned), outcome=Outcome.RETURN, by=chair, rationale="Ask the service users first.")
    waiting = submitted_idea(lead=staff, team=ward, title="Waiting one")
    draft = ProjectFactory(lead=staff, team=ward, title="Draft one")
    client.force_login(staff)
    response = client.get(reverse("projects:mine"))
    rows = response.context["rows"]
    assert [project for project, _ in rows][:2] == [draft, returned]
    assert {p for p, _ in rows} == {draft, returned, waiting, active}
    steps = {project.title: step.label for project, step in rows}
    assert steps == {"Draft one": "Continue the draft", "Returned one": "Read the forum's feedback and revise",
                     "Waiting one": "Waiting for the forum", "Active one": "Open the workspace"}
    html = response.content.decode()
    assert "Ask the service users first." in html
    assert reverse("projects:idea_edit", args=[draft.pk]) in html


def test_mine_includes_projects_i_am_a_member_of_but_not_others(client, serviceuser, ward):
    mine = ProjectFactory(team=ward, title="On the team")
    ProjectMember.objects.create(project=mine, person=serviceuser, role=MemberRole.SERVICE_USER,
                                 joined_on=timezone.localdate())
    ProjectFactory(team=ward, title="Not mine")
    client.force_login(serviceuser)
    rows = client.get(reverse("projects:mine")).context["rows"]
    assert [p.title for p, _ in rows] == ["On the team"]


def test_mine_is_friendly_when_empty(client, staff):
    client.force_login(staff)
    assert "You are not on any idea or project yet." in client.get(reverse("projects:mine")).content.decode()


def _grow(n: int, lead) -> None:
    for _ in range(n):
        submitted_idea(lead=lead, team=TeamFactory())
        ProjectFactory(lead=lead, team=TeamFactory())


def test_mine_query_count_does_not_grow(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    _grow(1, staff)
    with django_assert_max_num_queries(10) as small:
        assert client.get(reverse("projects:mine")).status_code == 200
    _grow(10, staff)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(reverse("projects:mine")).context["rows"]) == 22
