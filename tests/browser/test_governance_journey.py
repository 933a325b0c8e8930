"""Issue 3's journey in a real browser: a staff idea reaches the forum, the chair approves it with a
suggested coach and a sponsor, the coach sees the team, and the submitter sees the approved project."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Project, ProjectStatus

TITLE = "Protected mealtimes on Willow Ward"


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_idea_to_approved_project_with_coach_and_sponsor(page, live_server, demo_trust, login, logout, shot,
                                                         axe_check):
    # 1. Staff submits an idea.
    login("staff")
    page.get_by_role("link", name="Submit an idea").first.click()
    page.get_by_label("Title of the idea").fill(TITLE)
    page.get_by_label("Team or service").select_option(label="Willow Ward")
    page.get_by_label("What is the problem?").fill(
        "Mealtimes are interrupted by ward rounds and phone calls; a third of patients leave food uneaten.")
    page.get_by_label("Why does it matter, and to whom?").fill(
        "Service users told the community meeting that meals are rushed; staff say nutrition scores are falling.")
    page.get_by_label("Staff", exact=True).check()
    page.get_by_label("Service users", exact=True).check()
    page.get_by_label("What will improve?").fill("Increase the share of meals eaten without interruption")
    page.get_by_label("By how much?").fill("from 40% to 80%")
    page.get_by_label("By when?").fill((dt.date.today() + dt.timedelta(days=300)).isoformat())
    for name in ("condition_matters_most", "condition_team_agreed", "condition_whole_team"):
        page.locator(f"input[name='{name}']").check()
    page.get_by_label("Full partners in the team").check()
    # Someone from another team, found by typing (the form lists only suggestions).
    page.get_by_label("Find someone by name, team or organisation").fill("coach")
    found = page.locator("[data-picker=id_members] .picker-results button").first
    found.wait_for()
    found.click()
    expect(page.locator("[data-picker=id_members] .picker-results")).to_contain_text("added")
    picked = page.locator("#id_members option:checked")
    expect(picked).to_have_count(1)
    axe_check("idea form")
    shot("journey-1-idea-form")
    page.get_by_role("button", name="Save and review for submission").click()
    page.wait_for_url("**/submit/")
    axe_check("submit page")
    shot("journey-2-review-and-duplicate-check")
    page.get_by_role("button", name="Send to the forum").click()
    assert Project.objects.get(title=TITLE).members.filter(left_on__isnull=True).count() == 2
    page.wait_for_url("**/projects/*/")
    assert "forum" in page.locator(".messages").inner_text()
    project = Project.objects.get(title=TITLE)
    assert project.status == ProjectStatus.SUBMITTED
    shot("journey-3-submitted")
    logout()

    # 2. The chair opens the next meeting and approves with the suggested coach and a sponsor.
    login("chair")
    page.get_by_test_id("panel-chair").get_by_role("link").first.click()
    page.wait_for_url("**/forums/meetings/*/")
    item = page.get_by_test_id("agenda-item").filter(has_text=TITLE)
    assert item.count() == 1
    axe_check("forum meeting page")
    item.locator("label", has_text="Approve").click()
    coach_select = item.get_by_label("QI coach")
    first_suggestion = coach_select.locator("option").nth(1).inner_text()
    assert "Chris Adeyemi" in first_suggestion, first_suggestion  # same directorate, most spare capacity
    coach_select.select_option(index=1)
    item.get_by_label("QI sponsor").select_option(index=1)
    item.get_by_label("Feedback, reason or note").fill("A clear aim with service users as partners. Go ahead.")
    shot("journey-4-chair-approves")
    item.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert project.coach.username == "coach" and project.sponsor is not None
    shot("journey-5-decision-recorded")
    logout()

    # 3. The coach sees the team on the coaching page.
    login("coach")
    page.get_by_role("link", name="Coaching", exact=True).click()
    assert page.get_by_text(TITLE).first.is_visible()
    axe_check("coaching page")
    shot("journey-6-coach-sees-team")
    logout()

    # 4. The submitter sees the approved project, and the e-mails were sent.
    login("staff")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    assert "Active" in page.locator(".status-badge").first.inner_text()
    assert page.get_by_text("Chris Adeyemi").first.is_visible()
    axe_check("approved project page")
    shot("journey-7-submitter-sees-approved-project")
    subjects = {m.subject: m.to for m in mail.outbox}
    assert any(TITLE in s and "approve" in s.lower() and "staff@example.nhs.uk" in to for s, to in subjects.items())
    assert any("coach@example.nhs.uk" in to for to in subjects.values())
