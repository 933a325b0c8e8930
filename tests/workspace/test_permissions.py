"""Approved projects are open to read; only the team, coach, sponsor, IAs and QI admins change the workspace."""

import pytest
from django.urls import reverse

from organisation.models import Role
from projects.models import Project, ProjectMember, ProjectStatus
from tests.factories import UserFactory
from workspace.models import Driver, PDSACycle
from workspace.services import add_change_idea, add_driver, start_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(ward):
    """Staff on the same ward, but not on this project's team."""
    return UserFactory(username="colleague", team=ward, roles=[Role.STAFF])


@pytest.fixture
def things(project, staff, member):
    primary = add_driver(project, text="Calm ward")
    secondary = add_driver(project, text="Evening activities", parent=primary)
    idea = add_change_idea(project, title="Calm boxes", secondary_drivers=[secondary])
    cycle = start_cycle(idea, by=staff, what="Try it")
    membership = ProjectMember.objects.get(project=project, person=member)
    return {"project": project, "driver": secondary, "idea": idea, "cycle": cycle, "member": membership}


def edit_urls(t):
    p, d, i, c, m = t["project"].pk, t["driver"].pk, t["idea"].pk, t["cycle"].pk, t["member"].pk
    return {
        "stage": (reverse("workspace:stage", args=[p]), False),
        "aim_edit": (reverse("workspace:aim_edit", args=[p]), True),
        "driver_new": (reverse("workspace:driver_new", args=[p]), True),
        "driver_edit": (reverse("workspace:driver_edit", args=[d]), True),
        "driver_move": (reverse("workspace:driver_move", args=[d]), False),
        "driver_remove": (reverse("workspace:driver_remove", args=[d]), True),
        "idea_new": (reverse("workspace:idea_new", args=[p]), True),
        "idea_edit": (reverse("workspace:idea_edit", args=[i]), True),
        "idea_move": (reverse("workspace:idea_move", args=[i]), False),
        "idea_remove": (reverse("workspace:idea_remove", args=[i]), True),
        "cycle_new": (reverse("workspace:cycle_new", args=[i]), True),
        "cycle_edit": (reverse("workspace:cycle_edit", args=[c]), True),
        "progress": (reverse("workspace:progress", args=[p]), True),
        "team": (reverse("workspace:team", args=[p]), True),
        "member_leave": (reverse("workspace:member_leave", args=[m]), False),
        "involvement": (reverse("workspace:involvement", args=[p]), False),
        "closure_request": (reverse("workspace:closure_request", args=[p]), True),
    }


@pytest.mark.parametrize("who", ["colleague", "board", "other_chair", "outsider", "chair"])
def test_people_outside_the_project_are_refused_every_edit(client, request, things, who):
    client.force_login(request.getfixturevalue(who))
    for name, (url, has_page) in edit_urls(things).items():
        if has_page:
            assert client.get(url).status_code == 403, name
        assert client.post(url, {"text": "x", "title": "x", "confirm": "on", "direction": "up", "stage": "test",
                                 "reason": "x", "level": "full"}).status_code == 403, name
    assert Driver.objects.count() == 2 and PDSACycle.objects.count() == 1
    assert ProjectMember.objects.filter(left_on__isnull=False).count() == 0
    project = Project.objects.get(pk=things["project"].pk)
    assert project.stage == "understand" and project.status == ProjectStatus.ACTIVE


@pytest.mark.parametrize("who", ["colleague", "board", "other_chair", "outsider"])
def test_everyone_logged_in_reads_the_workspace(client, request, things, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("workspace:project", args=[things["project"].pk])).content.decode()
    assert "Calm boxes" in body
    assert 'data-testid="diagram-editor"' not in body and "Add a change idea" not in body
    assert client.get(reverse("workspace:cycle", args=[things["cycle"].pk])).status_code == 200


@pytest.mark.parametrize("who", ["staff", "member", "coach", "sponsor", "ia", "qiadmin"])
def test_team_coach_sponsor_ia_and_qi_admin_may_edit(client, request, things, who):
    client.force_login(request.getfixturevalue(who))
    for name, (url, has_page) in edit_urls(things).items():
        if has_page and name != "closure_request":
            assert client.get(url).status_code == 200, (who, name)
    body = client.get(reverse("workspace:project", args=[things["project"].pk])).content.decode()
    assert 'data-testid="diagram-editor"' in body


@pytest.mark.parametrize("who,allowed", [("staff", True), ("coach", True), ("sponsor", True), ("ia", True),
                                         ("qiadmin", True), ("member", False)])
def test_the_lead_coach_sponsor_ia_and_qi_admin_move_the_stage(client, request, things, who, allowed):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("workspace:stage", args=[things["project"].pk]), {"stage": "strategy"})
    assert response.status_code == (302 if allowed else 403)
    project = Project.objects.get(pk=things["project"].pk)
    assert project.stage == ("strategy" if allowed else "understand")
    if allowed:
        assert project.events.filter(summary="Stage: Developing strategy and change ideas").exists()


def test_a_closed_projects_workspace_is_a_record(client, staff, chair, things):
    from workspace import services

    closure = services.request_closure(things["project"], by=staff, outcome="aim_met", results="r", learning="l",
                                       sustain_plan="s")
    services.review_closure(closure, by=chair, confirm=True)
    client.force_login(staff)
    for name, (url, has_page) in edit_urls(things).items():
        if has_page:
            assert client.get(url).status_code == 403, name
    assert client.get(reverse("workspace:project", args=[things["project"].pk])).status_code == 200


def test_ideas_that_the_forum_has_not_approved_have_no_workspace(client, qiadmin, ward):
    from tests.workflow import submitted_idea

    idea = submitted_idea(team=ward)
    client.force_login(qiadmin)
    assert client.get(reverse("workspace:project", args=[idea.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, things):
    response = client.get(reverse("workspace:project", args=[things["project"].pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_member_who_left_can_no_longer_edit(client, things, member):
    ProjectMember.objects.filter(person=member).update(left_on="2026-01-01")
    client.force_login(member)
    assert client.get(reverse("workspace:driver_new", args=[things["project"].pk])).status_code == 403
