"""The idea form with scripts off: the pickers' search boxes still find a team and a person by name."""

import pytest
from playwright.sync_api import expect

from organisation.models import ExternalOrganisation
from projects.models import Project

from ..factories import UserFactory


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


def test_staff_finds_another_team_and_a_partner_without_scripts(page, live_server, staff, other_ward, password,
                                                                 login, shot):
    partner = UserFactory(display_name="Quentin Oduya", team=None,
                          external_organisation=ExternalOrganisation.objects.create(name="Age UK Westshire"))
    login("staff", password)
    page.goto(f"{live_server.url}/projects/new/")
    page.get_by_label("Title of the idea").fill("Shared discharge planning with Hazel Ward")
    page.get_by_label("What is the problem?").fill("Discharges stall at weekends while we wait for each other.")
    page.get_by_label("Why does it matter, and to whom?").fill("Service users stay in hospital longer than they need.")
    page.get_by_label("What will improve?").fill("Weekend discharges")
    page.get_by_label("By how much?").fill("from 2 to 6 a weekend")
    page.get_by_label("Another team? Find it by name").fill("hazel")
    page.get_by_label("Find someone by name, team or organisation").fill("oduya")
    page.get_by_role("button", name="Save draft").click()

    # The answers are beside the fields; nothing is saved yet and nothing typed is lost.
    expect(page.get_by_text("One team matches “hazel”: Hazel Ward")).to_be_visible()
    expect(page.get_by_text("One person matches “oduya”: Quentin Oduya – Age UK Westshire")).to_be_visible()
    expect(page.get_by_label("Title of the idea")).to_have_value("Shared discharge planning with Hazel Ward")
    expect(page.get_by_label("Team or service")).to_have_value(str(other_ward.pk))
    expect(page.get_by_label("Another team? Find it by name")).to_have_value("")
    assert not Project.objects.exists()
    shot("idea-without-scripts-1-found")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your idea is saved.")).to_be_visible()
    project = Project.objects.get()
    assert project.team == other_ward
    assert project.members.filter(person=partner, left_on__isnull=True).exists()
    shot("idea-without-scripts-2-saved")
