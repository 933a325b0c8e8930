"""A ward manager takes the demo Willow Ward project's storyboard to a learning session: opened from the
workspace, read on screen, printed on one A4 landscape sheet and downloaded as a PDF. axe-core clean."""

import re

import pytest
from django.core.management import call_command

from projects.models import Project

from .conftest import SHOTS


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_the_ward_manager_prints_and_downloads_the_storyboard(page, live_server, demo_trust, login, shot,
                                                              axe_check):
    project = Project.objects.get(title="Fewer restraints: reducing restrictive practice on Willow Ward")
    login("staff")
    page.goto(f"{live_server.url}/workspace/projects/{project.pk}/")
    page.get_by_test_id("storyboard-link").click()
    page.wait_for_url(f"**/workspace/projects/{project.pk}/storyboard/")
    board = page.get_by_test_id("storyboard")
    assert project.aim_versions.order_by("-version").first().statement in board.get_by_test_id(
        "storyboard-aim").inner_text()
    assert board.get_by_test_id("storyboard-diagram").locator("svg g.dd-idea").count() >= 3
    chart = board.get_by_test_id("storyboard-chart")
    assert chart.locator("svg.spc-chart").count() == 1 and chart.locator("figure.sb-icon").count() >= 1
    assert board.get_by_test_id("storyboard-ramps").locator("li.sb-step").count() >= 3
    assert page.get_by_role("button", name="Print").is_visible()  # shown by the page's script, no inline one
    axe_check("the storyboard")
    shot("storyboard-screen")

    # Printed: the poster alone, on one A4 landscape sheet.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    assert not page.locator("header.qi-header").is_visible()
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", printed)) == 1, "the storyboard prints on one sheet"
    shot("storyboard-print")
    page.emulate_media(media="screen")

    response = page.request.get(live_server.url + page.get_by_test_id("storyboard-pdf").get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    (SHOTS / "storyboard.pdf").write_bytes(response.body())
