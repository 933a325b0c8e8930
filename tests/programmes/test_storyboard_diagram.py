"""A collaborative's team with no driver diagram of its own shows its programme's on its storyboard."""

import pytest
from django.urls import reverse

from workspace.services import add_driver

pytestmark = pytest.mark.django_db


def test_a_team_without_its_own_diagram_shows_its_programme_s(client, enrol_team, qiadmin):
    enrolment = enrol_team()  # the recruiting fixture's programme has drivers and a package
    client.force_login(qiadmin)
    page = client.get(reverse("workspace:storyboard", args=[enrolment.project_id])).content.decode()
    assert 'data-testid="storyboard-programme-diagram"' in page
    assert "theory of change: Violence reduction collaborative" in page
    assert "Daily safety huddle" in page  # the programme's secondary driver, drawn
    pdf = client.get(reverse("workspace:storyboard_pdf", args=[enrolment.project_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_team_with_its_own_diagram_shows_its_own(client, enrol_team, qiadmin, django_assert_max_num_queries):
    enrolment = enrol_team()
    add_driver(enrolment.project, text="Calm evenings on the ward")
    client.force_login(qiadmin)
    url = reverse("workspace:storyboard", args=[enrolment.project_id])
    client.get(url)  # the first view draws the team's chart snapshot; the bound is for every view after it
    with django_assert_max_num_queries(18):
        page = client.get(reverse("workspace:storyboard", args=[enrolment.project_id])).content.decode()
    assert 'data-testid="storyboard-diagram"' in page and "Calm evenings on the ward" in page
    assert 'data-testid="storyboard-programme-diagram"' not in page


def test_a_project_in_no_programme_says_it_has_no_diagram_yet(client, chair, coach, sponsor, staff, ward):
    from tests.workflow import approved_project

    project = approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward)
    client.force_login(staff)
    page = client.get(reverse("workspace:storyboard", args=[project.pk])).content.decode()
    assert "No driver diagram of the project's own yet" in page
