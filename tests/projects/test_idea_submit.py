"""Sending an idea to the forum: the review page, the conditions, the duplicate check, the journey."""

import pytest
from django.urls import reverse

from forums.models import AgendaItem
from projects.models import Project, ProjectStatus

from ..factories import ProjectFactory, TeamFactory
from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


def test_the_idea_journey_from_draft_to_the_forum(client, staff, ward, idea_data):
    client.force_login(staff)
    client.post(reverse("projects:idea_new"), idea_data(condition_whole_team=None, action="review"))
    project = Project.objects.get()
    submit_url = reverse("projects:idea_submit", args=[project.pk])

    page = client.get(submit_url).content.decode()
    assert "Before the forum can consider this idea" in page
    assert "The whole team will do this work together" in page
    assert reverse("projects:idea_edit", args=[project.pk]) in page

    refused = client.post(submit_url, {"seen_status": "draft"})
    assert refused.status_code == 200 and "Before it goes to the forum" in refused.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT

    client.post(reverse("projects:idea_edit", args=[project.pk]), idea_data())
    assert "Before the forum can consider" not in client.get(submit_url).content.decode()
    response = client.post(submit_url, {"seen_status": "draft"}, follow=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert f"sent to the {ward.directorate.name} QI forum&#x27;s next meeting" in response.content.decode()
    assert agenda_item(project).meeting.forum.directorate == ward.directorate


def test_an_idea_without_a_date_for_its_aim_is_not_sent(client, staff):
    project = ProjectFactory(lead=staff, team=staff.team, aim_by_when=None)
    client.force_login(staff)
    response = client.post(reverse("projects:idea_submit", args=[project.pk]), {"seen_status": "draft"})
    assert "say by when the aim will be reached" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_a_second_send_from_a_stale_page_changes_nothing(client, staff):
    project = ProjectFactory(lead=staff, team=staff.team)
    client.force_login(staff)
    url = reverse("projects:idea_submit", args=[project.pk])
    client.post(url, {"seen_status": "draft"})
    response = client.post(url, {"seen_status": "draft"})
    assert response.status_code == 403  # a submitted idea is no longer the team's to change
    assert AgendaItem.objects.filter(project=project).count() == 1


def test_the_service_refusal_is_shown_as_a_message(client, staff, monkeypatch):
    from projects import views
    from projects.services import TransitionError

    def refuse(project, *, by):
        raise TransitionError("Someone else moved this idea first.")

    monkeypatch.setattr(views, "submit_idea", refuse)
    project = ProjectFactory(lead=staff, team=staff.team)
    client.force_login(staff)
    response = client.post(reverse("projects:idea_submit", args=[project.pk]), {"seen_status": "draft"})
    assert response.status_code == 200 and "Someone else moved this idea first." in response.content.decode()


def test_the_duplicate_check_shows_a_similar_project_elsewhere(client, staff, other_ward):
    elsewhere = submitted_idea(team=other_ward, title="Reducing falls at night on older adult wards",
                               problem="Night-time falls keep rising among older adults.")
    project = ProjectFactory(lead=staff, team=staff.team, title="Fewer falls at night",
                             problem="Falls at night among older adults have doubled.")
    client.force_login(staff)
    html = client.get(reverse("projects:idea_submit", args=[project.pk])).content.decode()
    assert elsewhere.title in html and elsewhere.get_absolute_url() in html and other_ward.name in html
    assert "Awaiting forum" in html


def test_the_duplicate_check_says_so_when_nothing_is_similar(client, staff):
    ProjectFactory(team=TeamFactory(), title="Better discharge letters")
    project = ProjectFactory(lead=staff, team=staff.team, title="Fewer falls at night")
    client.force_login(staff)
    assert "no similar projects" in client.get(reverse("projects:idea_submit", args=[project.pk])).content.decode()


def test_a_returned_idea_shows_the_forum_feedback_and_can_be_resubmitted(client, staff, chair):
    from forums.models import Outcome
    from forums.services import decide

    project = submitted_idea(lead=staff, team=staff.team)
    decide(agenda_item(project), outcome=Outcome.RETURN, by=chair, rationale="Please involve service users.")
    client.force_login(staff)
    html = client.get(reverse("projects:idea_edit", args=[project.pk])).content.decode()
    assert "The forum returned this idea for more work" in html and "Please involve service users." in html
    response = client.post(reverse("projects:idea_submit", args=[project.pk]), {"seen_status": "returned"})
    project.refresh_from_db()
    assert response.status_code == 302 and project.status == ProjectStatus.SUBMITTED
    assert project.events.last().summary == "Resubmitted to the QI forum"
