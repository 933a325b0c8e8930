"""The project page: everything a reader needs, the history as a record, and drafts kept private."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from forums.models import Outcome
from forums.services import decide
from organisation.models import Role
from projects.models import MemberRole, ProjectMember

from ..factories import ObjectiveFactory, ProjectFactory, UserFactory
from ..workflow import agenda_item, approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def test_the_project_page_shows_people_aim_conditions_alignment_and_history(
        client, outsider, ward, chair, coach, sponsor, ia):
    project = approved_project(team=ward, title="Safer evenings", chair=chair, coach=coach, sponsor=sponsor,
                               advisor=ia)
    project.objectives.add(ObjectiveFactory(name="Experience of care"))
    client.force_login(outsider)
    html = client.get(project.get_absolute_url()).content.decode()
    for text in ["Safer evenings", "Active", "Understanding the problem", ward.name, ward.directorate.name,
                 project.lead.name, coach.name, sponsor.name, ia.name, project.aim_statement,
                 "Incidents of violence and aggression", "Experience of care",
                 "Submitted to the QI forum", "A clear aim; go ahead.",
                 "Awaiting forum → Active", chair.name, "Project lead"]:
        assert escape(text) in html, text
    assert "Edit the idea" not in html


def test_an_unaligned_project_says_not_aligned(client, staff, ward):
    project = submitted_idea(team=ward)
    client.force_login(staff)
    assert "Not aligned" in client.get(project.get_absolute_url()).content.decode()


def test_a_returned_idea_shows_the_feedback_and_the_edit_buttons_to_its_team(client, ward, chair):
    project = submitted_idea(team=ward)
    decide(agenda_item(project), outcome=Outcome.RETURN, by=chair, rationale="Please measure it weekly.")
    client.force_login(project.lead)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "The forum returned this idea" in html and "Please measure it weekly." in html
    assert reverse("projects:idea_edit", args=[project.pk]) in html
    assert "Review and resubmit" in html


@pytest.mark.parametrize("url_name", ["projects:detail", "projects:idea_edit", "projects:idea_submit"])
@pytest.mark.parametrize("persona", ["outsider", "board", "chair", "coach", "sponsor", "ia", "other_chair"],
                         indirect=True)
def test_a_draft_is_not_found_for_anyone_outside_its_team(client, ward, persona, url_name):
    project = ProjectFactory(team=ward)
    client.force_login(persona)
    assert client.get(reverse(url_name, args=[project.pk])).status_code == 404


def test_a_draft_is_not_found_for_someone_who_left_the_team(client, ward):
    project = ProjectFactory(team=ward)
    former = UserFactory(team=ward, roles=[Role.STAFF])
    ProjectMember.objects.create(project=project, person=former, joined_on=timezone.localdate(),
                                 left_on=timezone.localdate())
    client.force_login(former)
    assert client.get(project.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["lead", "member", "qiadmin"])
def test_a_draft_is_open_to_its_team_and_the_qi_department(client, ward, qiadmin, serviceuser, who):
    project = ProjectFactory(team=ward)
    ProjectMember.objects.create(project=project, person=serviceuser, role=MemberRole.SERVICE_USER,
                                 joined_on=timezone.localdate())
    person = {"lead": project.lead, "member": serviceuser, "qiadmin": qiadmin}[who]
    client.force_login(person)
    for url_name in ["projects:detail", "projects:idea_edit", "projects:idea_submit"]:
        assert client.get(reverse(url_name, args=[project.pk])).status_code == 200, url_name


def _grow(n: int, project) -> None:
    for _ in range(n):
        ProjectMember.objects.create(project=project, person=UserFactory(team=project.team),
                                     joined_on=timezone.localdate())
        project.objectives.add(ObjectiveFactory())
        project.events.create(kind="note", summary="A note")


def test_detail_query_count_does_not_grow(client, staff, ward, chair, coach, sponsor,
                                          django_assert_max_num_queries):
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    client.force_login(staff)
    _grow(1, project)
    with django_assert_max_num_queries(12) as small:  # 10, and 2 for the discussion (comments, people)
        assert client.get(project.get_absolute_url()).status_code == 200
    _grow(15, project)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(project.get_absolute_url()).status_code == 200
