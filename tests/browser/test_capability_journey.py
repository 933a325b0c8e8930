"""Issue 18's journey in a real browser: the QI department plans a wave of the Improvement Leaders'
Programme, a member of staff enrols and links the project they bring, a forum chair nominates a service
user, the facilitator records attendance and presentations, the participant prints their certificate and
the board sees the dashboard move."""

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from capability.models import Cohort, Enrolment
from organisation.models import User

WAVE = "Wave 10"


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def ilp_trained(page, live_server) -> int:
    page.goto(f"{live_server.url}/training/dashboard/")
    row = page.get_by_test_id("targets").first.locator("tr", has_text="Improvement Leaders")
    return int(row.locator("td").nth(4).inner_text().replace(",", ""))


def test_a_whole_improvement_leaders_wave(page, live_server, demo_trust, login, logout, shot, axe_check):
    login("board")
    before = ilp_trained(page, live_server)
    axe_check("dashboard")
    shot("capability-1-dashboard-before")
    logout()

    # 1. The QI department plans the wave: five monthly days, facilitated by an Improvement Advisor.
    login("qiadmin")
    page.goto(f"{live_server.url}/training/")
    page.get_by_role("link", name="Improvement Leaders' Programme").first.click()
    page.get_by_role("link", name="Plan a cohort").click()
    page.get_by_label("Name").fill(WAVE)
    page.get_by_label("Venue").fill("Trust headquarters, room 4")
    page.get_by_label("Capacity").fill("")  # left empty: the form says so and keeps the rest
    first = dt.date.today() - dt.timedelta(days=150)
    for n in range(5):
        page.get_by_label(f"Session {n + 1} date").fill((first + dt.timedelta(days=30 * n)).isoformat())
    page.get_by_label("Facilitators").fill(User.objects.get(username="ia").email)
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("Venue")).to_have_value("Trust headquarters, room 4")
    shot("capability-2-plan-wave-with-an-error")
    page.get_by_label("Capacity").fill("30")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.locator(".messages")).to_contain_text("is planned")
    shot("capability-2b-wave-planned")
    axe_check("cohort page")
    logout()

    # 2. A member of staff enrols and says which project they bring.
    login("staff")
    page.goto(f"{live_server.url}/training/")
    page.get_by_role("link", name="Improvement Leaders' Programme").first.click()
    page.get_by_test_id("cohort-row").filter(has_text=WAVE).get_by_role("button", name="Enrol").click()
    page.wait_for_url("**/training/mine/")
    card = page.get_by_test_id("enrolment").filter(has_text=WAVE)
    project = card.get_by_label("The QI project you bring")
    options = project.locator("option").all_inner_texts()
    project.select_option(label=options[1])
    card.get_by_label("If it is not aligned to a priority: why it matters all the same").fill(
        "The ward's own biggest problem, agreed with the service users on the team.")
    card.get_by_role("button", name="Save the project I bring").click()
    expect(page.locator(".messages")).to_contain_text("The project you bring has been saved")
    axe_check("my training")
    shot("capability-3-my-training-with-project")
    logout()

    # 3. The forum chair nominates a service user co-chair.
    cohort = Cohort.objects.get(name=WAVE)
    login("chair")
    page.goto(f"{live_server.url}/training/cohorts/{cohort.pk}/")
    page.get_by_label("Person").fill("nobody@example.org")
    page.get_by_role("button", name="Nominate").click()
    expect(page.locator(".messages")).to_contain_text("Nobody is known as")
    page.get_by_label("Person").fill("serviceuser")
    page.get_by_label("Nominated as").select_option(label="Their forum")
    page.get_by_role("button", name="Nominate").click()
    expect(page.locator(".messages")).to_contain_text("is enrolled")
    logout()

    # 4. The facilitator records attendance and the presentations; completion follows from the rule.
    login("ia")
    page.goto(f"{live_server.url}/training/cohorts/{cohort.pk}/")
    staff, serviceuser = User.objects.get(username="staff"), User.objects.get(username="serviceuser")
    for person, days in ((staff, [1, 2, 3, 5]), (serviceuser, [1, 2, 3])):
        for n in days:
            page.get_by_label(f"{person.name}, session {n}").check()
        page.get_by_label(f"{person.name} presented on").fill((first + dt.timedelta(days=121)).isoformat())
    shot("capability-4-attendance-grid")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("1 of 2 have completed")
    grid = page.get_by_test_id("attendance-grid")
    expect(grid.locator("tr", has_text=staff.name)).to_contain_text(
        (first + dt.timedelta(days=121)).strftime("%-d %b %Y"))
    expect(grid.locator("tr", has_text=serviceuser.name)).to_contain_text("not yet")  # 3 of the 4 days needed
    axe_check("attendance grid")
    shot("capability-5-completed")
    logout()

    # 5. The participant prints their certificate.
    login("staff")
    page.goto(f"{live_server.url}/training/mine/")
    link = page.get_by_test_id("enrolment").filter(has_text=WAVE).get_by_role("link", name="Certificate (PDF)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
    page.goto(f"{live_server.url}/me/")
    expect(page.get_by_test_id("training-record")).to_contain_text(WAVE)
    logout()

    # 6. The board sees the dashboard move.
    login("board")
    assert ilp_trained(page, live_server) == before + 1
    shot("capability-6-dashboard-after")
    assert Enrolment.objects.get(cohort=cohort, person=staff).completed_on is not None
