"""A QI admin moving in: downloads the sample, uploads the trust's tracker, maps the columns, reads the
preview's problems, brings the good projects in and finds them in the project list."""

import pytest

from ingest import portfolio
from organisation.models import CoachProfile, Role
from projects.models import Project
from tests.factories import PASSWORD, DirectorateFactory, TeamFactory, UserFactory


@pytest.fixture
def trust(transactional_db):
    riverside = DirectorateFactory(name="Riverside Mental Health", slug="riverside")
    northgate = DirectorateFactory(name="Northgate Mental Health", slug="northgate")
    rowan = TeamFactory(directorate=riverside, name="Rowan Ward")
    TeamFactory(directorate=northgate, name="Hazel Ward")
    UserFactory(username="qiadmin", display_name="Lee Walsh", team=rowan, roles=[Role.STAFF, Role.QI_ADMIN])
    coach = UserFactory(username="coach", email="coach@example.nhs.uk", team=rowan, roles=[Role.STAFF, Role.COACH])
    CoachProfile.objects.create(user=coach, hours_per_week=3, max_teams=2)
    UserFactory(username="sponsor", email="sponsor@example.nhs.uk", team=rowan,
                roles=[Role.STAFF, (Role.SPONSOR, riverside)])


def test_qi_admin_brings_the_old_portfolio_in(page, live_server, login, shot, axe_check, tmp_path, trust):
    book = tmp_path / "tracker.xlsx"
    rows = portfolio.SAMPLE["Projects"]
    rows.append(["LQI-2001", "", "Riverside Mental Health", "Rowan Ward", "Ann Lee", "ann.lee@example",
                 "Paused for ever", "", "2031-01-01", "", "", "", "", "9", ""])
    try:
        book.write_bytes(portfolio.sample_workbook())
    finally:
        rows.pop()

    login("qiadmin", PASSWORD)
    page.goto(f"{live_server.url}/portfolio-import/")
    page.get_by_label("The portfolio file").set_input_files(str(book))
    shot("portfolio-import-1-start")
    page.get_by_role("button", name="Read the file").click()
    page.wait_for_url("**/columns/")
    assert page.get_by_label("Title").input_value() == "Project title"
    assert page.get_by_label("QI coach's e-mail").input_value() == "QI coach email"
    axe_check("portfolio column mapping")
    shot("portfolio-import-2-columns")
    page.get_by_role("button", name="Check every row").click()
    page.wait_for_selector("[data-testid=preview-summary]")
    summary = page.get_by_test_id("preview-summary").inner_text()
    assert "2 projects ready to bring in" in summary and "1 with problems" in summary
    problems = page.locator("tr[data-line='4']").inner_text()
    assert "No title." in problems and "not an e-mail address" in problems and "is in the future" in problems
    assert "priya.shah@example.nhs.uk" in page.get_by_test_id("unknown-people").inner_text()
    axe_check("portfolio preview")
    shot("portfolio-import-3-preview")
    assert not Project.objects.exists()
    page.get_by_role("button", name="Bring in 2 projects").click()
    page.wait_for_selector("[data-testid=import-result]")
    assert "Brought in 2 projects" in page.get_by_test_id("import-result").inner_text()
    shot("portfolio-import-4-done")
    page.get_by_role("link", name="See the projects").click()
    assert page.get_by_role("link", name="Safer handovers on Rowan Ward").is_visible()
