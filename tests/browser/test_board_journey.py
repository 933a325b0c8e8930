"""The board report journey: the QI admin prepares and publishes the draft for the next meeting, a board
member reads it and downloads the PDF. axe-core clean on every page on the way."""

import re

import pytest
from django.core.management import call_command


def open_menu(page, item: str) -> None:
    page.locator("#main-nav [data-nav='group:Reports']").click()
    page.locator("#main-nav").get_by_role("link", name=item).click()


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_qi_admin_publishes_and_board_member_reads_and_downloads_the_pdf(
        page, live_server, demo_trust, login, logout, shot, axe_check):
    from board.models import BoardReport

    draft = BoardReport.objects.drafts().get()

    # The QI department prepares the draft: a narrative, the stories, a preview.
    login("qiadmin")
    open_menu(page, "Board report")
    page.wait_for_url("**/board/")
    axe_check("board report list (QI admin)")
    page.get_by_role("link", name=draft.title).click()
    assert page.get_by_test_id("report-status").inner_text().startswith("Draft")
    page.get_by_role("link", name="Edit narratives and stories").click()
    axe_check("prepare the report")
    first = page.locator("textarea[name^=narrative_]").first
    first.fill("Checked with the directorates this week: the rise is real and an action plan is agreed.")
    page.get_by_label("Patient story").select_option(index=1)
    page.get_by_label("Improvement story").select_option(index=1)
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(f"**/board/reports/{draft.pk}/")
    assert "an action plan is agreed" in page.content()
    shot("board-draft-preview")
    page.get_by_test_id("publish").click()
    page.wait_for_url(f"**/board/reports/{draft.pk}/")
    assert page.get_by_test_id("report-status").inner_text() == "Published"
    logout()

    # A board member reads it: summary, a measure's chart with icon and narrative, the portfolio, stories.
    login("board")
    open_menu(page, "Board report")
    axe_check("board report list (board member)")
    assert "Draft" not in page.get_by_test_id("report-list").inner_text()
    page.get_by_test_id("latest-report").click()
    page.wait_for_url(f"**/board/reports/{draft.pk}/")
    page.locator("[data-testid=board-chart] svg.spc-chart").first.wait_for()  # static SVG, drawn by the server
    page.get_by_test_id("open-chart").first.click()  # the interactive chart, Plotly fetched on demand
    page.locator(".board-chart .main-svg").first.wait_for()
    assert page.get_by_test_id("summary-row").count() >= 12
    assert "an action plan is agreed" in page.content()
    page.get_by_role("link", name="3. QI portfolio").click()
    assert page.url.endswith("#portfolio")
    assert "Projects as they stood on" in page.get_by_test_id("portfolio-as-at").inner_text()
    axe_check("published board report")
    shot("board-report-published")

    # The same report by strategic objective: measures not linked to one come last; the anchors still work.
    page.get_by_test_id("group-by-objective").click()
    page.wait_for_url("**?group=objective#summary")
    groups = page.locator("[data-testid=summary-table] .group-row").all_inner_texts()
    assert groups[-1] == "Not linked to a strategic objective" and len(groups) >= 3
    page.locator("[data-testid=board-chart] svg.spc-chart").first.wait_for()
    axe_check("board report by strategic objective")
    shot("board-report-by-objective")
    page.get_by_role("link", name="2. Each measure").click()
    assert page.url.endswith("?group=objective#measures")

    # The PDF, in the grouping shown: requested, built in the background, polled by static JS, then downloaded.
    page.get_by_test_id("pdf-request").click()
    link = page.get_by_test_id("pdf-download")
    link.wait_for(timeout=60_000)
    assert re.search(r"\d+ pages", link.inner_text())
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("-by-objective.pdf")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    # The live portfolio and the ward early-warning board.
    page.goto(f"{live_server.url}/board/portfolio/")
    axe_check("QI portfolio")
    open_menu(page, "Ward early warning")
    axe_check("ward early warning")
    shot("board-early-warning")
    page.locator(".ew-link").first.click()
    page.wait_for_url("**/measures/*/")
    logout()
