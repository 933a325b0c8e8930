"""The board report's portfolio as the projects stood at its meeting, read from their history, against a
hand-counted trust; what keeps no history is read as it is now and labelled so."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from board import portfolio, services
from board.models import BoardReport
from forums.models import Decision, Outcome
from forums.services import decide
from organisation.models import AnnualPriority
from projects.models import EventKind, Involvement, Project, ProjectEvent, ProjectStatus, Stage
from tests.factories import ObjectiveFactory, ProjectFactory
from tests.workflow import agenda_item, approved_project, submitted_idea
from workspace.models import ClosureOutcome, ClosureRequest, ProgressScore, ReviewOutcome
from workspace.services import set_stage

S = ProjectStatus
MEETING = dt.date(2026, 3, 26)  # scores: February against January 2026; the quarter from 1 January
AT = services.portfolio_moment(MEETING)  # the end of the meeting day


def when(day: str, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def lived(project, *moves: tuple[str, str], **now) -> Project:
    """The project's status moves as transition() records them; it holds the last status (and `now`) today."""
    previous = ""
    for day, status in moves:
        ProjectEvent.objects.create(project=project, kind=EventKind.STATUS, at=when(day), from_status=previous,
                                    to_status=status, summary=f"Now {status}")
        previous = status
    Project.objects.filter(pk=project.pk).update(status=previous, **now)
    return project


def staged(project, day: str, moved_from: str, to: str) -> None:
    """A stage move as workspace.services.set_stage records it."""
    ProjectEvent.objects.create(project=project, kind=EventKind.NOTE, at=when(day),
                                summary=f"Stage: {Stage(to).label}", detail=f"Moved from {Stage(moved_from).label}.")


def scored(project, month: str, score: str, recorded: str) -> None:
    ProgressScore.objects.create(project=project, month=dt.date.fromisoformat(month), score=Decimal(score),
                                 narrative="-", recorded_at=when(recorded))


def closure(project, outcome: str, reviewed: str) -> None:
    ClosureRequest.objects.create(project=project, outcome=outcome, results="r", learning="l", sustain_plan="s",
                                  requested_by=project.lead, review_outcome=ReviewOutcome.CONFIRMED,
                                  reviewed_at=when(reviewed))


@pytest.fixture
def history(ward, other_ward, coach, sponsor, chair):
    """Seven projects whose lives cross the meeting of 26 March 2026 (R: Riverside, N: Northgate).

    | project | life                                               | on 26 March       | today          |
    | A (R)   | approved 10 Jan; test 15 Feb; implement 1 May       | running, test     | running        |
    | B (R)   | approved 1 Feb; sustain 1 Apr; closed 20 May        | running, implement| completed      |
    | C (R)   | submitted 1 Mar; approved 1 Jun                     | awaiting forum    | running        |
    | D (R)   | closed 10 Feb, aim met (full partners)              | completed         | completed      |
    | E (R)   | stopped 1 Mar (no involvement)                      | stopped           | stopped        |
    | F (R)   | closure requested 10 Mar; closed 15 Apr, aim met    | running, sustain  | completed      |
    | G (N)   | approved 20 Feb; no stage move                      | running, understand| running       |
    """
    run = {"coach": coach, "sponsor": sponsor}
    a = lived(ProjectFactory(team=ward), ("2025-12-01", S.DRAFT), ("2025-12-20", S.SUBMITTED), ("2026-01-10", S.ACTIVE),
              stage=Stage.IMPLEMENT, involvement=Involvement.FULL, **run)
    staged(a, "2026-02-15", Stage.UNDERSTAND, Stage.TEST)
    staged(a, "2026-05-01", Stage.TEST, Stage.IMPLEMENT)
    a.objectives.add(ObjectiveFactory())
    b = lived(ProjectFactory(team=ward), ("2026-01-05", S.DRAFT), ("2026-01-15", S.SUBMITTED), ("2026-02-01", S.ACTIVE),
              ("2026-04-10", S.CLOSURE_REQUESTED), ("2026-05-20", S.COMPLETED), stage=Stage.SUSTAIN,
              involvement=Involvement.OCCASIONAL, **run)
    staged(b, "2026-04-01", Stage.IMPLEMENT, Stage.SUSTAIN)
    closure(b, ClosureOutcome.AIM_PARTLY_MET, "2026-05-20")
    c = lived(ProjectFactory(team=ward), ("2026-02-10", S.DRAFT), ("2026-03-01", S.SUBMITTED), ("2026-06-01", S.ACTIVE),
              stage=Stage.UNDERSTAND, **run)
    c.objectives.add(ObjectiveFactory())
    d = lived(ProjectFactory(team=ward), ("2025-05-01", S.DRAFT), ("2025-05-20", S.SUBMITTED), ("2025-06-01", S.ACTIVE),
              ("2026-01-20", S.CLOSURE_REQUESTED), ("2026-02-10", S.COMPLETED), stage=Stage.SUSTAIN,
              involvement=Involvement.FULL, **run)
    closure(d, ClosureOutcome.AIM_MET, "2026-02-10")
    e = lived(ProjectFactory(team=ward), ("2025-04-01", S.DRAFT), ("2025-04-20", S.SUBMITTED), ("2025-05-01", S.ACTIVE),
              ("2026-03-01", S.STOPPED), stage=Stage.TEST, **run)
    closure(e, ClosureOutcome.STOPPED, "2026-03-01")
    f = lived(ProjectFactory(team=ward), ("2025-08-01", S.DRAFT), ("2025-08-20", S.SUBMITTED), ("2025-09-01", S.ACTIVE),
              ("2026-03-10", S.CLOSURE_REQUESTED), ("2026-04-15", S.COMPLETED), stage=Stage.SUSTAIN, **run)
    closure(f, ClosureOutcome.AIM_MET, "2026-04-15")
    g = lived(ProjectFactory(team=other_ward), ("2026-01-20", S.DRAFT), ("2026-02-01", S.SUBMITTED),
              ("2026-02-20", S.ACTIVE), stage=Stage.UNDERSTAND, **run)
    g.priorities.add(AnnualPriority.objects.create(year=2026, name="Safer wards"))

    # Scores for January and February; a re-score and a late score after the meeting are not yet known then.
    scored(a, "2026-01-01", "2.0", "2026-02-03")
    scored(a, "2026-02-01", "2.5", "2026-03-04")
    scored(a, "2026-02-01", "3.0", "2026-04-02")
    scored(b, "2026-01-01", "3.0", "2026-02-02")
    scored(b, "2026-02-01", "3.5", "2026-03-03")
    scored(f, "2026-02-01", "4.0", "2026-03-05")
    scored(g, "2026-02-01", "1.0", "2026-03-30")
    scored(d, "2026-02-01", "4.5", "2026-03-01")  # closed by then: not a running project's score

    # Decisions this quarter: an approval on 5 Feb and a return on 15 Mar count; a decline after the meeting
    # day and a deferral last quarter do not. (Those ideas' own status moves happen today, after the meeting.)
    x = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    returned = decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.RETURN, by=chair, rationale="Data")
    declined = decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.DECLINE, by=chair, rationale="No")
    deferred = decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.DEFER, by=chair, rationale="Later")
    for decision, day in ((Decision.objects.get(project=x), "2026-02-05"), (returned, "2026-03-15"),
                          (declined, "2026-03-30"), (deferred, "2025-12-20")):
        Decision.objects.filter(pk=decision.pk).update(decided_at=when(day))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "x": x}


def test_the_moment_is_the_end_of_the_meeting_day_or_now_for_a_meeting_to_come():
    end_of_day = timezone.make_aware(dt.datetime(2026, 3, 26, 23, 59, 59, 999999))
    assert end_of_day == AT
    assert abs(services.portfolio_moment(timezone.localdate() + dt.timedelta(days=30)) - timezone.now()) \
        < dt.timedelta(seconds=5)


def test_running_projects_by_stage_as_they_stood_at_the_meeting(history, directorate, other_directorate):
    stages = portfolio.by_stage_and_directorate(at=AT)
    rows = {r["name"]: r for r in stages["rows"]}
    # understand, strategy, test, implement, sustain: A in test, B in implement (before its first move), F
    # in sustain (no move recorded), G in understand; C was not approved yet, D and E had closed.
    assert rows[directorate.name]["counts"] == [0, 0, 1, 1, 1] and rows[directorate.name]["total"] == 3
    assert rows[other_directorate.name]["counts"] == [1, 0, 0, 0, 0]
    assert stages["total"] == 4
    # Today: A, C, X and G run (A now implementing, C and X understanding).
    now = {r["name"]: r["counts"] for r in portfolio.by_stage_and_directorate()["rows"]}
    assert now[directorate.name] == [2, 0, 0, 1, 0] and portfolio.by_stage_and_directorate()["total"] == 4


def test_progress_scores_as_recorded_by_the_meeting(history):
    p = portfolio.progress_scores(MEETING, at=AT)
    assert (p["month_label"], p["previous_label"]) == ("February 2026", "January 2026")
    # Running then: A, B, F, G. February known then: A 2.5 (its 3.0 came in April), B 3.5, F 4.0; G's came late.
    assert (p["running"], p["scored"], p["scored_before"], p["not_scored"]) == (4, 3, 2, 1)
    now = {row["score"]: row["now"] for row in p["distribution"] if row["now"]}
    assert now == {"2.5": 1, "3.5": 1, "4.0": 1}
    assert (p["up"], p["same"], p["down"], p["at_least_4"]) == (2, 0, 0, 1)
    assert (p["median"], p["median_before"]) == ("3.5", "2.5")
    # As the same months read today: A's re-score counts, and of the running projects (A, C, G, X) A and G scored.
    live = portfolio.progress_scores(MEETING)
    assert {row["score"]: row["now"] for row in live["distribution"] if row["now"]} == {"1.0": 1, "3.0": 1}


def test_alignment_and_involvement_of_the_projects_running_then(history):
    a = portfolio.alignment_and_involvement(at=AT)
    # A (an objective) and G (a priority) of A, B, F, G; A full partners, B occasional.
    assert (a["running"], a["aligned"], a["aligned_pct"]) == (4, 2, 50.0)
    assert (a["full"], a["full_pct"], a["occasional"]) == (1, 25.0, 1)
    assert portfolio.alignment_and_involvement()["running"] == 4  # today: A, C, G and X


def test_aims_met_of_the_projects_closed_by_the_meeting(history):
    def by_level(aims):
        return {lv["level"]: (lv["closed"], lv["met"], lv["partly"]) for lv in aims["levels"]}

    aims = portfolio.aims_met_by_involvement(at=AT)
    assert by_level(aims) == {"full": (1, 1, 0), "occasional": (0, 0, 0), "none": (1, 0, 0)}  # D met; E stopped
    assert aims["closed"] == 2
    today = by_level(portfolio.aims_met_by_involvement())
    assert today == {"full": (1, 1, 0), "occasional": (1, 0, 1), "none": (2, 1, 0)}  # B and F closed since


def test_forum_decisions_in_the_quarter_to_the_meeting(history):
    d = portfolio.forum_decisions(MEETING, at=AT)
    assert d["totals"] == {"approve": 1, "return": 1, "decline": 0, "defer": 0}
    assert portfolio.forum_decisions(MEETING, at=when("2026-03-01"))["totals"]["return"] == 0


def test_the_report_freezes_the_portfolio_of_its_meeting_and_labels_what_is_current(client, history, qiadmin,
                                                                                      board):
    report = services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)
    f = report.content["portfolio"]
    assert (f["state_at"], f["current_on"]) == ("2026-03-26", timezone.localdate().isoformat())
    assert set(f["read_now"]) == {"alignment", "aims", "coaching", "programmes"}
    assert (f["stages"]["total"], f["progress"]["scored"], f["aims"]["closed"]) == (4, 3, 2)
    assert f["decisions"]["totals"]["approve"] == 1
    assert f["coaching"] == portfolio.coach_capacity()  # no history: as it is today
    client.force_login(board)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="portfolio-as-at"' in page and "Projects as they stood on <strong>26 March 2026" in page
    today = f"{timezone.localdate():%-d %B %Y}"
    assert f"Coach capacity used, by directorate: as at {today}" in page
    assert 'data-testid="coaching-as-at"' in page and 'data-testid="alignment-as-at"' in page
    assert 'data-testid="running-total">4<' in page


def test_a_report_published_before_the_as_of_portfolio_says_when_its_figures_were_read(client, history, qiadmin,
                                                                                         board):
    report = services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)
    old = {**report.content, "schema": 2, "built_at": "2026-03-19T09:30:00+00:00",
           "portfolio": {k: v for k, v in report.content["portfolio"].items()
                         if k not in ("state_at", "current_on", "read_now")}}
    frozen = BoardReport.objects.create(meeting_date=MEETING.replace(day=1), title="Old", status="published",
                                        published_at=timezone.now(), content=old)
    client.force_login(board)
    page = client.get(frozen.get_absolute_url()).content.decode()
    assert "Projects as they stood when this report was prepared, on 19 March 2026." in page
    assert 'data-testid="coaching-as-at"' not in page


def test_the_live_portfolio_page_reads_the_projects_as_they_are(client, history, board):
    client.force_login(board)
    page = client.get(reverse("board:portfolio")).content.decode()
    assert 'data-testid="portfolio-as-at"' not in page
    assert re.search(r'data-testid="running-total"><a href="[^"]+" class="figure-link"[^>]*>4</a><', page)


def test_status_and_stage_history_written_by_the_workflow_services_is_read_back(chair, coach, sponsor, staff, ward):
    """The history the board reads is the one projects.services.transition() and workspace.services.set_stage()
    write: pinned here against the real services, not hand-made rows."""
    before_approval = timezone.now()
    project = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, lead=staff)
    approved = timezone.now()
    set_stage(project, Stage.TEST, by=staff)
    testing = timezone.now()
    set_stage(project, Stage.IMPLEMENT, by=staff)

    def stage_counts(at):
        rows = portfolio.by_stage_and_directorate(at=at)["rows"]
        return rows[0]["counts"] if rows else []

    assert stage_counts(before_approval) == []
    assert stage_counts(approved) == [1, 0, 0, 0, 0]  # understanding, as approval set it
    assert stage_counts(testing) == [0, 0, 1, 0, 0]
    assert stage_counts(timezone.now()) == [0, 0, 0, 1, 0] == portfolio.by_stage_and_directorate()["rows"][0]["counts"]
