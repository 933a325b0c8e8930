"""The portfolio figures against a hand-counted trust, and the same figures on the live page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from board import portfolio
from forums.models import Decision, Outcome
from forums.services import decide
from organisation.models import AnnualPriority, Role
from projects.models import Involvement, Project, ProjectStatus
from tests.factories import CoachProfileFactory, ObjectiveFactory, ProjectFactory, UserFactory
from tests.workflow import agenda_item, approved_project, submitted_idea
from workspace.models import ClosureOutcome, ClosureRequest, ProgressScore, ReviewOutcome

TODAY = timezone.localdate()
MONTH, PREVIOUS = portfolio.scoring_months(TODAY)


def score(project, month, value, minutes=0):
    return ProgressScore.objects.create(project=project, month=month, score=Decimal(value), narrative="-",
                                        recorded_at=timezone.now() + dt.timedelta(minutes=minutes))


def closed(ward, *, involvement, outcome, status=ProjectStatus.COMPLETED):
    project = ProjectFactory(team=ward)
    Project.objects.filter(pk=project.pk).update(status=status, involvement=involvement, closed_on=TODAY)
    ClosureRequest.objects.create(project=project, outcome=outcome, results="r", learning="l", sustain_plan="s",
                                  requested_by=project.lead, review_outcome=ReviewOutcome.CONFIRMED,
                                  reviewed_at=timezone.now())
    return project


@pytest.fixture
def trust(chair, coach, sponsor, staff, ward, other_ward, other_directorate, other_chair):
    """Riverside: three running projects (coach Chris, 2 places) and seven closed ones; Northgate: one
    running project (a coach with 3 places). Hand counts are in the tests."""
    p1 = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, lead=staff)
    p2 = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    p3 = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, override_reason="Keen to coach")
    north_coach = CoachProfileFactory(user__team=other_ward, max_teams=3).user
    north_sponsor = UserFactory(team=other_ward, roles=[Role.STAFF, (Role.SPONSOR, other_directorate)])
    p4 = approved_project(chair=other_chair, coach=north_coach, sponsor=north_sponsor, team=other_ward)
    for project, stage in ((p1, "test"), (p2, "test"), (p3, "implement"), (p4, "understand")):
        Project.objects.filter(pk=project.pk).update(stage=stage)
    p1.objectives.add(ObjectiveFactory())
    p2.priorities.add(AnnualPriority.objects.create(year=2026, name="Safer wards"))
    Project.objects.filter(pk=p1.pk).update(involvement=Involvement.FULL)
    Project.objects.filter(pk=p3.pk).update(involvement=Involvement.OCCASIONAL)

    # Scores: p1 2.0 -> 2.5 (up); p2 3.0 -> 3.0 then re-scored 2.5 (the latest counts: down); p3 only this month.
    score(p1, PREVIOUS, "2.0")
    score(p1, MONTH, "2.5")
    score(p2, PREVIOUS, "3.0")
    score(p2, MONTH, "3.0")
    score(p2, MONTH, "2.5", minutes=5)
    score(p3, MONTH, "1.0")
    score(p3, portfolio.add_months(PREVIOUS, -1), "4.0")  # too old to count

    # Closed: full partners 3 (2 met, 1 partly); none 4 (1 met, 1 not met, 1 partly, 1 stopped).
    for outcome in (ClosureOutcome.AIM_MET, ClosureOutcome.AIM_MET, ClosureOutcome.AIM_PARTLY_MET):
        closed(ward, involvement=Involvement.FULL, outcome=outcome)
    for outcome in (ClosureOutcome.AIM_MET, ClosureOutcome.AIM_NOT_MET, ClosureOutcome.AIM_PARTLY_MET):
        closed(ward, involvement=Involvement.NONE, outcome=outcome)
    closed(ward, involvement=Involvement.NONE, outcome=ClosureOutcome.STOPPED, status=ProjectStatus.STOPPED)
    closed(ward, involvement=Involvement.FULL, outcome=ClosureOutcome.AIM_MET).closure_requests.update(
        review_outcome=ReviewOutcome.RETURNED)  # a returned closure is not a met aim

    # Forum decisions: four approvals above, one return and one decline now, one approval last quarter.
    decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.RETURN, by=chair, rationale="More data")
    decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.DECLINE, by=chair, rationale="Not QI")
    old = decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.DEFER, by=chair, rationale="Later")
    Decision.objects.filter(pk=old.pk).update(
        decided_at=timezone.make_aware(dt.datetime.combine(portfolio.quarter_start(TODAY), dt.time(0)))
        - dt.timedelta(days=1))
    # TODAY is read when the module is imported: a run that crosses midnight must not date these tomorrow.
    late_today = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 59)))
    Decision.objects.filter(decided_at__gt=late_today).update(decided_at=late_today)
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4}


def test_running_projects_by_stage_and_directorate(trust, directorate, other_directorate):
    stages = portfolio.by_stage_and_directorate()
    assert stages["stages"] == ["Understanding the problem", "Developing strategy and change ideas",
                                "Testing changes", "Implementing", "Sustaining and spreading"]
    rows = {r["name"]: r for r in stages["rows"]}
    assert rows[directorate.name]["counts"] == [0, 0, 2, 1, 0] and rows[directorate.name]["total"] == 3
    assert rows[other_directorate.name]["counts"] == [1, 0, 0, 0, 0]
    assert stages["totals"] == [1, 0, 2, 1, 0] and stages["total"] == 4


def test_progress_scores_and_how_they_moved(trust):
    p = portfolio.progress_scores(TODAY)
    assert (p["running"], p["scored"], p["scored_before"], p["not_scored"]) == (4, 3, 2, 1)
    now = {row["score"]: row["now"] for row in p["distribution"]}
    before = {row["score"]: row["before"] for row in p["distribution"]}
    assert {k: v for k, v in now.items() if v} == {"1.0": 1, "2.5": 2}
    assert {k: v for k, v in before.items() if v} == {"2.0": 1, "3.0": 1}
    assert (p["up"], p["same"], p["down"]) == (1, 0, 1)
    assert p["median"] == "2.5" and p["median_before"] == "2.5"


def test_alignment_and_full_partnership_shares(trust):
    a = portfolio.alignment_and_involvement()
    assert (a["running"], a["aligned"], a["aligned_pct"], a["intended_pct"]) == (4, 2, 50.0, 67)
    assert (a["full"], a["full_pct"], a["occasional"]) == (1, 25.0, 1)


def test_aims_met_by_involvement_with_a_caution_for_small_numbers(trust):
    aims = portfolio.aims_met_by_involvement()
    by = {lv["level"]: lv for lv in aims["levels"]}
    assert (by["full"]["closed"], by["full"]["met"], by["full"]["partly"], by["full"]["rate"]) == (4, 2, 1, 50.0)
    assert (by["none"]["closed"], by["none"]["met"], by["none"]["partly"], by["none"]["rate"]) == (4, 1, 1, 25.0)
    assert by["occasional"]["closed"] == 0 and by["occasional"]["rate"] is None
    assert aims["ratio"] == 2.0 and aims["source_ratio"] == 2.8
    assert aims["small_groups"] == ["None", "Occasional", "Full partners"]
    low, high = by["full"]["interval"]
    assert low < 50 < high


def test_coach_capacity_by_directorate(trust, directorate, other_directorate):
    c = portfolio.coach_capacity()
    rows = {r["name"]: r for r in c["rows"]}
    assert (rows[directorate.name]["places"], rows[directorate.name]["used"]) == (2, 3)
    assert rows[directorate.name]["spare"] == 0 and rows[directorate.name]["full"] == 1
    assert (rows[other_directorate.name]["places"], rows[other_directorate.name]["used"]) == (3, 1)
    assert (c["places"], c["used"], c["used_pct"]) == (5, 4, 80.0)


def test_forum_decisions_this_quarter(trust, directorate):
    d = portfolio.forum_decisions(TODAY)
    assert d["totals"] == {"approve": 4, "return": 1, "decline": 1, "defer": 0}
    assert portfolio.forum_decisions(TODAY, directorate.pk)["totals"]["approve"] == 3


def test_a_directorate_filter_narrows_every_figure(trust, other_directorate):
    f = portfolio.figures(TODAY, other_directorate.pk)
    assert f["stages"]["total"] == 1
    assert f["alignment"]["running"] == 1 and f["alignment"]["aligned"] == 0
    assert f["aims"]["closed"] == 0
    assert [r["name"] for r in f["coaching"]["rows"]] == [other_directorate.name]
    assert f["decisions"]["total"] == 1


def test_the_live_page_shows_the_hand_counted_figures(client, trust, board):
    client.force_login(board)
    page = client.get(reverse("board:portfolio")).content.decode()
    assert 'data-testid="aligned-pct">50.0%' in page
    assert 'data-testid="full-pct">25.0%' in page
    assert re.search(r'data-testid="running-total"><a href="[^"]+" class="figure-link"[^>]*>4</a><', page)
    assert "Caution: small numbers." in page
    assert "2.0 times" in page
