"""Assurance as people use it: an executive plans, records and follows up a WalkRound; assessors accredit a
team and it sees its award; a ward shows its huddle board on a wall screen. axe-core clean on the way."""

import re

import pytest
from django.core.management import call_command


def open_quality(page, item: str) -> None:
    page.locator("#main-nav [data-nav='group:Quality']").click()
    page.locator("#main-nav").get_by_role("link", name=item, exact=True).click()


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_an_executive_plans_records_and_follows_up_a_walkround(page, live_server, demo_trust, login, logout, shot,
                                                                axe_check):
    from assurance.models import PlannedWalkRound

    login("board")
    open_quality(page, "WalkRound schedule")
    page.wait_for_url("**/assurance/schedule/")
    axe_check("WalkRound schedule")
    shot("assurance-schedule")
    plan = PlannedWalkRound.objects.filter(executive__username="board", walkround__isnull=True).select_related(
        "team").first()
    page.get_by_test_id("planned").filter(has_text=plan.team.name).get_by_role("link", name="Record it").click()
    page.wait_for_url(f"**/assurance/teams/{plan.team_id}/walkrounds/new/")
    axe_check("record a WalkRound")

    # Forgetting one answer: the message sits beside it and nothing typed is lost.
    page.get_by_label("What is the team proud of?").fill("The garden the service users planted.")
    page.get_by_label("What is the team working to improve?").fill("Fewer missed physical health checks.")
    page.get_by_label("What is getting in the way of doing the best it can?").fill("")
    page.get_by_label("How is the team taking care of itself?").fill("Walking meetings on Wednesdays.")
    page.locator("#id_actions-0-description").fill("Ask estates for a second blood pressure machine")
    page.locator("#id_actions-0-owner").select_option(index=1)
    page.locator("#id_actions-0-due").fill("2030-01-31")
    page.get_by_role("button", name="Record the WalkRound").click()
    error = page.locator("#div_id_getting_in_the_way .invalid-feedback")
    assert "This field is required" in error.inner_text()
    assert page.get_by_label("What is the team proud of?").input_value() == "The garden the service users planted."
    assert page.locator("#id_actions-0-description").input_value() == "Ask estates for a second blood pressure machine"
    shot("assurance-walkround-error")

    page.get_by_label("What is getting in the way of doing the best it can?").fill(
        "The only blood pressure machine is shared with the next ward.")
    page.get_by_role("button", name="Record the WalkRound").click()
    page.wait_for_url(re.compile(r".*/assurance/walkrounds/\d+/$"))
    assert "is recorded" in page.content()
    assert "second blood pressure machine" in page.get_by_test_id("action").first.inner_text()
    axe_check("a WalkRound")

    # Following up: the executive closes the action, and its history says so.
    action = page.get_by_test_id("action").first
    action.get_by_label("Status").select_option("done")
    action.get_by_label("Note (optional)").fill("Machine delivered")
    action.get_by_role("button", name="Update").click()
    page.wait_for_url(re.compile(r".*/assurance/walkrounds/\d+/$"))
    page.get_by_test_id("action").first.locator("summary").click()
    assert "Machine delivered" in page.get_by_test_id("action").first.inner_text()
    shot("assurance-walkround")

    open_quality(page, "WalkRound coverage")
    axe_check("coverage")
    assert "never visited" in page.content()
    shot("assurance-coverage")
    logout()

    # The owner of an overdue action sees it on their home page.
    login("staff")
    panel = page.get_by_test_id("panel-overdue-actions")
    assert panel.is_visible() and "Due" in panel.inner_text()
    shot("assurance-home-overdue")


def test_assessors_accredit_a_team_and_it_sees_its_award(page, live_server, demo_trust, login, logout, shot,
                                                          axe_check):
    from assurance.models import Assessment

    draft = Assessment.objects.get(status="draft")
    login("serviceuser")
    open_quality(page, "Accreditation")
    axe_check("accreditation list (assessor)")
    page.get_by_role("link", name=draft.team.name).first.click()
    page.wait_for_url(f"**/assurance/accreditation/{draft.pk}/")
    assert "12 of 30 standards judged" in page.content()
    cards = page.get_by_test_id("standard")
    for i in range(12, 30):
        card = cards.nth(i)
        card.get_by_label("Met", exact=True).check() if i % 4 else card.get_by_label("Not met").check()
        card.get_by_label("Evidence").fill(f"What three people told us about standard {i + 1}.")
    page.get_by_role("button", name="Save judgements").click()
    page.wait_for_url(f"**/assurance/accreditation/{draft.pk}/")
    assert "30 of 30 standards judged" in page.content()
    axe_check("an assessment being recorded")
    shot("assurance-assessment-judging")
    logout()

    login("qiadmin")
    page.goto(f"{live_server.url}/assurance/accreditation/{draft.pk}/")
    page.get_by_label("Report for the team").fill("People feel safe and listened to; weekends are long.")
    page.get_by_role("button", name="Publish the report").click()
    page.wait_for_url(f"**/assurance/accreditation/{draft.pk}/")
    award = page.get_by_test_id("award").inner_text()
    assert "Silver" in award and "25 of 30 standards met" in award  # 12 + 13 met; 23 is Silver's threshold
    open_quality(page, "Accreditation across the trust")
    axe_check("accreditation across the trust")
    assert page.get_by_test_id("pareto").locator("svg rect").count() >= 3
    shot("assurance-accreditation-trust")
    logout()

    # The team reads its own award and report, and starts an idea from an area for improvement.
    login("staff")
    open_quality(page, "Accreditation")
    page.get_by_role("link", name="Willow Ward").first.click()
    assert "Silver" in page.get_by_test_id("award").inner_text()
    assert "Last time: Not met" in page.content()
    axe_check("the team's accreditation report")
    shot("assurance-accreditation-report")
    page.get_by_role("button", name="Start an idea draft").first.click()
    page.wait_for_url(re.compile(r".*/projects/\d+/edit/$"))
    assert "started from the area for improvement" in page.content()


def test_a_ward_shows_its_huddle_board_on_a_wall_screen(page, browser, live_server, demo_trust, login, logout, shot,
                                                         axe_check):
    from organisation.models import Team

    willow = Team.objects.get(name="Willow Ward")
    login("staff")
    open_quality(page, "My team's quality")
    page.wait_for_url(f"**/assurance/teams/{willow.pk}/")
    axe_check("team quality page")
    shot("assurance-team-quality")
    page.get_by_role("link", name="huddle log").click()
    page.get_by_label("How many attended?").fill("11")
    page.locator("#id_issues-0-description").fill("Hoist in bathroom two broken again")
    page.locator("#id_issues-0-outcome").select_option("escalated")
    page.locator("#id_issues-0-owner").select_option(index=1)
    page.get_by_role("button", name="Log the huddle").click()
    page.wait_for_url(f"**/assurance/teams/{willow.pk}/huddles/")
    assert "Hoist in bathroom two broken again" in page.get_by_test_id("huddle").first.inner_text()
    axe_check("huddle log")
    logout()

    login("qiadmin")
    page.goto(f"{live_server.url}/assurance/teams/{willow.pk}/huddles/")
    page.get_by_label("Where is the screen?").fill("Ward office")
    page.get_by_role("button", name="Issue a link").click()
    url = page.get_by_test_id("board-url").inner_text()
    shot("assurance-board-link")

    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True).new_page()
    wall.goto(url)
    assert wall.get_by_role("heading", name="Willow Ward").is_visible()
    assert "Early-warning indicators" in wall.content() and "no patient-identifiable" in wall.content()
    wall.screenshot(path=str(shot("assurance-wall-board").parent / "assurance-wall-board.png"), full_page=True)
    axe_check("the wall board", on=wall)

    page.goto(f"{live_server.url}/assurance/teams/{willow.pk}/huddles/")
    page.get_by_test_id("board-links").locator("li", has_text="Ward office").get_by_role("button",
                                                                                         name="Revoke").click()
    assert wall.goto(url).status == 404
    wall.context.close()
