"""The QI department runs a collaborative in the browser from scope to evaluate: the programme, its theory of
change and measurement plan, a learning session, recruiting and enrolling a ward, recording the session,
linking the ward's change idea to the package and evaluating. Screenshots and axe-core at each step."""

import datetime as dt

import pytest

from organisation.models import AnnualPriority, Role
from programmes.models import Programme, Stage
from tests.factories import PASSWORD, UserFactory
from workspace.services import add_change_idea


@pytest.fixture
def cast(transactional_db, qiadmin, sponsor, coach, staff, ward):
    AnnualPriority.objects.create(year=2026, name="Reducing restrictive practice on inpatient wards",
                                  large_scale_programme=True)
    board = UserFactory(username="chiefnurse", display_name="Pat Campbell", team=ward, roles=[Role.STAFF, Role.BOARD])
    return {"qiadmin": qiadmin, "board": board, "sponsor": sponsor, "coach": coach, "staff": staff, "ward": ward}


def _move(page, label):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_qi_department_runs_a_collaborative_from_scope_to_evaluate(page, live_server, cast, login, logout, shot,
                                                                  axe_check):
    login(cast["qiadmin"].username, PASSWORD)
    page.get_by_role("button", name="Projects").click()
    page.get_by_role("link", name="Improvement programmes").click()
    page.get_by_role("link", name="Start a programme").click()
    page.get_by_label("Title").fill("Violence reduction collaborative")
    page.get_by_label("Topic").fill("reducing violence and aggression")
    page.get_by_label("Annual priority").select_option(
        label="Reducing restrictive practice on inpatient wards (2026/27)")
    page.get_by_label("Programme lead").select_option(label=cast["qiadmin"].name)
    page.get_by_label("Problem statement").fill("Assaults on our wards have risen; evenings are the worst.")
    page.get_by_label("Aim").fill("Halve incidents per 1,000 occupied bed days within two years")
    page.get_by_label("Teams planned").fill("8")
    page.get_by_label("Pat Campbell").check()
    axe_check("new programme form")
    shot("programme-01-new")
    page.get_by_role("button", name="Start scoping").click()
    programme = Programme.objects.get(title="Violence reduction collaborative")
    assert page.get_by_test_id("stage").inner_text() == "Scope"

    # The checklist holds the programme in scope until the baseline is written.
    assert "Baseline data" in page.get_by_test_id("checklist").inner_text()
    _move(page, "Move to Design")
    assert "Before moving on, the programme needs: Baseline data" in page.locator(".alert").first.inner_text()
    shot("programme-02-checklist-refuses")
    page.get_by_role("link", name="Edit the programme").click()
    page.get_by_label("Baseline data").fill("About 9 incidents per 1,000 occupied bed days last year.")
    page.get_by_role("button", name="Save").click()
    _move(page, "Move to Design")
    assert page.get_by_test_id("stage").inner_text() == "Design"

    # Theory of change and change package.
    page.get_by_label("Driver*").fill("A calm, predictable ward day")
    page.get_by_role("button", name="Add the driver").click()
    page.get_by_label("Driver*").fill("Daily safety huddle")
    page.get_by_label("Under the primary driver").select_option(label="A calm, predictable ward day")
    page.get_by_role("button", name="Add the driver").click()
    page.get_by_label("Change idea*").fill("Safety huddles")
    page.get_by_label("Daily safety huddle").check()
    page.get_by_role("button", name="Add the idea").click()
    assert page.get_by_test_id("driver-diagram").locator("g.dd-idea").count() == 1

    # Measurement plan: a rate without its numerator is refused beside the field, and nothing typed is lost.
    page.get_by_role("link", name="Add a standard measure").click()
    page.get_by_label("Name").fill("Incidents per 1,000 occupied bed days")
    page.get_by_label("Operational definition").fill("Violent incidents reported per 1,000 occupied bed days.")
    page.get_by_label("Chart type").select_option("u")
    page.get_by_label("Multiplier").fill("1000")
    page.get_by_role("button", name="Add to the measurement plan").click()
    assert "needs a numerator" in page.locator("#div_id_numerator").inner_text()
    assert page.get_by_label("Name").input_value() == "Incidents per 1,000 occupied bed days"
    axe_check("measure template with an error")
    shot("programme-03-measure-error")
    page.get_by_label("Numerator").fill("Incidents of violence and aggression")
    page.get_by_label("Denominator").fill("Occupied bed days")
    page.get_by_role("button", name="Add to the measurement plan").click()
    page.get_by_label("Wave starts on").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Add a wave").click()

    # The learning-session schedule (one this morning, recorded later; one in two months).
    page.get_by_role("link", name="Learning sessions").click()
    for day in (dt.date.today(), dt.date.today() + dt.timedelta(days=60)):
        page.get_by_label("Date").fill(day.isoformat())
        page.get_by_role("button", name="Schedule").click()
    axe_check("sessions")
    shot("programme-04-sessions")
    page.get_by_role("link", name="Overview and results").click()
    _move(page, "Move to Recruit")
    assert page.get_by_test_id("stage").inner_text() == "Recruit"
    axe_check("overview in recruit")
    shot("programme-05-recruit")

    # Recruit: invite Willow Ward, accept it with a coach, a local sponsor and a lead.
    page.get_by_role("link", name="Recruitment").click()
    page.locator("#id_team").select_option(label=cast["ward"].name)
    page.get_by_label("Why this team").fill("Highest incident rate in the directorate")
    page.get_by_role("button", name="Invite").click()
    page.get_by_role("link", name="Accept and enrol").click()
    page.get_by_role("button", name="Enrol the team").click()
    assert "needs a lead" in page.locator("#div_id_lead").inner_text()
    page.get_by_label("Project lead").select_option(label=cast["staff"].name)
    page.get_by_label("QI coach").select_option(index=1)
    page.get_by_label("Local sponsor").select_option(label=cast["sponsor"].name)
    page.get_by_label("Wave").select_option(label="Wave 1")
    axe_check("enrol a team")
    shot("programme-06-enrol")
    page.get_by_role("button", name="Enrol the team").click()
    assert cast["ward"].name in page.get_by_test_id("enrolled").inner_text()
    enrolment = programme.enrolments.get()
    assert enrolment.project.status == "active" and enrolment.measures.count() == 1
    page.get_by_role("link", name="Overview and results").click()
    _move(page, "Move to Deliver")
    assert page.get_by_test_id("stage").inner_text() == "Deliver"

    # Deliver: record the learning session; the ward's change idea joins the package.
    page.get_by_role("link", name="Learning sessions").click()
    page.get_by_role("link", name="Learning session 1").click()
    page.get_by_label("What was shared").fill("Huddle scripts; how to read a u-chart.")
    page.get_by_label(f"{cast['ward'].name} came").check()
    page.get_by_label(f"Who came from {cast['ward'].name}").fill("Ward manager and two nurses")
    page.get_by_label(f"{cast['ward'].name}'s plan").fill("Huddle at every shift change for two weeks")
    axe_check("record a session")
    shot("programme-07-session")
    page.get_by_role("button", name="Save the record").click()
    add_change_idea(enrolment.project, title="Huddle at 10:00 and 18:00")  # the team's own, in its workspace
    page.get_by_role("link", name="Change package").click()
    page.get_by_label("Package idea").select_option(label="Safety huddles")
    page.get_by_label("The team's change idea").select_option(label=f"{cast['ward'].name}: Huddle at 10:00 and 18:00")
    page.get_by_role("button", name="Link").click()
    assert "0 cycles" in page.get_by_test_id("matrix").inner_text()
    axe_check("change package")
    shot("programme-08-package")
    page.get_by_role("link", name="Overview and results").click()
    _move(page, "Move to Evaluate")
    assert page.get_by_test_id("stage").inner_text() == "Evaluate"

    # Evaluate: each team and the programme.
    page.get_by_role("link", name="Evaluation").click()
    page.get_by_label(f"{cast['ward'].name}: aim met?").select_option("aim_partly_met")
    page.get_by_label("Was the programme's aim met?").select_option("aim_partly_met")
    page.get_by_label("What the programme learnt").fill("Huddles worked where the nurse in charge led them.")
    page.get_by_role("button", name="Save the evaluation").click()
    assert page.get_by_test_id("programme-outcome").inner_text() == "Aim partly met"
    axe_check("evaluation")
    shot("programme-09-evaluation")
    programme.refresh_from_db()
    assert programme.stage == Stage.EVALUATE
    assert list(programme.moves.values_list("to_stage", flat=True)) == [
        "scope", "design", "recruit", "deliver", "evaluate"]

    # The board member reads the programme in the QI portfolio: its stage and teams, no aggregate before tonight.
    logout()
    login(cast["board"].username, PASSWORD)
    page.goto(f"{live_server.url}/board/portfolio/")
    section = page.get_by_test_id("programmes-section")
    section.scroll_into_view_if_needed()
    assert section.get_by_test_id("programme-stage").inner_text() == "Evaluate (5 of 5): Aim partly met"
    assert section.get_by_test_id("programme-teams").inner_text() == "1 enrolled of 8 planned"
    section.get_by_role("link", name="Violence reduction collaborative").click()
    assert page.get_by_test_id("stage").inner_text() == "Evaluate"
    shot("programme-10-board-reads-it")
