"""The workflow services end to end: submit, agenda, decide, allocate, history."""

import pytest
from django.core import mail

from coaching.models import Allocation, AllocationKind
from coaching.services import CapacityError
from forums.models import AgendaKind, Decision, Outcome
from forums.services import AlreadyDecided, decide, ensure_next_meeting, forum_for
from projects.models import ProjectStatus
from projects.services import TransitionError, submit_idea, transition

from ..factories import ProjectFactory
from ..workflow import agenda_item, approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def test_submitting_puts_the_idea_on_the_next_meeting_of_its_directorate(ward):
    project = submitted_idea(team=ward)
    item = agenda_item(project)
    assert project.status == ProjectStatus.SUBMITTED
    assert item.kind == AgendaKind.NEW
    assert item.meeting.forum.directorate == ward.directorate
    assert item.meeting == ensure_next_meeting(forum_for(ward.directorate))


def test_an_idea_without_the_three_conditions_cannot_be_submitted(ward):
    project = ProjectFactory(team=ward, condition_team_agreed=False)
    with pytest.raises(TransitionError):
        submit_idea(project, by=project.lead)


def test_approval_allocates_coach_and_sponsor_and_emails_everyone(ward, chair, coach, sponsor,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    assert project.status == ProjectStatus.ACTIVE
    assert (project.coach, project.sponsor) == (coach, sponsor)
    assert set(Allocation.objects.current().filter(project=project).values_list("kind", flat=True)) == {
        AllocationKind.COACH, AllocationKind.SPONSOR}
    recipients = {addr for m in mail.outbox for addr in m.to}
    assert {project.lead.email, coach.email, sponsor.email} <= recipients
    assert [e.summary for e in project.events.all()][-2:] == [
        f"QI coach: {coach}, QI sponsor: {sponsor} (Approved at {agenda_item_meeting_name(project)})",
        f"Approved at {agenda_item_meeting_name(project)}",
    ]


def agenda_item_meeting_name(project):
    meeting = Decision.objects.get(project=project).meeting
    return f"{meeting.forum.name} on {meeting.date:%-d %b %Y}"


def test_a_second_decision_on_the_same_item_is_refused(ward, chair, coach, sponsor):
    project = submitted_idea(team=ward)
    item = agenda_item(project)
    decide(item, outcome=Outcome.RETURN, by=chair, rationale="Please involve service users.")
    with pytest.raises(AlreadyDecided):
        decide(item, outcome=Outcome.APPROVE, by=chair, rationale="", coach=coach, sponsor=sponsor)
    assert Decision.objects.filter(project=project).count() == 1


def test_coach_at_capacity_needs_a_written_override(ward, chair, coach, sponsor):
    approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    project = submitted_idea(team=ward)
    with pytest.raises(CapacityError):
        decide(agenda_item(project), outcome=Outcome.APPROVE, by=chair, rationale="", coach=coach, sponsor=sponsor)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and not Decision.objects.filter(project=project).exists()
    decide(agenda_item(project), outcome=Outcome.APPROVE, by=chair, rationale="", coach=coach, sponsor=sponsor,
           override_reason="Only coach with forensic experience")
    allocation = Allocation.objects.current().get(project=project, kind=AllocationKind.COACH)
    assert allocation.capacity_override_reason == "Only coach with forensic experience"


def test_defer_moves_the_idea_to_the_following_meeting(ward, chair):
    project = submitted_idea(team=ward)
    item = agenda_item(project)
    decide(item, outcome=Outcome.DEFER, by=chair, rationale="Out of time.")
    later = agenda_item(project)
    assert later.kind == AgendaKind.DEFERRED and later.meeting.date > item.meeting.date
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_returned_idea_comes_back_as_resubmitted(ward, chair):
    project = submitted_idea(team=ward)
    decide(agenda_item(project), outcome=Outcome.RETURN, by=chair, rationale="Sharpen the aim.")
    project.refresh_from_db()
    submit_idea(project, by=project.lead)
    assert agenda_item(project).kind == AgendaKind.RESUBMITTED


def test_transitions_outside_the_workflow_are_refused(ward):
    project = ProjectFactory(team=ward)
    with pytest.raises(TransitionError):
        transition(project, ProjectStatus.ACTIVE, by=project.lead, summary="skip the forum")


def test_decisions_are_never_edited(ward, chair):
    project = submitted_idea(team=ward)
    decision = decide(agenda_item(project), outcome=Outcome.DECLINE, by=chair, rationale="Out of scope.")
    decision.rationale = "changed"
    with pytest.raises(ValueError):
        decision.save()
