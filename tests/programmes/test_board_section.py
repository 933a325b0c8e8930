"""The programmes section of the board report and the QI portfolio: what it shows, frozen on publishing, read
at the meeting's moment from the stage history, narrowed to a directorate, in a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from board.pdf import build_html
from board.services import content_for, create_draft, publish, report_meta
from measures.models import DataPoint
from programmes import services
from programmes.figures import board_section
from programmes.models import Stage, StageMove
from tests.factories import DirectorateFactory, TeamFactory

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def with_data(enrolment, incidents: int, months: int = 12) -> None:
    measure = enrolment.measures.get().measure
    DataPoint.objects.bulk_create(DataPoint(measure=measure, period_start=dt.date(2025, m, 1), numerator=incidents,
                                            denominator=1000) for m in range(1, months + 1))


def test_a_delivering_programme_shows_its_stage_teams_next_session_and_aggregate_chart(recruiting, enrol_team,
                                                                                       qiadmin):
    first, second = enrol_team(), enrol_team(override_reason="x")
    with_data(first, 4)
    with_data(second, 10)
    services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)
    services.schedule_session(recruiting, date=dt.date.today() + dt.timedelta(days=30), title="Spreading huddles")
    services.compute_aggregates([recruiting.pk])

    [row] = board_section(dt.date.today())
    assert (row["title"], row["stage"], row["stage_number"]) == ("Violence reduction collaborative", "deliver", 4)
    assert (row["enrolled"], row["planned"]) == (2, 12)
    assert row["next_session"]["title"] == "Spreading huddles"
    [chart] = row["charts"]
    assert chart["name"] == "Incidents per 1,000 occupied bed days (all teams)"
    assert chart["teams"] == 2 and chart["figure"] and chart["reading"]
    assert chart["variation_icon"]


def test_a_programme_being_scoped_is_a_draft_and_not_on_the_board(programme, recruiting, qiadmin):
    make_programme(lead=qiadmin, title="Physical health checks", topic="physical health")  # still in scope
    assert [r["title"] for r in board_section(dt.date.today())] == ["Violence reduction collaborative"]


def test_the_report_keeps_the_programmes_as_published(recruiting, enrol_team, qiadmin, board, client):
    enrol_team()
    report = publish(create_draft(meeting_date=dt.date.today(), by=qiadmin), by=qiadmin)
    enrol_team(override_reason="x")
    services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)

    report.refresh_from_db()
    [frozen] = content_for(report)["portfolio"]["programmes"]
    assert (frozen["stage"], frozen["enrolled"]) == ("recruit", 1)
    client.force_login(board)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Improvement programmes" in page and 'data-testid="programme-stage"><strong>Recruit</strong>' in page
    live = client.get(reverse("board:portfolio")).content.decode()
    assert 'data-testid="programme-stage"><strong>Deliver</strong>' in live
    assert "<strong>2</strong> enrolled of 12 planned" in live


def test_a_past_moment_reads_the_stage_from_the_history(recruiting, enrol_team, qiadmin):
    enrol_team()
    services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)
    delivered = StageMove.objects.get(programme=recruiting, to_stage=Stage.DELIVER)
    StageMove.objects.filter(pk=delivered.pk).update(at=timezone.now() + dt.timedelta(days=3))
    [then] = board_section(dt.date.today(), at=timezone.now())
    assert then["stage"] == "recruit"
    before_any = board_section(dt.date.today(), at=timezone.now() - dt.timedelta(days=400))
    assert before_any == []  # the programme did not exist yet


def test_a_directorate_sees_the_programmes_its_teams_are_in(recruiting, enrol_team, directorate):
    enrol_team()
    other = DirectorateFactory(name="Hillside Community", slug="hillside")
    enrol_team(team=TeamFactory(directorate=other), override_reason="x")
    [mine] = board_section(dt.date.today(), directorate.pk)
    assert (mine["enrolled"], mine["from_directorate"]) == (2, 1)
    assert board_section(dt.date.today(), DirectorateFactory(name="Elsewhere", slug="elsewhere").pk) == []


def test_the_pdf_carries_the_programmes_section(recruiting, enrol_team, qiadmin):
    with_data(enrol_team(), 6)
    services.compute_aggregates([recruiting.pk])
    report = publish(create_draft(meeting_date=dt.date.today(), by=qiadmin), by=qiadmin)
    html = build_html(report_meta(report), report.content)
    assert "Violence reduction collaborative" in html and "(all teams)" in html and "<svg" in html


def test_the_section_costs_the_same_queries_whatever_the_programmes_and_teams(recruiting, enrol_team, qiadmin,
                                                                              exec_sponsor, django_assert_num_queries):
    enrol_team()
    with django_assert_num_queries(2):
        small = board_section(dt.date.today())
    for i in range(3):
        other = make_programme(lead=qiadmin, sponsors=[exec_sponsor], title=f"Programme {i}", topic="falls")
        services.move_stage(other, Stage.DESIGN, by=qiadmin)
        services.add_template(other, name="Falls per 1,000 bed days", definition="Falls.", chart_type="u")
    for _ in range(4):
        enrol_team(override_reason="x")
    with django_assert_num_queries(2):
        large = board_section(dt.date.today())
    assert len(small) == 1 and len(large) == 4
