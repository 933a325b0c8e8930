"""Who is refused what: start an idea, change one, send one."""

import pytest
from django.urls import reverse

from organisation.models import Role
from projects.models import Project

from ..factories import ProjectFactory, UserFactory
from ..workflow import approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def test_someone_without_a_staff_or_service_user_role_cannot_start_an_idea(client, ward, idea_data):
    board_only = UserFactory(team=ward, roles=[Role.BOARD])
    client.force_login(board_only)
    assert client.get(reverse("projects:idea_new")).status_code == 403
    assert client.post(reverse("projects:idea_new"), idea_data()).status_code == 403
    assert not Project.objects.exists()


def test_pages_ask_anonymous_visitors_to_log_in(client, ward):
    project = submitted_idea(team=ward)
    for url in [reverse("projects:list"), reverse("projects:mine"), reverse("projects:idea_new"),
                project.get_absolute_url(), reverse("projects:idea_edit", args=[project.pk]),
                reverse("projects:idea_submit", args=[project.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["outsider", "board", "chair", "other_chair", "coach", "sponsor", "ia"],
                         indirect=True)
def test_people_outside_the_team_cannot_change_or_send_a_visible_idea(client, ward, persona, idea_data):
    project = submitted_idea(team=ward)
    client.force_login(persona)
    assert client.get(project.get_absolute_url()).status_code == 200
    for url_name in ["projects:idea_edit", "projects:idea_submit"]:
        url = reverse(url_name, args=[project.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, idea_data(title="Hijacked")).status_code == 403
    project.refresh_from_db()
    assert project.title != "Hijacked"


def test_a_board_member_cannot_edit_a_returned_idea(client, board, ward, chair):
    from forums.models import Outcome
    from forums.services import decide

    from ..workflow import agenda_item

    project = submitted_idea(team=ward)
    decide(agenda_item(project), outcome=Outcome.RETURN, by=chair, rationale="More work.")
    client.force_login(board)
    assert client.get(reverse("projects:idea_edit", args=[project.pk])).status_code == 403


def test_the_team_itself_cannot_edit_an_idea_the_forum_has(client, ward):
    project = submitted_idea(team=ward)
    client.force_login(project.lead)
    assert client.get(reverse("projects:idea_edit", args=[project.pk])).status_code == 403
    assert client.get(reverse("projects:idea_submit", args=[project.pk])).status_code == 403


def test_an_approved_project_is_not_an_editable_idea_even_for_a_qi_admin(client, qiadmin, ward, chair, coach,
                                                                         sponsor):
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    client.force_login(qiadmin)
    assert client.get(reverse("projects:idea_edit", args=[project.pk])).status_code == 403


def test_a_qi_admin_can_edit_any_draft(client, qiadmin, ward, idea_data):
    project = ProjectFactory(team=ward)
    client.force_login(qiadmin)
    assert client.post(reverse("projects:idea_edit", args=[project.pk]), idea_data(title="Tidied")).status_code == 302
    project.refresh_from_db()
    assert project.title == "Tidied" and project.lead != qiadmin


def test_the_submit_page_refuses_other_methods(client, staff):
    project = ProjectFactory(lead=staff, team=staff.team)
    client.force_login(staff)
    assert client.put(reverse("projects:idea_submit", args=[project.pk])).status_code == 405
