"""The next meeting always exists, and nothing undecided is lost between meetings."""

import datetime as dt

import pytest
from django.utils import timezone

from forums.models import AgendaItem, AgendaKind, Forum, Meeting, Outcome
from forums.services import decide, ensure_next_meeting, forum_for, nightly_meetings, roll_over_undecided

from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(monkeypatch):
    def _freeze(day: dt.date):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return _freeze


@pytest.mark.parametrize("today, expected", [
    (dt.date(2026, 11, 1), dt.date(2026, 11, 10)),    # before this month's second Tuesday
    (dt.date(2026, 11, 10), dt.date(2026, 11, 10)),   # on the day itself
    (dt.date(2026, 11, 11), dt.date(2026, 12, 8)),    # the day after: next month
    (dt.date(2026, 12, 20), dt.date(2027, 1, 12)),    # year rollover
])
def test_second_tuesday(directorate, frozen, today, expected):
    frozen(today)
    meeting = ensure_next_meeting(forum_for(directorate))
    assert meeting.date == expected
    assert meeting.date.weekday() == 1


@pytest.mark.parametrize("today, expected", [
    (dt.date(2026, 1, 5), dt.date(2026, 1, 30)),
    (dt.date(2026, 1, 31), dt.date(2026, 2, 27)),      # January's last Friday has gone
    (dt.date(2026, 12, 26), dt.date(2027, 1, 29)),     # 25 Dec 2026 was the last Friday
    (dt.date(2027, 4, 30), dt.date(2027, 4, 30)),
])
def test_last_friday(directorate, frozen, today, expected):
    forum = Forum.objects.create(directorate=directorate, name="F", week_of_month=Forum.Week.LAST,
                                 weekday=Forum.Weekday.FRIDAY)
    frozen(today)
    assert ensure_next_meeting(forum).date == expected


def test_next_meeting_is_made_once_and_copies_time_and_place(directorate, frozen):
    forum = forum_for(directorate)
    forum.location = "Riverside Centre, Room 2"
    forum.save()
    frozen(dt.date(2026, 3, 1))
    first = ensure_next_meeting(forum)
    assert ensure_next_meeting(forum) == first
    assert (first.location, first.starts_at) == ("Riverside Centre, Room 2", forum.starts_at)
    assert Meeting.objects.count() == 1
    frozen(dt.date(2026, 3, 11))  # the day after it met: a new one appears
    assert ensure_next_meeting(forum).date == dt.date(2026, 4, 14)


def test_an_existing_earlier_meeting_counts_as_the_next(directorate, frozen):
    forum = forum_for(directorate)
    special = Meeting.objects.create(forum=forum, date=dt.date(2026, 3, 4), starts_at=dt.time(10))
    frozen(dt.date(2026, 3, 1))
    assert ensure_next_meeting(forum) == special


def test_undecided_ideas_roll_over_to_the_next_meeting_as_deferred(chair, ward, frozen):
    frozen(dt.date(2026, 3, 1))
    waiting = submitted_idea(team=ward, title="Not reached")
    decided = submitted_idea(team=ward, title="Decided")
    decide(agenda_item(decided), outcome=Outcome.DECLINE, by=chair, rationale="No")
    past = agenda_item(waiting).meeting
    assert past.date == dt.date(2026, 3, 10)
    frozen(dt.date(2026, 3, 11))
    forum = past.forum
    assert roll_over_undecided(forum) == 1
    [moved] = AgendaItem.objects.filter(meeting__date=dt.date(2026, 4, 14))
    assert (moved.project, moved.kind, moved.note) == (waiting, AgendaKind.DEFERRED, "Not reached at the last meeting")
    assert roll_over_undecided(forum) == 0  # safe to run twice
    assert nightly_meetings() == {"forums": 1, "rolled_over": 0, "closure_requests": 0, "needing_attention": 0}


def test_a_new_signal_on_a_project_measure_goes_on_the_next_agenda(chair, coach, sponsor, ward):
    from forums.services import add_signal_to_agenda
    from measures.models import Measure, SignalEvent
    from tests.workflow import approved_project

    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    measure = Measure.objects.create(name="Incidents of restraint", project=project, chart_type="c",
                                     period="month", owner=project.lead)
    event = SignalEvent.objects.create(measure=measure, kind="improvement", rule="7 Points Below CL",
                                       period_start=dt.date(2026, 9, 1))
    item = add_signal_to_agenda(event)
    assert item.kind == AgendaKind.SIGNAL and item.meeting.date >= dt.date.today()
    assert item.note == "Special cause improvement on Incidents of restraint — consider implementation or spread"
    assert add_signal_to_agenda(event).pk == item.pk  # once, not every night
