"""The measure page and the summary cost the same number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Annotation, MeasurePhase, SPCConfig

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def config(db):
    return SPCConfig.current()  # created once, as any running site has it


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_measure_page_queries_do_not_grow_with_points(client, request, ward, project, who):
    client.force_login(request.getfixturevalue(who))
    costs = []
    for n in (12, 200):
        m = make_measure(project=project, chart_type="p", numerator="a", denominator="b", unit="%", multiplier=100)
        points = add_points(m, [5] * n, denominators=[10] * n, start=__import__("datetime").date(2008, 1, 1))
        MeasurePhase.objects.create(measure=m, starts_on=points[n // 2].period_start, kind="rebase")
        Annotation.objects.create(measure=m, date=points[3].period_start, text="Change")
        cold = count(client, reverse("measures:detail", args=[m.pk]))  # computes and stores the snapshot
        costs.append((cold, count(client, reverse("measures:detail", args=[m.pk]))))
    assert costs[0] == costs[1]
    assert costs[1][0] <= 20  # incl. one read of the person's team memberships (Project.visible_to)
    assert costs[1][1] <= 16  # served from the snapshot


def test_summary_queries_do_not_grow_with_measures(client, ia, ward, project):
    client.force_login(ia)

    def make(n: int) -> None:
        for i in range(n):
            kind = i % 4
            if kind == 0:
                m = make_measure(team=ward, chart_type="c")
            elif kind == 1:
                m = make_measure(project=project, chart_type="u", numerator="a", denominator="b", multiplier=1000)
            elif kind == 2:
                m = make_measure(domain="value", chart_type="i")
            else:
                m = make_measure(team=ward, chart_type="xbar")
            pts = add_points(m, [3 + i % 5] * 14, denominators=[100] * 14 if kind == 1 else None)
            if i % 3 == 0:
                MeasurePhase.objects.create(measure=m, starts_on=pts[7].period_start, kind="rebase")

    def costs() -> tuple[int, int, int]:
        cold = count(client, reverse("measures:summary"))  # computes and stores the missing snapshots
        return (cold, count(client, reverse("measures:summary")),
                count(client, reverse("measures:summary") + "?reading=common"))

    make(5)
    few = costs()
    make(35)
    many = costs()
    assert few == many
    assert many[0] <= 22
    assert many[1] <= 12 and many[2] <= 13  # served from snapshots; the reading filter is a database filter


def test_summary_filters(client, ia, ward, other_ward, project):
    a = make_measure(name="Ward falls", team=ward, chart_type="c")
    b = make_measure(name="Hazel falls", team=other_ward, chart_type="c", measure_type="process")
    c = make_measure(name="Board spend", domain="value")
    d = make_measure(name="Project restraint", project=project)
    add_points(a, [5] * 15 + [30])  # a special cause concern (lower is better)
    add_points(b, [5] * 16)
    client.force_login(ia)
    url = reverse("measures:summary")

    def names(**params) -> set[str]:
        response = client.get(url, params)
        return {r.measure.name for r in response.context["rows"]}

    assert names() == {m.name for m in (a, b, c, d)}
    assert names(directorate=ward.directorate_id) == {"Ward falls", "Project restraint"}
    assert names(team=other_ward.pk) == {"Hazel falls"}
    assert names(project=project.pk) == {"Project restraint"}
    assert names(measure_type="process") == {"Hazel falls"}
    assert names(scope="system") == {"Board spend"}
    assert names(scope="team") == {"Ward falls", "Hazel falls"}
    assert names(reading="concern") == {"Ward falls"}
    assert names(reading="common") == {"Hazel falls"}
    assert names(reading="none") == {"Board spend", "Project restraint"}
    page = client.get(url)
    assert "<svg" in page.text and 'class="sparkline"' in page.text
    assert "Special cause variation – concern (high)" in page.text


def test_summary_leaves_out_draft_projects_of_other_teams(client, outsider, staff, ward):
    from tests.factories import ProjectFactory

    m = make_measure(name="Secret draft measure", project=ProjectFactory(team=ward, lead=staff))
    client.force_login(outsider)
    assert "Secret draft measure" not in client.get(reverse("measures:summary")).text
    client.force_login(staff)
    assert "Secret draft measure" in client.get(reverse("measures:summary")).text
    assert m
