"""A ward team's journey through its workspace: drivers and change ideas, two PDSA cycles, a progress
score, a closure request, and the forum chair confirming it. Screenshots and axe-core at every step."""

import pytest

from projects.models import Project, ProjectStatus
from tests.factories import PASSWORD
from tests.workflow import approved_project
from workspace.models import ChangeIdea, PDSACycle, ProgressScore


@pytest.fixture
def journey_project(transactional_db, staff, chair, coach, sponsor, ward):
    return approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward,
                            title="Reducing violence and aggression on Willow Ward")


def test_lead_builds_the_diagram_tests_changes_scores_progress_and_the_chair_closes_the_project(
        page, live_server, journey_project, staff, chair, login, logout, shot, axe_check):
    project = journey_project
    workspace = f"{live_server.url}/workspace/projects/{project.pk}/"
    login(staff.username, PASSWORD)
    page.goto(workspace)
    assert page.get_by_test_id("aim").inner_text().startswith("Reduce incidents of physical violence")
    axe_check("empty workspace")
    shot("workspace-01-empty")

    # Drivers: two primary drivers, a secondary under each.
    for text in ("A calm, predictable ward day", "Spotting distress early"):
        page.get_by_role("link", name="+ primary driver").click()
        page.locator("#id_text").fill(text)
        page.get_by_role("button", name="Add the driver").click()
    axe_check("workspace with primary drivers")
    for primary, text in (("A calm, predictable ward day", "Evening activities people want to join"),
                          ("Spotting distress early", "A short safety huddle every shift")):
        page.get_by_role("link", name=f"+ secondary driver under “{primary}”").click()
        page.locator("#id_text").fill(text)
        if text.startswith("Evening"):
            axe_check("add a driver")
            shot("workspace-02-add-driver")
        page.get_by_role("button", name="Add the driver").click()

    # Change ideas; the calm boxes work on both secondary drivers.
    page.get_by_role("link", name="Add a change idea").click()
    page.locator("#id_title").fill("Safety huddle at 10:00 and 18:00")
    page.get_by_label("A short safety huddle every shift", exact=False).check()
    page.get_by_role("button", name="Add the change idea").click()
    page.get_by_role("link", name="Add a change idea").click()
    page.locator("#id_title").fill("Calm boxes on each corridor")
    page.locator("#id_description").fill("Sensory kits chosen by the people who use them.")
    page.get_by_label("Evening activities people want to join", exact=False).check()
    page.get_by_label("A short safety huddle every shift", exact=False).check()
    axe_check("add a change idea")
    shot("workspace-03-add-change-idea")
    page.get_by_role("button", name="Add the change idea").click()
    assert page.get_by_test_id("driver-diagram").locator("g.dd-idea").count() == 2
    axe_check("workspace with a driver diagram")
    shot("workspace-04-driver-diagram")

    # The team has a diagram: the coach's advice is to move on to testing.
    page.locator("#id_stage").select_option("test")
    page.locator("#id_note").fill("Driver diagram agreed with the team and two service users.")
    page.get_by_role("button", name="Move on").click()
    assert page.locator(".stage-step.current").inner_text().strip().endswith("Testing changes")

    # PDSA 1: plan today, come back to record Do, Study and Act.
    page.get_by_role("link", name="Plan a first cycle for “Safety huddle at 10:00 and 18:00”").click()
    page.locator("#id_what").fill("A five-minute huddle on the late shift, led by the coordinator.")
    page.locator("#id_who").fill("Shift coordinator")
    page.locator("#id_question").fill("Can we hold it on a busy shift?")
    page.locator("#id_prediction").fill("It will happen on most shifts but be dropped when short-staffed.")
    axe_check("plan a PDSA cycle")
    shot("workspace-05-pdsa-plan")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Continue this cycle").click()
    page.locator("#id_what_happened").fill("It happened on 4 of 6 shifts.")
    page.locator("#id_learning").fill("As predicted, it was dropped when busy: it needs a named owner.")
    page.locator("#id_act_decision").select_option("adapt")
    page.locator("#id_next_steps").fill("Huddle on every shift with a named owner.")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_test_id("act-decision").inner_text() == "Adapt"
    axe_check("PDSA cycle")
    shot("workspace-06-pdsa-1-done")

    # PDSA 2 builds on it, prefilled from its next steps.
    page.get_by_role("link", name="Next cycle").click()
    assert page.locator("#id_what").input_value() == "Huddle on every shift with a named owner."
    page.locator("#id_prediction").fill("It will happen on 8 shifts in 10.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Continue this cycle").click()
    page.locator("#id_what_happened").fill("It happened on 13 of 14 shifts.")
    page.locator("#id_learning").fill("Better than predicted; staff like it.")
    page.locator("#id_act_decision").select_option("adopt")
    page.get_by_role("button", name="Save", exact=True).click()
    shot("workspace-07-pdsa-2-adopted")
    cycles = list(PDSACycle.objects.order_by("number"))
    assert [(c.number, c.act_decision) for c in cycles] == [(1, "adapt"), (2, "adopt")]
    assert cycles[1].builds_on == cycles[0]
    assert ChangeIdea.objects.get(title__startswith="Safety huddle").status == "adopted"

    # The month's progress score.
    page.goto(workspace)
    page.get_by_role("link", name="Score this month").click()
    page.locator("#id_score").select_option("2.5")
    page.locator("#id_narrative").fill("Two cycles of the safety huddle; adopted on every shift.")
    page.locator("#id_help_needed").fill("Cover for the coordinator's huddle when the ward is short.")
    axe_check("monthly progress")
    shot("workspace-08-progress")
    page.get_by_role("button", name="Record the score").click()
    assert "Changes tested, but no improvement" in page.get_by_test_id("progress").inner_text()
    assert ProgressScore.objects.filter(project=project).count() == 1
    axe_check("workspace after a month's work")
    shot("workspace-09-after-a-month")

    # Closure request.
    page.get_by_role("link", name="Request closure").click()
    page.get_by_label("Completed – aim met").check()
    page.locator("#id_results").fill("Incidents fell from 9 to 4 a month and held for three months.")
    page.locator("#id_learning").fill("Start small: one nurse, one shift.")
    page.locator("#id_sustain_plan").fill("The ward manager owns the huddle; the measure stays on the dashboard.")
    page.get_by_label("Other teams should try these changes").check()
    axe_check("request closure")
    shot("workspace-10-request-closure")
    page.get_by_role("button", name="Send the closure request").click()
    assert "Closure requested" in page.get_by_test_id("closure").inner_text()
    logout()

    # The forum chair confirms.
    login(chair.username, PASSWORD)
    page.goto(workspace)
    page.get_by_role("link", name="Review the closure").click()
    axe_check("closure review")
    shot("workspace-11-closure-review")
    page.get_by_label("Confirm the closure").check()
    page.locator("#id_note").fill("Well done to the whole team.")
    page.get_by_role("button", name="Record the decision").click()
    assert "Confirmed" in page.get_by_test_id("review-outcome").inner_text()
    shot("workspace-12-closure-confirmed")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    page.goto(f"{live_server.url}/workspace/library/")
    assert project.title in page.get_by_test_id("library").inner_text()
    axe_check("learning library")
    shot("workspace-13-library")
    assert Project.objects.get(pk=project.pk).closed_on is not None
