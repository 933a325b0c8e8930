"""Decisions through the meeting page: each outcome, errors beside fields, capacity, roles, and the race."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.urls import NoReverseMatch, reverse

from coaching.models import Allocation, AllocationKind
from forums.models import AgendaKind, Decision, Outcome
from forums.services import AlreadyDecided, decide
from projects.models import ProjectStatus

from ..workflow import agenda_item, approved_project, submitted_idea
from .helpers import decision_post

pytestmark = pytest.mark.django_db


def test_chair_can_approve_idea_with_coach_and_sponsor(login, chair, coach, sponsor, ia, item, decide_url, meeting_url):
    response = login(chair).post(decide_url(item), decision_post(
        item, outcome="approve", coach=coach, sponsor=sponsor, advisor=ia, rationale="Go ahead."))
    assert response.status_code == 302
    assert response["Location"] == f"{meeting_url}#item-{item.pk}"
    decision = Decision.objects.get(item=item)
    assert (decision.outcome, decision.coach, decision.sponsor, decision.advisor, decision.decided_by) == (
        Outcome.APPROVE, coach, sponsor, ia, chair)
    item.project.refresh_from_db()
    assert item.project.status == ProjectStatus.ACTIVE
    assert (item.project.coach, item.project.sponsor) == (coach, sponsor)
    page = login(chair).get(meeting_url).content.decode()
    assert "Recorded: “Calmer evenings on Willow Ward” – approve." in page
    assert 'data-testid="decision-form"' not in page


def test_chair_can_return_idea_with_feedback_the_submitter_reads(login, chair, item, decide_url,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(chair).post(decide_url(item), decision_post(
            item, outcome="return", rationale="Please show how service users agreed the topic."))
    assert response.status_code == 302
    item.project.refresh_from_db()
    assert item.project.status == ProjectStatus.RETURNED
    assert Decision.objects.get(item=item).rationale == "Please show how service users agreed the topic."
    [email] = mail.outbox
    assert item.project.lead.email in email.to
    assert "Return for more work" in email.body
    assert "Please show how service users agreed the topic." in email.body
    assert reverse("projects:detail", args=[item.project.pk]) in email.body


def test_chair_can_decline_idea_with_a_reason(login, chair, item, decide_url):
    login(chair).post(decide_url(item), decision_post(item, outcome="decline", rationale="Part of a programme."))
    item.project.refresh_from_db()
    assert item.project.status == ProjectStatus.DECLINED
    assert Decision.objects.get(item=item).outcome == Outcome.DECLINE


def test_chair_can_defer_idea_to_the_next_meeting_without_a_rationale(login, chair, item, decide_url):
    login(chair).post(decide_url(item), decision_post(item, outcome="defer"))
    item.project.refresh_from_db()
    assert item.project.status == ProjectStatus.SUBMITTED
    later = agenda_item(item.project)
    assert later.kind == AgendaKind.DEFERRED and later.meeting.date > item.meeting.date


@pytest.mark.parametrize("outcome", ["return", "decline"])
def test_return_and_decline_need_a_rationale(login, chair, item, decide_url, outcome):
    response = login(chair).post(decide_url(item), decision_post(item, outcome=outcome))
    assert response.status_code == 200
    form = response.context["sections"][0].items[0].form
    assert "rationale" in form.errors
    assert not Decision.objects.exists()


def test_a_decision_needs_an_outcome(login, chair, item, decide_url):
    response = login(chair).post(decide_url(item), decision_post(item, rationale="Hmm"))
    assert "Choose a decision." in response.content.decode()
    assert not Decision.objects.exists()


def test_approve_without_coach_or_sponsor_shows_errors_beside_fields_and_keeps_input(
        login, chair, item, decide_url):
    response = login(chair).post(decide_url(item), decision_post(
        item, outcome="approve", rationale="A lovely idea I typed carefully"))
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["sections"][0].items[0].form
    assert form.errors["coach"] == ["An approved project needs a QI coach."]
    assert form.errors["sponsor"] == ["An approved project needs a QI sponsor."]
    # Each error sits under its own field, and what was typed is still there.
    assert f'id="error_1_id_item-{item.pk}-coach"' in page
    assert f'id="error_1_id_item-{item.pk}-sponsor"' in page
    assert "A lovely idea I typed carefully</textarea>" in page
    assert 'value="approve" autocomplete="off" checked' in page
    assert 'data-testid="form-errors"' in page and f'href="#item-{item.pk}"' in page
    assert not Decision.objects.exists()


def test_coach_at_capacity_needs_an_override_reason(login, chair, full_coach, coach, sponsor, ward, item, decide_url):
    approved_project(team=ward, chair=chair, coach=full_coach, sponsor=sponsor)
    response = login(chair).post(decide_url(item), decision_post(item, outcome="approve", coach=full_coach,
                                                                 sponsor=sponsor))
    form = response.context["sections"][0].items[0].form
    assert "is at capacity" in form.errors["override_reason"][0]
    assert f'id="error_1_id_item-{item.pk}-override_reason"' in response.content.decode()
    assert not Decision.objects.filter(item=item).exists()

    response = login(chair).post(decide_url(item), decision_post(
        item, outcome="approve", coach=full_coach, sponsor=sponsor, override_reason="Knows the ward best"))
    assert response.status_code == 302
    allocation = Allocation.objects.current().get(project=item.project, kind=AllocationKind.COACH)
    assert (allocation.person, allocation.capacity_override_reason) == (full_coach, "Knows the ward best")
    assert Decision.objects.get(item=item).coach_override_reason == "Knows the ward best"


def test_capacity_error_from_the_service_is_shown_beside_the_coach(login, chair, full_coach, sponsor, ward, item,
                                                                   decide_url, meeting_url, monkeypatch):
    # The page showed the coach with a place free; someone took it before the chair pressed the button.
    page = login(chair).get(meeting_url)
    assert "Fran Lowe — 0 of 1 teams" in page.content.decode()
    approved_project(team=ward, chair=chair, coach=full_coach, sponsor=sponsor)
    from forums import forms

    original = forms.AllocationChoices.__post_init__

    def stale(self):
        original(self)
        self.at_capacity = set()

    monkeypatch.setattr(forms.AllocationChoices, "__post_init__", stale)
    response = login(chair).post(decide_url(item), decision_post(item, outcome="approve", coach=full_coach,
                                                                 sponsor=sponsor))
    form = response.context["sections"][0].items[0].form
    assert "already coaches 1 of a maximum of 1 teams" in form.errors["coach"][0]
    assert not Decision.objects.filter(item=item).exists()


def test_coach_choices_list_suggestions_in_order_with_their_load(login, chair, coach, full_coach, sponsor, ward,
                                                                  item, meeting_url):
    approved_project(team=ward, chair=chair, coach=full_coach, sponsor=sponsor, override_reason="")
    page = login(chair).get(meeting_url).content.decode()
    first, second = page.index("Chris Adeyemi — 0 of 2 teams, 3 h/week, same directorate"), page.index(
        "Fran Lowe — at capacity (1 of 1 teams), 2 h/week, same directorate")
    assert first < second
    assert 'data-at-capacity="true">Fran Lowe' in page
    assert "Morgan Patel" in page  # the directorate's sponsor


@pytest.mark.parametrize("persona", ["staff", "coach", "board", "other_chair", "outsider", "sponsor", "ia",
                                     "qiadmin"], indirect=True)
def test_people_who_do_not_chair_this_forum_cannot_decide(login, persona, coach, sponsor, item, decide_url,
                                                          meeting_url):
    response = login(persona).post(decide_url(item), decision_post(item, outcome="decline", rationale="No"))
    assert response.status_code == 403
    assert not Decision.objects.exists()
    page = login(persona).get(meeting_url)
    assert page.status_code == 200
    assert 'data-testid="decision-form"' not in page.content.decode()
    assert "Calmer evenings on Willow Ward" in page.content.decode()


def test_the_service_user_co_chair_can_decide(login, serviceuser, item, decide_url):
    response = login(serviceuser).post(decide_url(item), decision_post(item, outcome="return", rationale="More"))
    assert response.status_code == 302
    assert Decision.objects.get(item=item).decided_by == serviceuser


def test_deciding_needs_a_post(login, chair, item, decide_url):
    assert login(chair).get(decide_url(item)).status_code == 405


def test_two_chairs_on_the_same_item_record_one_decision_and_warn_the_second(
        client, chair, serviceuser, coach, sponsor, item, decide_url, meeting_url):
    client.force_login(chair)
    assert 'data-testid="decision-form"' in client.get(meeting_url).content.decode()
    from django.test import Client

    other = Client()
    other.force_login(serviceuser)
    assert 'data-testid="decision-form"' in other.get(meeting_url).content.decode()

    first = client.post(decide_url(item), decision_post(item, outcome="approve", coach=coach, sponsor=sponsor))
    second = other.post(decide_url(item), decision_post(item, outcome="decline", rationale="Not now"))

    assert first.status_code == second.status_code == 302
    assert second["Location"] == f"{meeting_url}#item-{item.pk}"
    [warning] = list(get_messages(second.wsgi_request))
    assert warning.level_tag == "warning"
    assert "Dr Jordan Rahman already recorded “Approve”" in str(warning)
    assert "Your decision was not recorded" in str(warning)
    assert Decision.objects.filter(item=item).count() == 1
    assert Decision.objects.get(item=item).outcome == Outcome.APPROVE


@pytest.mark.django_db(transaction=True)
def test_two_chairs_deciding_at_the_same_instant_make_exactly_one_decision(chair, serviceuser, ward, meeting):
    project = submitted_idea(team=ward)
    item = agenda_item(project)
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def decide_as(person, outcome):
        start.wait()
        try:
            decide(item, outcome=outcome, by=person, rationale=f"{person.username} says {outcome}")
            outcomes.append(outcome)
        except AlreadyDecided as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide_as, args=(chair, Outcome.RETURN)),
               threading.Thread(target=decide_as, args=(serviceuser, Outcome.DECLINE))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 1 and len(errors) == 1
    assert Decision.objects.filter(item=item).count() == 1
    project.refresh_from_db()
    assert project.status == {Outcome.RETURN: ProjectStatus.RETURNED, Outcome.DECLINE: ProjectStatus.DECLINED}[
        outcomes[0]]


def test_decisions_have_no_edit_url_and_the_model_refuses_edits(login, chair, item, decide_url):
    login(chair).post(decide_url(item), decision_post(item, outcome="decline", rationale="Out of scope."))
    decision = Decision.objects.get(item=item)
    for name in ("forums:decision_edit", "forums:edit_decision", "forums:decision"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[decision.pk])
    decision.rationale = "changed"
    with pytest.raises(ValueError):
        decision.save()
    # Posting again on a decided item changes nothing and says why.
    response = login(chair).post(decide_url(item), decision_post(item, outcome="return", rationale="Actually…"))
    assert response.status_code == 302
    assert Decision.objects.get(item=item).outcome == Outcome.DECLINE
    assert "already recorded" in str(list(get_messages(response.wsgi_request))[-1])


def test_a_decided_item_shows_the_record_not_a_form(login, chair, coach, sponsor, item, decide_url, meeting_url):
    login(chair).post(decide_url(item), decision_post(item, outcome="approve", coach=coach, sponsor=sponsor,
                                                      rationale="Clear aim."))
    page = login(chair).get(meeting_url).content.decode()
    assert 'data-testid="decision"' in page
    assert "by Dr Jordan Rahman" in page and "Clear aim." in page
    assert "QI coach:</strong> Chris Adeyemi" in page and "QI sponsor:</strong> Morgan Patel" in page
