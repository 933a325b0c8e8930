"""A board member reads the report quickly and follows its figures: the charts are static SVG until one is
asked for (by keyboard here), and a figure of the live QI portfolio opens the projects it counts."""

import re

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_board_member_opens_a_chart_by_keyboard_and_follows_a_portfolio_figure(
        page, live_server, demo_trust, login, axe_check):
    from board.models import BoardReport

    report = BoardReport.objects.published().order_by("-meeting_date").first() or BoardReport.objects.first()
    login("board" if report.is_published else "qiadmin")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    charts = page.locator("[data-testid=board-chart] svg.spc-chart")
    assert charts.count() >= 12
    assert charts.first.locator("title").text_content().startswith("SPC chart of ")
    assert page.locator("script[src*=plotly]").count() == 0  # nothing of Plotly's is loaded until it is asked for
    button = page.get_by_test_id("open-chart").first
    button.focus()
    page.keyboard.press("Enter")
    chart = page.locator(".board-chart .main-svg").first
    chart.wait_for()
    assert page.locator("script[src*=plotly]").count() == 1
    assert page.evaluate("document.activeElement.classList.contains('board-chart')")
    page.locator("[data-testid=open-chart]:visible").first.click()  # a second chart reuses the Plotly already loaded
    page.locator(".board-chart .main-svg").nth(1).wait_for()
    assert page.locator("script[src*=plotly]").count() == 1
    axe_check("board report with an interactive chart")

    page.goto(f"{live_server.url}/board/portfolio/")
    total = page.get_by_test_id("running-total").get_by_role("link")
    figure = int(total.inner_text())
    assert figure > 0
    total.click()
    page.wait_for_url("**/projects/?*status=running*")
    assert re.match(rf"{figure} projects? match", page.get_by_test_id("result-count").inner_text())
    axe_check("the projects behind a portfolio figure")
