"""New signals: an event once when a special cause appears, notifications for the right people, the digest."""

import pytest
from django.urls import reverse

from measures import periods, rendering
from measures import signals as measure_signals
from measures.models import ChartSnapshot, SignalEvent
from measures.services import PointInput, save_points
from notifications.models import Notification
from notifications.services import send_digest

from .conftest import START, add_points, make_measure

pytestmark = pytest.mark.django_db

STEADY = [10, 12, 9, 11, 10, 12, 8, 11, 10, 9, 11, 10, 12, 9, 10, 11]


def add_later(measure, values) -> None:
    first = len(STEADY)
    save_points(measure, [PointInput(period_start=periods.add_periods(START, measure.period, first + i), value=v)
                          for i, v in enumerate(values)], by=None)


@pytest.fixture
def heard(monkeypatch):
    calls = []
    monkeypatch.setattr(measure_signals, "_callbacks", [calls.append])
    return calls


def test_a_new_special_cause_records_one_event_and_notifies_lead_team_and_coach(
        project, staff, coach, heard, django_capture_on_commit_callbacks):
    m = make_measure(project=project, chart_type="i", improvement="decrease")
    add_points(m, STEADY)
    rendering.render_all()
    assert not SignalEvent.objects.exists()  # common cause: nothing to say

    add_later(m, [2])  # far below the lower limit
    with django_capture_on_commit_callbacks(execute=True):
        rendering.render_all()
    event = SignalEvent.objects.get()
    assert event.kind == "improvement" and event.rule == "Below LCL" and event.measure == m
    assert heard == [event]  # the forums' hook hears of it once, after commit
    people = set(Notification.objects.filter(key=f"signal:{event.pk}").values_list("user__username", flat=True))
    assert {"staff", "coach"} <= people
    assert ChartSnapshot.objects.get(measure=m).latest_signal["rule"] == "Below LCL"

    # Not every night: the same signal in tomorrow's snapshot is not news, forced or not.
    rendering.render_all()
    rendering.render_all(force=True)
    assert SignalEvent.objects.count() == 1 and len(heard) == 1

    # A shift that carries on is the same story; a new kind of signal is news.
    add_later(m, [2, 30])
    rendering.render_all()
    assert SignalEvent.objects.count() == 2
    assert SignalEvent.objects.first().kind == "concern"


def test_the_first_snapshot_of_a_measure_is_its_baseline_not_news(project):
    m = make_measure(project=project, chart_type="i")
    add_points(m, [*STEADY, 40])
    rendering.render_all()
    assert ChartSnapshot.objects.get(measure=m).latest_signal is not None
    assert not SignalEvent.objects.exists()


def test_a_ward_early_warning_indicator_notifies_the_wards_team(ward, staff, outsider):
    m = make_measure(team=ward, chart_type="i", early_warning=True, improvement="decrease")
    add_points(m, STEADY)
    rendering.render_all()
    add_later(m, [30])
    rendering.render_all()
    people = set(Notification.objects.values_list("user__username", flat=True))
    assert "staff" in people and "outsider" not in people


def test_a_run_chart_signal_is_an_event(project):
    m = make_measure(project=project, chart_type="run", improvement="increase")
    add_points(m, STEADY)
    rendering.render_all()
    add_later(m, [20, 21, 22, 23, 24, 25, 26, 27])
    rendering.render_all()
    assert SignalEvent.objects.filter(measure=m).count() == 1


def test_the_digest_sends_one_email_a_person_listing_every_new_signal(project, staff, mailoutbox):
    staff.email = "sam@example.org"
    staff.save()
    ms = [make_measure(name=f"Chart {i}", project=project, chart_type="i", improvement="decrease") for i in range(3)]
    for m in ms:
        add_points(m, STEADY)
    rendering.render_all()
    for m in ms:
        add_later(m, [2])
    rendering.render_all()
    assert SignalEvent.objects.count() == 3
    send_digest()
    to_sam = [e for e in mailoutbox if e.to == ["sam@example.org"]]
    assert len(to_sam) == 1
    assert all(f"Chart {i}" in to_sam[0].body for i in range(3))
    assert "3 new notifications" in to_sam[0].subject
    mailoutbox.clear()
    send_digest()
    assert mailoutbox == []  # each notification is mailed once


def test_read_notifications_are_not_mailed_and_the_page_marks_them_read(project, staff, client, mailoutbox):
    staff.email = "sam@example.org"
    staff.save()
    m = make_measure(project=project, chart_type="i", improvement="decrease")
    add_points(m, STEADY)
    rendering.render_all()
    add_later(m, [2])
    rendering.render_all()
    client.force_login(staff)
    page = client.get(reverse("notifications:index"))
    assert m.name in page.content.decode()
    client.post(reverse("notifications:index"), {})
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()
    send_digest()
    assert [e for e in mailoutbox if e.to == ["sam@example.org"]] == []


def test_the_project_workspace_panel_lists_new_signals(project, staff):
    from measures.panels import project_panel_context

    m = make_measure(project=project, chart_type="i", improvement="decrease")
    add_points(m, STEADY)
    rendering.render_all()
    add_later(m, [2])
    rendering.render_all()
    context = project_panel_context(project, staff)
    assert [e.measure for e in context["signal_events"]] == [m]
