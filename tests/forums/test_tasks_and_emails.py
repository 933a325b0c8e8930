"""E-mails: the chairs' reminder before each meeting (once), and the decision to the team."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from forums.models import Meeting, Outcome
from forums.services import decide
from forums.tasks import send_meeting_reminders

from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


def test_reminder_goes_once_to_chair_and_co_chair_with_the_agenda_count(chair, serviceuser, other_chair, ward,
                                                                         monkeypatch):
    submitted_idea(team=ward)
    submitted_idea(team=ward)
    meeting = Meeting.objects.get()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: meeting.date - dt.timedelta(days=10))
    assert send_meeting_reminders() == 0  # too early
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: meeting.date - dt.timedelta(days=2))
    assert send_meeting_reminders() == 1
    [email] = mail.outbox
    assert sorted(email.to) == sorted([chair.email, serviceuser.email])
    assert "2 items on the agenda" in email.subject
    assert "New idea: 2" in email.body
    assert f"/forums/meetings/{meeting.pk}/" in email.body
    assert send_meeting_reminders() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("outcome, words", [
    (Outcome.RETURN, ["Return for more work", "Sharpen the aim", "resubmit"]),
    (Outcome.DECLINE, ["Decline", "The forum's reason", "Sharpen the aim"]),
    (Outcome.DEFER, ["Defer to the next meeting", "come back to the forum's next meeting"]),
])
def test_the_team_is_told_the_decision(chair, ward, django_capture_on_commit_callbacks, outcome, words):
    project = submitted_idea(team=ward)
    with django_capture_on_commit_callbacks(execute=True):
        decide(agenda_item(project), outcome=outcome, by=chair, rationale="Sharpen the aim.")
    [email] = mail.outbox
    assert email.to == [project.lead.email]
    assert project.title in email.subject
    for word in words:
        assert word in email.body
    assert "Decided by Dr Jordan Rahman." in email.body


def test_an_approval_email_names_the_coach_and_sponsor(chair, coach, sponsor, ward,
                                                       django_capture_on_commit_callbacks):
    project = submitted_idea(team=ward)
    with django_capture_on_commit_callbacks(execute=True):
        decide(agenda_item(project), outcome=Outcome.APPROVE, by=chair, rationale="", coach=coach, sponsor=sponsor)
    [email] = [m for m in mail.outbox if project.lead.email in m.to and "approve" in m.subject]
    assert "Your QI coach is Chris Adeyemi and your QI sponsor is Morgan Patel." in email.body
