"""Closure: the lead asks, the directorate's forum chair confirms or returns it; both are recorded."""

import pytest
from django.urls import reverse

from projects.models import ProjectStatus
from projects.services import TransitionError
from workspace import services
from workspace.models import ClosureOutcome, ClosureRequest, ReviewOutcome

pytestmark = pytest.mark.django_db

FORM = {"outcome": "aim_met", "results": "Incidents fell from 9 to 4 a month.", "learning": "Start small.",
        "sustain_plan": "The ward manager keeps the huddle going.", "should_spread": "on"}


@pytest.fixture
def heard(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "_closure_callbacks", [calls.append])
    return calls


def test_lead_requests_closure_and_the_forum_is_told(client, staff, project, heard):
    client.force_login(staff)
    url = reverse("workspace:closure_request", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, FORM)
    assert response.status_code == 302
    project.refresh_from_db()
    closure = ClosureRequest.objects.get()
    assert project.status == ProjectStatus.CLOSURE_REQUESTED
    assert closure.should_spread and closure.requested_by == staff and closure.is_pending
    assert heard == [closure]
    assert project.events.filter(to_status=ProjectStatus.CLOSURE_REQUESTED,
                                 summary="Closure requested: Completed – aim met").exists()
    page = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert "Closure requested" in page and reverse("workspace:closure_review", args=[closure.pk]) in page
    assert client.get(url).status_code == 403  # already requested


def test_chair_confirms_and_the_project_completes(client, staff, chair, project, heard):
    closure = services.request_closure(project, by=staff, **{**FORM, "should_spread": True})
    client.force_login(chair)
    url = reverse("workspace:closure_review", args=[closure.pk])
    assert "Record the decision" in client.get(url).content.decode()
    response = client.post(url, {"decision": "confirm", "note": "Well done."})
    assert response.status_code == 302
    project.refresh_from_db()
    closure.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED and project.closed_on is not None
    assert closure.review_outcome == ReviewOutcome.CONFIRMED and closure.reviewed_by == chair
    assert project.events.filter(to_status=ProjectStatus.COMPLETED, by=chair).exists()
    assert client.post(url, {"decision": "return", "note": "x"}).status_code == 404
    with pytest.raises(TransitionError):
        services.review_closure(closure, by=chair, confirm=True)


def test_a_stopped_outcome_stops_the_project(staff, chair, project, heard):
    closure = services.request_closure(project, by=staff,
                                       **{**FORM, "outcome": ClosureOutcome.STOPPED, "should_spread": False})
    services.review_closure(closure, by=chair, confirm=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.STOPPED


def test_chair_returns_it_with_a_note_and_the_project_is_active_again(client, staff, chair, project, heard):
    closure = services.request_closure(project, by=staff, **{**FORM, "should_spread": False})
    client.force_login(chair)
    url = reverse("workspace:closure_review", args=[closure.pk])
    refused = client.post(url, {"decision": "return", "note": ""})
    assert refused.status_code == 200 and "Tell the team what to do" in refused.content.decode()
    client.post(url, {"decision": "return", "note": "Show three more months of data first."})
    project.refresh_from_db()
    closure.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    assert closure.review_outcome == ReviewOutcome.RETURNED and closure.review_note.startswith("Show three")
    assert project.events.filter(summary="Closure returned to the team", by=chair).exists()
    client.force_login(staff)
    page = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert "Show three more months of data first." in page and "Request closure" in page
    # The team can ask again later.
    services.request_closure(project, by=staff, **{**FORM, "should_spread": False})
    assert ClosureRequest.objects.pending().count() == 1


@pytest.mark.parametrize("who", ["staff", "coach", "sponsor", "other_chair", "board", "outsider"])
def test_only_the_directorates_forum_chair_reviews(client, request, staff, project, heard, who):
    closure = services.request_closure(project, by=staff, **{**FORM, "should_spread": False})
    client.force_login(request.getfixturevalue(who))
    url = reverse("workspace:closure_review", args=[closure.pk])
    assert client.get(url).status_code == 200  # everyone reads the request
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSURE_REQUESTED


def test_the_co_chair_reviews_too(client, serviceuser, staff, project, heard):
    closure = services.request_closure(project, by=staff, **{**FORM, "should_spread": False})
    client.force_login(serviceuser)
    assert client.post(reverse("workspace:closure_review", args=[closure.pk]),
                       {"decision": "confirm"}).status_code == 302


@pytest.mark.parametrize("who", ["member", "coach", "sponsor"])
def test_only_the_lead_or_qi_admin_requests_closure(client, request, project, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("workspace:closure_request", args=[project.pk]), FORM).status_code == 403


def test_qi_admin_may_request_closure(client, qiadmin, project, heard):
    client.force_login(qiadmin)
    assert client.post(reverse("workspace:closure_request", args=[project.pk]), FORM).status_code == 302
