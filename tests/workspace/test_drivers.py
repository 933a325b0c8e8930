"""Editing the driver diagram in the page: add, rename, re-order, move, remove with a confirmation step."""

import pytest
from django.urls import reverse

from workspace.models import ChangeIdea, Driver
from workspace.services import add_change_idea, add_driver

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagram(project):
    calm = add_driver(project, text="A calm ward day")
    early = add_driver(project, text="Spotting distress early")
    evening = add_driver(project, text="Evening activities", parent=calm)
    routine = add_driver(project, text="Clear routine", parent=calm)
    huddle = add_driver(project, text="Safety huddle", parent=early)
    return {"calm": calm, "early": early, "evening": evening, "routine": routine, "huddle": huddle}


def texts(project, parent=None):
    drivers = Driver.objects.filter(project=project, parent=parent).order_by("order", "pk")
    return list(drivers.values_list("text", flat=True))


def test_lead_adds_a_primary_and_a_secondary_driver(client, staff, project):
    client.force_login(staff)
    url = reverse("workspace:driver_new", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Staff skilled and supported"})
    assert response.status_code == 302 and response.url.endswith("?edit=diagram#changes")
    primary = Driver.objects.get(project=project, text="Staff skilled and supported")
    assert primary.is_primary
    page = client.get(url + f"?parent={primary.pk}")
    assert f'value="{primary.pk}" selected' in page.content.decode()
    client.post(url, {"text": "Debrief after every incident", "parent": primary.pk})
    assert texts(project, primary) == ["Debrief after every incident"]


def test_a_driver_needs_text(client, staff, project):
    client.force_login(staff)
    response = client.post(reverse("workspace:driver_new", args=[project.pk]), {"text": ""})
    assert response.status_code == 200 and not Driver.objects.exists()


def test_rename_and_move_a_secondary_driver_to_another_primary(client, staff, project, diagram):
    client.force_login(staff)
    url = reverse("workspace:driver_edit", args=[diagram["routine"].pk])
    response = client.post(url, {"text": "A clear daily routine", "parent": diagram["early"].pk})
    assert response.status_code == 302
    assert texts(project, diagram["early"]) == ["Safety huddle", "A clear daily routine"]
    assert texts(project, diagram["calm"]) == ["Evening activities"]


def test_a_primary_driver_can_be_renamed_but_not_moved_under_another(client, staff, project, diagram):
    client.force_login(staff)
    url = reverse("workspace:driver_edit", args=[diagram["calm"].pk])
    assert 'name="parent"' not in client.get(url).content.decode()
    client.post(url, {"text": "A calm, predictable day", "parent": diagram["early"].pk})
    calm = Driver.objects.get(pk=diagram["calm"].pk)
    assert calm.text == "A calm, predictable day" and calm.parent_id is None


def test_a_driver_cannot_be_moved_under_another_projects_driver(client, staff, project, diagram, chair, coach,
                                                                 sponsor, ward):
    from tests.workflow import approved_project

    other = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    foreign = add_driver(other, text="Elsewhere")
    client.force_login(staff)
    response = client.post(reverse("workspace:driver_edit", args=[diagram["routine"].pk]),
                           {"text": "Clear routine", "parent": foreign.pk})
    assert response.status_code == 200  # the form refuses: not one of this project's primary drivers
    assert Driver.objects.get(pk=diagram["routine"].pk).parent_id == diagram["calm"].pk


def test_reorder_drivers_up_and_down(client, staff, project, diagram):
    client.force_login(staff)
    client.post(reverse("workspace:driver_move", args=[diagram["early"].pk]), {"direction": "up"})
    assert texts(project) == ["Spotting distress early", "A calm ward day"]
    client.post(reverse("workspace:driver_move", args=[diagram["evening"].pk]), {"direction": "down"})
    assert texts(project, diagram["calm"]) == ["Clear routine", "Evening activities"]
    # The top one going further up stays where it is.
    client.post(reverse("workspace:driver_move", args=[diagram["early"].pk]), {"direction": "up"})
    assert texts(project) == ["Spotting distress early", "A calm ward day"]
    assert client.get(reverse("workspace:driver_move", args=[diagram["early"].pk])).status_code == 405


def test_removing_a_driver_asks_first_then_takes_its_secondaries_and_keeps_ideas(client, staff, project, diagram):
    idea = add_change_idea(project, title="Calm boxes", secondary_drivers=[diagram["evening"], diagram["huddle"]])
    client.force_login(staff)
    url = reverse("workspace:driver_remove", args=[diagram["calm"].pk])
    confirm = client.get(url)
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Remove this driver?" in body and "Evening activities" in body
    assert Driver.objects.filter(pk=diagram["calm"].pk).exists()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200 and Driver.objects.filter(pk=diagram["calm"].pk).exists()
    client.post(url, {"confirm": "on"})
    assert texts(project) == ["Spotting distress early"]
    assert not Driver.objects.filter(pk__in=[diagram["evening"].pk, diagram["routine"].pk]).exists()
    idea.refresh_from_db()
    assert list(idea.secondary_drivers.values_list("text", flat=True)) == ["Safety huddle"]
    assert project.events.filter(summary__contains="Removed the primary driver").exists()


def test_change_ideas_are_added_linked_to_several_drivers_reordered_edited_and_removed(client, staff, project, diagram):
    client.force_login(staff)
    url = reverse("workspace:idea_new", args=[project.pk])
    assert f'value="{diagram["huddle"].pk}"' in client.get(url + f"?driver={diagram['huddle'].pk}").content.decode()
    client.post(url, {"title": "Safety huddle at 10:00 and 18:00", "secondary_drivers": [diagram["huddle"].pk]})
    client.post(url, {"title": "Calm boxes", "description": "Sensory kits",
                      "secondary_drivers": [diagram["evening"].pk, diagram["huddle"].pk]})
    huddle, calm = ChangeIdea.objects.order_by("order")
    assert set(calm.secondary_drivers.values_list("text", flat=True)) == {"Evening activities", "Safety huddle"}
    client.post(reverse("workspace:idea_move", args=[calm.pk]), {"direction": "up"})
    assert list(ChangeIdea.objects.order_by("order").values_list("title", flat=True)) == [
        "Calm boxes", "Safety huddle at 10:00 and 18:00"]
    client.post(reverse("workspace:idea_edit", args=[calm.pk]),
                {"title": "Calm boxes on each corridor", "secondary_drivers": [diagram["routine"].pk]})
    calm.refresh_from_db()
    assert calm.title == "Calm boxes on each corridor"
    assert list(calm.secondary_drivers.values_list("text", flat=True)) == ["Clear routine"]
    remove = reverse("workspace:idea_remove", args=[calm.pk])
    assert "Remove this change idea?" in client.get(remove).content.decode()
    client.post(remove, {"confirm": "on"})
    assert list(ChangeIdea.objects.values_list("title", flat=True)) == ["Safety huddle at 10:00 and 18:00"]


def test_a_change_idea_hangs_only_off_secondary_drivers(client, staff, project, diagram):
    client.force_login(staff)
    response = client.post(reverse("workspace:idea_new", args=[project.pk]),
                           {"title": "Huddle", "secondary_drivers": [diagram["calm"].pk]})
    assert response.status_code == 200 and not ChangeIdea.objects.exists()


def test_the_workspace_draws_the_diagram_and_the_editor(client, staff, project, diagram):
    add_change_idea(project, title="Calm boxes", secondary_drivers=[diagram["evening"], diagram["huddle"]])
    client.force_login(staff)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert 'class="driver-diagram"' in body and 'data-key="i' in body
    assert 'data-testid="diagram-editor"' in body
    assert reverse("workspace:driver_remove", args=[diagram["calm"].pk]) in body
