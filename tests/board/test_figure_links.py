"""Every figure of the QI portfolio and of the report's SPC headline leads to the list of what it counts:
followed, each link lists as many projects or measures as the figure says."""

import html
import re

import pytest
from django.urls import reverse

from board import services
from measures.models import Domain

from .conftest import MEETING, RISING, STABLE, make_wsm
from .test_portfolio import MONTH, trust  # noqa: F401 (the hand-counted trust, a fixture)

LINK = re.compile(r'<a href="([^"]+)" class="figure-link" data-testid="figure-link">(\d+)')
PROJECTS = re.compile(r'data-testid="result-count">(\d+) project')
MEASURES = re.compile(r'data-testid="count">(\d+) measure')


def figure_links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n)) for href, n in LINK.findall(page)]


def listed(client, url: str, pattern: re.Pattern) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = pattern.search(response.content.decode())
    assert found, f"no count on {url}"
    return int(found.group(1))


def assert_each_link_lists_its_figure(client, links, pattern) -> None:
    wrong = [(url, n, listed(client, url, pattern)) for url, n in links]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert not wrong, f"figure, then the list's count: {wrong}"


def test_every_figure_of_the_live_portfolio_lists_the_projects_it_counts(client, trust, board):  # noqa: F811
    client.force_login(board)
    links = figure_links(client.get(reverse("board:portfolio")).content.decode())
    # Stages (2 directorates x 5 stages, row and column totals), progress (running twice, scored, up, level,
    # down, not scored, 10 scores x 2 months), alignment (4 + running), aims (3 levels x 3), coaching (2
    # directorates), decisions (1 forum x 4 outcomes + totals).
    assert len(links) >= 70, len(links)
    assert any("score_change=down" in url for url, _ in links)
    assert any("closure=aim_met" in url for url, _ in links)
    assert any("coached_from=" in url for url, _ in links)
    assert any("decision=approve" in url for url, _ in links)
    assert_each_link_lists_its_figure(client, links, PROJECTS)


def test_a_chosen_directorate_keeps_its_figures_and_their_lists_in_step(client, trust, board,  # noqa: F811
                                                                        other_directorate):
    client.force_login(board)
    page = client.get(reverse("board:portfolio"), {"directorate": other_directorate.pk}).content.decode()
    links = figure_links(page)
    assert links and all(f"directorate={other_directorate.pk}" in url or "coached_from=" in url
                         for url, _ in links)
    assert_each_link_lists_its_figure(client, links, PROJECTS)


def test_staff_see_their_own_directorate_and_its_lists(client, trust, staff):  # noqa: F811
    client.force_login(staff)
    links = figure_links(client.get(reverse("board:portfolio")).content.decode())
    assert links
    assert_each_link_lists_its_figure(client, links, PROJECTS)


def test_the_project_list_says_which_portfolio_figure_it_shows(client, trust, board):  # noqa: F811
    client.force_login(board)
    page = client.get(reverse("projects:list"), {"status": "running", "score_month": MONTH.isoformat(),
                                                 "score": "none"}).content.decode()
    assert 'data-testid="portfolio-filters"' in page and "ihi score <strong>Not scored</strong>" in page
    assert 'type="hidden" name="score"' in page  # kept when the visible filters are sent again


def test_every_count_of_the_report_headline_lists_the_measures_it_counts(client, qiadmin, board):
    for i in range(6):
        make_wsm(f"Measure {i}", domain=list(Domain)[i % 4], values=RISING if i % 3 == 0 else STABLE,
                 owner=qiadmin)
    make_wsm("No data yet", domain=Domain.VALUE)
    # Targets the process reliably meets, reliably misses, and hits and misses (lower is better).
    for name, target in (("Meets", 1000), ("Misses", -1000), ("Hit and miss", sum(STABLE) / len(STABLE))):
        make_wsm(name, values=STABLE, target=target, owner=qiadmin)
    draft = services.create_draft(meeting_date=MEETING, by=qiadmin)
    client.force_login(qiadmin)
    page = client.get(reverse("board:report", args=[draft.pk])).content.decode()
    headline = page[page.index('data-testid="headline"'):]
    headline = headline[:headline.index("</p>")]
    links = figure_links(headline)
    assert [n for _, n in links][:1] == [10] and len(links) >= 7
    assert sum("assurance=" in url for url, _ in links) == 3
    assert_each_link_lists_its_figure(client, links, MEASURES)

    published = services.publish(draft, by=qiadmin)
    client.force_login(board)
    page = client.get(reverse("board:report", args=[published.pk])).content.decode()
    assert 'data-testid="headline-links-note"' in page
    assert_each_link_lists_its_figure(client, figure_links(page[page.index('data-testid="headline"'):]
                                                           .split("</p>")[0]), MEASURES)


@pytest.mark.parametrize("frozen", [True, False])
def test_the_reports_portfolio_figures_are_not_links(client, qiadmin, frozen):
    """A report's portfolio is as the projects stood at the meeting: the live list would not match it."""
    draft = services.create_draft(meeting_date=MEETING, by=qiadmin)
    report = services.publish(draft, by=qiadmin) if frozen else draft
    client.force_login(qiadmin)
    page = client.get(reverse("board:report", args=[report.pk])).content.decode()
    portfolio = page[page.index('id="portfolio"'):page.index('id="stories"')]
    assert "figure-link" not in portfolio and reverse("board:portfolio") in portfolio
