"""Changing a running project's coach, sponsor or IA: reasons, capacity, history, e-mail and who may."""

import pytest
from django.core import mail
from django.urls import reverse

from coaching.models import Allocation, AllocationKind
from organisation.models import Role
from projects.models import EventKind, ProjectEvent, ProjectStatus
from projects.services import transition

from ..factories import UserFactory
from ..workflow import approved_project

pytestmark = pytest.mark.django_db


def url(project):
    return reverse("coaching:reallocate", args=[project.pk])


def post(project, **changes):
    data = {"coach": project.coach_id, "sponsor": project.sponsor_id, "advisor": project.advisor_id or "",
            "reason": "Coach has left the organisation", "override_reason": ""}
    data.update(changes)
    return data


def test_chair_changes_the_coach_and_history_is_kept(client, chair, coach, project, make_coach,
                                                    django_capture_on_commit_callbacks):
    new_coach = make_coach(name="Dana New")
    client.force_login(chair)
    page = client.get(url(project))
    assert page.status_code == 200
    assert "Approved at" in page.content.decode()  # the forum's allocation is in the history

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(project), post(project, coach=new_coach.pk))
    assert response.status_code == 302 and response.url == url(project)

    project.refresh_from_db()
    assert project.coach == new_coach
    old = Allocation.objects.get(project=project, person=coach, kind=AllocationKind.COACH)
    assert old.ended_on is not None and old.ended_reason == "Coach has left the organisation"
    new = Allocation.objects.current().get(project=project, kind=AllocationKind.COACH)
    assert (new.person, new.reason, new.allocated_by, new.ended_on) == (
        new_coach, "Coach has left the organisation", chair, None)
    # The sponsor did not change, so their allocation was not touched.
    assert Allocation.objects.filter(project=project, kind=AllocationKind.SPONSOR).count() == 1
    event = ProjectEvent.objects.filter(project=project, kind=EventKind.ALLOCATION).latest("pk")
    assert "Dana New" in event.summary and "Coach has left the organisation" in event.summary
    assert event.by == chair
    # The earlier allocations' notices were still due and go out with it; the new coach hears once.
    [to_new_coach] = [m for m in mail.outbox if m.to == [new_coach.email]]
    assert project.title in to_new_coach.subject

    history = client.get(response.url)
    html = history.content.decode()
    assert "Allocation changed" in html
    assert [a.person for a in history.context["history"] if a.kind == AllocationKind.COACH] == [new_coach, coach]
    assert html.count("Coach has left the organisation") >= 2  # why the new one started, why the old one ended


def test_sponsor_and_ia_can_change_too(client, qiadmin, project, sponsor, directorate, ward,
                                       django_capture_on_commit_callbacks):
    new_sponsor = UserFactory(team=ward, roles=[Role.STAFF, (Role.SPONSOR, directorate)])
    advisor = UserFactory(team=ward, roles=[Role.STAFF, Role.IMPROVEMENT_ADVISOR])
    client.force_login(qiadmin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(project), post(project, sponsor=new_sponsor.pk, advisor=advisor.pk,
                                                  reason="Service reorganised"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.sponsor, project.advisor) == (new_sponsor, advisor)
    assert Allocation.objects.get(project=project, person=sponsor).ended_on is not None
    told = [m.to[0] for m in mail.outbox]
    assert told.count(new_sponsor.email) == 1 and told.count(advisor.email) == 1


def test_coach_choices_follow_the_suggested_order_with_their_load(client, chair, project, make_coach,
                                                                  other_directorate):
    far = make_coach(directorate=other_directorate, hours=4, max_teams=4, name="Far Away")
    near_more_hours = make_coach(hours=4, name="Near Four Hours")
    near_more_room = make_coach(max_teams=3, name="Near Three Places")
    client.force_login(chair)
    form = client.get(url(project)).context["form"]
    groups = form.fields["coach"].choices[1:]
    assert groups[0][0] == "In Riverside Mental Health" and groups[1][0] == "Other directorates"
    here = [label for _, label in groups[0][1]]
    assert [label.split(" · ")[0] for label in here] == [near_more_room.name, near_more_hours.name,
                                                         project.coach.name]
    assert here[2].endswith("1 of 2 teams · 3 h a week · current coach")
    assert here[0].endswith("0 of 3 teams · 2 h a week · has room")
    assert groups[1][1][0][0] == far.pk


def test_a_coach_at_capacity_needs_an_override_reason(client, chair, project, make_coach, ward, sponsor,
                                                     django_capture_on_commit_callbacks):
    busy = make_coach(max_teams=1, name="Busy Coach")
    approved_project(team=ward, chair=chair, coach=busy, sponsor=sponsor)
    client.force_login(chair)

    response = client.post(url(project), post(project, coach=busy.pk, reason="Rebalancing"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["coach"] and "already coaches 1 of a maximum of 1" in errors["coach"][0]
    html = response.content.decode()
    assert 'id="error_1_id_coach"' in html and 'value="Rebalancing"' in html
    project.refresh_from_db()
    assert project.coach.name != busy.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(project), post(project, coach=busy.pk, reason="Rebalancing",
                                                  override_reason="Only coach with forensic experience"))
    assert response.status_code == 302
    allocation = Allocation.objects.current().get(project=project, kind=AllocationKind.COACH)
    assert (allocation.person, allocation.capacity_override_reason) == (busy, "Only coach with forensic experience")
    event = ProjectEvent.objects.filter(project=project, kind=EventKind.ALLOCATION).latest("pk")
    assert event.detail == "Capacity override: Only coach with forensic experience"
    assert "Only coach with forensic experience" in client.get(url(project)).content.decode()


def test_an_override_is_not_recorded_where_the_coach_has_room(client, chair, project, make_coach):
    client.force_login(chair)
    free = make_coach()
    client.post(url(project), post(project, coach=free.pk, override_reason="Just in case"))
    assert Allocation.objects.current().get(project=project, kind=AllocationKind.COACH).capacity_override_reason == ""


def test_reason_is_required_and_a_change_is_required(client, chair, project, make_coach):
    client.force_login(chair)
    response = client.post(url(project), post(project, coach=make_coach().pk, reason=""))
    assert list(response.context["form"].errors) == ["reason"]
    response = client.post(url(project), post(project))
    assert "Nothing has changed" in response.content.decode()
    assert Allocation.objects.filter(project=project).count() == 2


def test_a_coach_who_left_is_not_offered_and_must_be_replaced(client, chair, coach, project, make_coach):
    coach.is_active = False
    coach.save()
    client.force_login(chair)
    form = client.get(url(project)).context["form"]
    assert form.initial["coach"] == ""
    assert coach.pk not in form.coaches


@pytest.mark.parametrize("who", ["qiadmin", "chair", "ia", "project_ia"])
def test_who_may_reallocate(client, request, project, who, ward):
    if who == "project_ia":
        user = UserFactory(team=ward, roles=[Role.STAFF, Role.IMPROVEMENT_ADVISOR])
        project.advisor = user
        project.save()
    else:
        user = request.getfixturevalue(who)  # `ia` supervises the project's coach
    client.force_login(user)
    assert client.get(url(project)).status_code == 200


@pytest.mark.parametrize("who", ["other_chair", "staff", "coach", "sponsor", "board", "outsider", "other_ia"])
def test_everyone_else_is_refused(client, request, project, who, ward, make_coach):
    if who == "other_ia":
        user = UserFactory(team=ward, roles=[Role.STAFF, Role.IMPROVEMENT_ADVISOR])
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), post(project, coach=make_coach().pk)).status_code == 403
    project.refresh_from_db()
    assert project.coach.username == "coach"


def test_a_closed_project_shows_its_history_but_cannot_be_reallocated(client, chair, qiadmin, project, make_coach):
    transition(project, ProjectStatus.CLOSURE_REQUESTED, by=project.lead, summary="Aim met")
    client.force_login(chair)
    assert client.get(url(project)).context["form"] is not None  # awaiting closure: still running
    transition(project, ProjectStatus.COMPLETED, by=qiadmin, summary="Closed")
    page = client.get(url(project))
    assert page.status_code == 200 and page.context["form"] is None
    assert "no longer change" in page.content.decode()
    client.post(url(project), post(project, coach=make_coach().pk))
    assert Allocation.objects.filter(project=project).count() == 2


def test_reallocation_page_query_count_does_not_grow(client, chair, project, make_coach, other_directorate,
                                                     django_assert_max_num_queries):
    client.force_login(chair)
    for _ in range(2):
        make_coach()
    with django_assert_max_num_queries(14) as small:
        assert client.get(url(project)).status_code == 200
    budget = len(small.captured_queries)  # read now: each request clears the connection's query log
    for i in range(8):
        make_coach(directorate=other_directorate if i % 2 else project.directorate)
    for i in range(3):
        client.post(url(project), post(project, coach=make_coach().pk, reason=f"Change {i}"))
        project.refresh_from_db()
    with django_assert_max_num_queries(budget):
        response = client.get(url(project))
    assert len(response.context["history"]) == 5
