"""A project's storyboard: the one-page poster of its workspace, on screen and as a PDF, read by whoever may
read the workspace, in a number of queries that does not grow with the team's cycles or data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import ChartSnapshot
from measures.rendering import render_all
from organisation.models import Role
from tests.board.pdftext import page_texts
from tests.factories import UserFactory
from tests.measures.conftest import add_points, make_measure
from tests.workflow import submitted_idea
from workspace import storyboard
from workspace.services import add_change_idea, add_driver, change_aim, record_progress, save_cycle, start_cycle

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


def fill(project, lead, *, ideas: int, cycles: int, points: int):
    """Drivers, change ideas each tested by `cycles` PDSA cycles (the last one adopted), a progress score, and
    an outcome measure with `points` months of data whose chart the nightly run has drawn."""
    primary = add_driver(project, text="A calm, predictable ward day")
    secondary = add_driver(project, text="Evening activities people want to join", parent=primary)
    for i in range(ideas):
        idea = add_change_idea(project, title=f"Change idea {i + 1}", secondary_drivers=[secondary])
        for n in range(cycles):
            cycle = start_cycle(idea, by=lead, what=f"Try {n + 1}", planned_start=START + dt.timedelta(days=30 * n))
            save_cycle(cycle, by=lead, learning=f"Idea {i + 1}, cycle {n + 1}: the evening group works best at 7pm.",
                       act_decision="adopt" if n == cycles - 1 else "adapt")
    record_progress(project, month=dt.date.today().replace(day=1), score=Decimal("3.5"), by=lead,
                    narrative="Fewer incidents in the evenings since the activity group started.")
    measure = make_measure(project=project, owner=lead, name="Incidents of violence a month")
    add_points(measure, [12, 11, 13, 12, 14, 11, 12, 13, 10, 9, 8, 7, 6, 7, 6, 5, 6, 5, 4, 5, 4][:points]
               + [5] * max(0, points - 21), start=START)
    make_measure(project=project, owner=lead, name="Staff feeling safe", measure_type="balancing")
    render_all(force=True)
    return measure


def url(project, name="workspace:storyboard"):
    return reverse(name, args=[project.pk])


@pytest.fixture
def colleague(ward):
    return UserFactory(username="colleague", team=ward, roles=[Role.STAFF])


def test_the_storyboard_shows_the_aim_the_diagram_the_key_chart_the_ramps_and_the_learning(
        client, project, staff, member):
    change_aim(project, what="Reduce incidents of violence on Willow Ward", how_much="by 50%",
               by_when=dt.date.today() + dt.timedelta(days=200), reason="The baseline was higher than we thought",
               by=staff)
    fill(project, staff, ideas=2, cycles=3, points=21)
    client.force_login(member)
    body = client.get(url(project)).content.decode()
    assert "Reduce incidents of violence on Willow Ward by 50%" in body
    assert 'data-testid="storyboard-diagram"' in body and "A calm, predictable ward day" in body
    # The key chart is the outcome measure, drawn from its snapshot with its icons and reading.
    assert 'data-testid="storyboard-chart"' in body and "Incidents of violence a month" in body
    assert 'class="spc-chart"' in body and 'class="spc-icon' in body
    assert "1 more in the workspace" in body
    # Each change idea's ramp holds its cycles in order, each with what the team decided.
    ramps = body[body.index('data-testid="storyboard-ramps"'):body.index('data-testid="storyboard-learning"')]
    assert ramps.index("PDSA 1") < ramps.index("PDSA 2") < ramps.index("PDSA 3")
    assert "sb-step-adapt" in ramps and "sb-step-adopt" in ramps and ramps.count("Adopted") == 2
    assert "the evening group works best at 7pm" in body and "Fewer incidents in the evenings" in body
    assert "Chris Adeyemi" in body and "Morgan Patel" in body and "Willow Ward" in body  # coach, sponsor, team
    assert "teammate" in body or member.name in body
    assert reverse("workspace:storyboard_pdf", args=[project.pk]) in body


def test_a_long_project_shows_its_latest_cycles_and_counts_the_rest(client, project, staff):
    fill(project, staff, ideas=storyboard.MAX_RAMPS + 2, cycles=storyboard.MAX_STEPS + 2, points=24)
    client.force_login(staff)
    body = client.get(url(project)).content.decode()
    assert "<strong>+2</strong><span>earlier</span>" in body and "and 2 more change ideas tested" in body
    assert f"PDSA {storyboard.MAX_STEPS + 2}" in body


def test_the_pdf_is_one_a4_landscape_page_with_the_aim_and_the_cycles(client, project, staff, colleague,
                                                                      monkeypatch):
    import weasyprint

    fill(project, staff, ideas=storyboard.MAX_RAMPS + 2, cycles=storyboard.MAX_STEPS + 2, points=36)
    made = {}
    real = storyboard.render_pdf

    def keep(html):
        made["html"] = html
        made["pdf"], made["pages"] = real(html)
        return made["pdf"], made["pages"]

    monkeypatch.setattr(storyboard, "render_pdf", keep)
    client.force_login(colleague)
    response = client.get(url(project, "workspace:storyboard_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="storyboard-reducing-violence')
    assert response.content.startswith(b"%PDF") and response.content == made["pdf"]
    assert made["pages"] == 1, "the storyboard is one sheet, however long the project"
    document = weasyprint.HTML(string=made["html"]).render()
    page = document.pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (297, 210)  # A4 landscape
    text = page_texts(document)[0]
    assert "Reduce incidents of physical violence" in text
    assert f"PDSA {storyboard.MAX_STEPS + 2}" in text and "earlier" in text  # the latest cycles
    assert "Incidents of violence a month" in text and "Learning so far" in text


@pytest.mark.parametrize("size", [(1, 1, 12), (4, 6, 36)])
def test_the_storyboard_costs_the_same_queries_however_many_cycles_and_points(
        client, project, staff, django_assert_max_num_queries, size):
    ideas, cycles, points = size
    fill(project, staff, ideas=ideas, cycles=cycles, points=points)
    client.force_login(staff)
    client.get(url(project))  # the session and the SPC rules are read once
    with django_assert_max_num_queries(18):
        assert client.get(url(project)).status_code == 200


def test_the_key_chart_comes_from_the_nightly_snapshot_not_a_new_computation(client, project, staff, monkeypatch):
    measure = fill(project, staff, ideas=1, cycles=1, points=12)
    computed = ChartSnapshot.objects.get(measure=measure).computed_at
    import measures.rendering

    def refuse(ids, **kwargs):
        raise AssertionError("a fresh snapshot was recomputed")

    monkeypatch.setattr(measures.rendering, "render_measures", refuse)
    client.force_login(staff)
    assert 'class="spc-chart"' in client.get(url(project)).content.decode()
    assert ChartSnapshot.objects.get(measure=measure).computed_at == computed


def test_a_project_with_nothing_yet_still_has_a_storyboard(client, project, staff):
    client.force_login(staff)
    body = client.get(url(project)).content.decode()
    assert project.aim_statement in body
    assert "No driver diagram of the project's own yet" in body
    assert "No measures yet" in body and "No PDSA cycles yet" in body


# --- who may read it: whoever may read the workspace ---------------------------------------------------

@pytest.mark.parametrize("name", ["workspace:storyboard", "workspace:storyboard_pdf"])
def test_anonymous_visitors_are_sent_to_log_in(client, project, name):
    response = client.get(url(project, name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["workspace:storyboard", "workspace:storyboard_pdf"])
@pytest.mark.parametrize("who", ["colleague", "outsider", "board"])
def test_nobody_reaches_another_teams_draft_or_unapproved_idea_by_its_url(client, request, ward, name, who):
    lead = UserFactory(username="draftlead", team=ward, roles=[Role.STAFF])
    from tests.factories import ProjectFactory

    draft = ProjectFactory(team=ward, lead=lead, created_by=lead, title="A private draft")
    waiting = submitted_idea(team=ward, lead=lead, created_by=lead, title="Waiting for the forum")
    client.force_login(request.getfixturevalue(who))
    for project in (draft, waiting):
        # As the workspace page: a project that is not approved has no workspace to show.
        assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 404
        assert client.get(url(project, name)).status_code == 404


def test_the_draft_stays_hidden_from_its_own_team_until_approved(client, ward):
    """A draft has no workspace yet, for its team too: the storyboard follows the workspace page."""
    from tests.factories import ProjectFactory

    lead = UserFactory(username="draftlead", team=ward, roles=[Role.STAFF])
    draft = ProjectFactory(team=ward, lead=lead, created_by=lead)
    client.force_login(lead)
    assert client.get(url(draft)).status_code == 404


@pytest.mark.parametrize("who", ["colleague", "outsider", "board", "chair", "qiadmin"])
def test_everyone_who_reads_the_workspace_reads_the_storyboard(client, request, project, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 200


def test_the_workspace_page_links_to_its_storyboard(client, project, staff):
    client.force_login(staff)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert f'href="{url(project)}"' in body
