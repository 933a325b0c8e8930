"""Every board page costs the same number of queries whatever the number of measures and projects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from board import portfolio, services
from measures import rendering
from measures.models import Domain, SPCConfig
from projects.models import Involvement, Project, ProjectStatus
from tests.factories import ProjectFactory, TeamFactory
from workspace.models import ClosureOutcome, ClosureRequest, ProgressScore, ReviewOutcome

from .conftest import MEETING, RISING, STABLE, make_wsm


def grow(n: int, *, coach, sponsor, directorate, qiadmin) -> None:
    """n Whole System Measures (every other one with a fresh nightly snapshot, so the report reads some charts
    from snapshots and computes the rest), n ward indicators, n running and n closed projects with scores."""
    month, previous = portfolio.scoring_months(timezone.localdate())
    domains = list(Domain)
    for i in range(n):
        wsm = make_wsm(f"WSM {i}", domain=domains[i % 4], values=RISING if i % 2 else STABLE, owner=qiadmin,
                       target=12 if i % 3 == 0 else None)
        if i % 2 == 0:
            rendering.render_measures([wsm.pk])
        ward = TeamFactory(directorate=directorate, name=f"Ward {n}-{i}")
        make_wsm(f"Falls {i % 3}", domain="", team=ward, early_warning=True, chart_type="c", values=STABLE)
        running, done = ProjectFactory(team=ward), ProjectFactory(team=ward)
        Project.objects.filter(pk=running.pk).update(status=ProjectStatus.ACTIVE, coach=coach, sponsor=sponsor,
                                                     stage="test", involvement=Involvement.FULL)
        Project.objects.filter(pk=done.pk).update(status=ProjectStatus.COMPLETED)
        ClosureRequest.objects.create(project=done, outcome=ClosureOutcome.AIM_MET, results="r", learning="l",
                                      sustain_plan="s", requested_by=done.lead,
                                      review_outcome=ReviewOutcome.CONFIRMED, reviewed_at=timezone.now())
        for m, s in ((previous, "2.0"), (month, "3.0")):
            ProgressScore.objects.create(project=running, month=m, score=Decimal(s), narrative="-")


def counts(client, users, draft_pk, published_pk) -> dict[str, int]:
    pages = {
        "draft preview": (users["qiadmin"], reverse("board:report", args=[draft_pk])),
        "edit": (users["qiadmin"], reverse("board:edit", args=[draft_pk])),
        "published": (users["board"], reverse("board:report", args=[published_pk])),
        "index": (users["board"], reverse("board:index")),
        "portfolio": (users["board"], reverse("board:portfolio")),
        "portfolio (own directorate)": (users["staff"], reverse("board:portfolio")),
        "early warning": (users["staff"], reverse("board:early_warning")),
    }
    out = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        client.get(url)  # warm: the session, SPCConfig row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        out[name] = len(queries)
    return out


@pytest.fixture
def users(qiadmin, board, staff):
    return {"qiadmin": qiadmin, "board": board, "staff": staff}


def test_query_counts_do_not_grow_with_measures_or_projects(client, users, coach, sponsor, directorate, qiadmin):
    grow(2, coach=coach, sponsor=sponsor, directorate=directorate, qiadmin=qiadmin)
    published = services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)
    draft = services.create_draft(meeting_date=MEETING + dt.timedelta(days=28), by=qiadmin)
    small = counts(client, users, draft.pk, published.pk)

    grow(14, coach=coach, sponsor=sponsor, directorate=directorate, qiadmin=qiadmin)
    services.ensure_narratives(draft)
    large = counts(client, users, draft.pk, published.pk)
    assert large == small
    assert max(small.values()) <= 30, small


def test_publishing_reads_the_data_in_a_fixed_number_of_queries(qiadmin, coach, sponsor, directorate):
    grow(3, coach=coach, sponsor=sponsor, directorate=directorate, qiadmin=qiadmin)
    small_draft = services.create_draft(meeting_date=MEETING, by=qiadmin)
    SPCConfig.current()  # the singleton row exists in any running trust
    with CaptureQueriesContext(connection) as small:
        services.publish(small_draft, by=qiadmin)
    grow(12, coach=coach, sponsor=sponsor, directorate=directorate, qiadmin=qiadmin)
    large_draft = services.create_draft(meeting_date=MEETING + dt.timedelta(days=28), by=qiadmin)
    with CaptureQueriesContext(connection) as large:
        services.publish(large_draft, by=qiadmin)
    assert len(large) == len(small)


def test_the_report_with_40_measures_costs_the_queries_it_costs_with_2(client, qiadmin, board):
    """The issue's case: 40 Whole System Measures, each drawn as a static SVG on the page, in as many queries
    as 2 (the draft preview computes every chart, the published report reads its frozen content)."""
    domains = list(Domain)

    def measures(first: int, last: int) -> None:
        for i in range(first, last):
            make_wsm(f"WSM {i:02d}", domain=domains[i % 4], values=RISING if i % 2 else STABLE, owner=qiadmin)

    def cost(user, report) -> int:
        client.force_login(user)
        url = reverse("board:report", args=[report.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count('class="spc-chart"') == report_measures_on(page)
        return len(queries)

    def report_measures_on(page: str) -> int:
        return page.count('data-testid="board-measure"')

    measures(0, 2)
    meetings = iter(MEETING + dt.timedelta(days=28 * k) for k in range(4))

    def draft():
        return services.create_draft(meeting_date=next(meetings), by=qiadmin)

    small = {"draft": cost(qiadmin, draft()), "published": cost(board, services.publish(draft(), by=qiadmin))}
    measures(2, 40)
    draft_40, published_40 = draft(), services.publish(draft(), by=qiadmin)
    large = {"draft": cost(qiadmin, draft_40), "published": cost(board, published_40)}
    assert large == small
    assert max(large.values()) <= 30, large
