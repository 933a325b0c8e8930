"""seed_demo's board step: the last two meetings' reports published, a draft for the next; idempotent."""

from django.core.management import call_command
from django.utils import timezone

from board import demo
from board.models import BoardReport, MeasureNarrative
from measures.demo import WHOLE_SYSTEM_OBJECTIVES
from measures.models import Measure
from organisation.models import StrategicObjective


def test_seed_demo_publishes_two_past_reports_and_drafts_the_next(db):
    call_command("seed_demo", verbosity=0)
    past, upcoming = demo.meeting_dates(timezone.localdate())
    reports = list(BoardReport.objects.order_by("meeting_date"))
    assert [r.meeting_date for r in reports] == [*past, upcoming]
    assert [r.status for r in reports] == ["published", "published", "draft"]
    wsms = Measure.objects.for_board().count()
    assert wsms >= 12
    for report in reports:
        assert MeasureNarrative.objects.filter(report=report).exclude(text="").count() == wsms
    assert all(len(r.content["measures"]) == wsms and r.content["stories"] for r in reports[:2])
    assert all(r.published_at.date() < r.meeting_date for r in reports[:2])

    linked = dict(Measure.objects.for_board().values_list("name", "objective__name"))
    assert {name: linked[name] for name in WHOLE_SYSTEM_OBJECTIVES} == WHOLE_SYSTEM_OBJECTIVES
    assert linked["Length of stay (days)"] is None
    assert set(WHOLE_SYSTEM_OBJECTIVES.values()) == set(StrategicObjective.objects.values_list("name", flat=True))

    # Run again: nothing new, and a trust seeded before measures had objectives gets its links.
    Measure.objects.for_board().update(objective=None)
    call_command("seed_demo", verbosity=0)
    assert BoardReport.objects.count() == 3
    assert dict(Measure.objects.for_board().values_list("name", "objective__name")) == linked


def test_the_board_meets_on_the_last_thursday_of_the_month():
    import datetime as dt

    past, upcoming = demo.meeting_dates(dt.date(2026, 11, 25))
    assert past == [dt.date(2026, 9, 24), dt.date(2026, 10, 29)]
    assert upcoming == dt.date(2026, 11, 26)
    assert demo.meeting_dates(dt.date(2026, 11, 27))[1] == dt.date(2026, 12, 31)
