"""Every directorate's forum, and one forum's page: next meeting, past meetings, members."""

import datetime as dt

import pytest
from django.urls import reverse

from forums.models import Forum, Meeting, Outcome
from forums.services import decide, forum_for

from ..factories import DirectorateFactory, TeamFactory, UserFactory
from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


def test_index_lists_every_directorates_forum_with_chairs_rule_date_and_waiting(
        login, chair, serviceuser, other_chair, ward, other_ward):
    submitted_idea(team=ward)
    submitted_idea(team=ward)
    submitted_idea(team=other_ward)
    DirectorateFactory(name="Corporate Services")  # no forum yet: one is made on sight
    response = login(chair).get(reverse("forums:index"))
    assert response.status_code == 200
    forums = response.context["forums"]
    assert [f.directorate.name for f in forums] == [
        "Riverside Mental Health", "Corporate Services", "Northgate Mental Health"]
    riverside = forums[0]
    assert riverside.is_mine and not forums[1].is_mine
    assert riverside.waiting == 2 and forums[2].waiting == 1 and forums[1].waiting == 0
    assert [lead.user for lead in riverside.leads] == [chair, serviceuser]
    page = response.content.decode()
    assert "Your forums" in page and "Other forums" in page
    assert "Dr Jordan Rahman" in page and "Robin Hale" in page and "(forum co-chair)" in page
    assert "Meets the second Tuesday of each month" in page
    assert "2 ideas waiting" in page and "Nothing waiting" in page
    assert Forum.objects.count() == 3


def test_the_other_chair_sees_their_own_forum_first(login, other_chair, directorate, other_directorate):
    forums = login(other_chair).get(reverse("forums:index")).context["forums"]
    assert forums[0].directorate == other_directorate


@pytest.mark.parametrize("n", [2, 15])
def test_index_queries_do_not_grow_with_forums_or_ideas(login, staff, ward, django_assert_max_num_queries, n):
    for _ in range(n):
        team = TeamFactory(directorate=DirectorateFactory())
        forum_for(team.directorate)
        UserFactory(roles=[("chair", team.directorate)])
        submitted_idea(team=team)
    client = login(staff)
    client.get(reverse("forums:index"))  # forums for new directorates are made on first sight
    with django_assert_max_num_queries(9):
        response = client.get(reverse("forums:index"))
    assert len(response.context["forums"]) >= n


def test_forum_page_always_has_a_next_meeting(login, staff, directorate):
    forum = forum_for(directorate)
    assert not Meeting.objects.exists()
    response = login(staff).get(reverse("forums:forum", args=[forum.pk]))
    assert response.status_code == 200
    next_meeting = response.context["next_meeting"]
    assert next_meeting.date >= dt.date.today() - dt.timedelta(days=1)
    assert next_meeting.date == forum.date_in_month(next_meeting.date.year, next_meeting.date.month)
    assert reverse("forums:meeting", args=[next_meeting.pk]) in response.content.decode()


def test_forum_page_shows_past_meetings_with_decision_counts_and_members(login, chair, serviceuser, coach, sponsor,
                                                                         ward, forum):
    member = UserFactory(display_name="Dana Member", team=ward)
    forum.members.add(member)
    for outcome in (Outcome.APPROVE, Outcome.RETURN, Outcome.RETURN):
        project = submitted_idea(team=ward)
        decide(agenda_item(project), outcome=outcome, by=chair, rationale="r", coach=coach if outcome == "approve"
               else None, sponsor=sponsor if outcome == "approve" else None)
    Meeting.objects.update(date=dt.date(2025, 3, 11))
    response = login(chair).get(reverse("forums:forum", args=[forum.pk]))
    [past] = response.context["past_meetings"]
    assert (past.decided, past.approved, past.returned, past.declined, past.deferred) == (3, 1, 2, 0, 0)
    page = response.content.decode()
    for name in ("Dr Jordan Rahman", "Robin Hale", "Dana Member", "11 Mar 2025"):
        assert name in page
    assert response.context["next_meeting"].date > dt.date(2025, 3, 11)


@pytest.mark.parametrize("n", [2, 15])
def test_forum_page_queries_do_not_grow(login, chair, ward, forum, django_assert_max_num_queries, n):
    for i in range(n):
        submitted_idea(team=ward)
        Meeting.objects.create(forum=forum, date=dt.date(2024, 1, 1) + dt.timedelta(days=31 * i),
                               starts_at=dt.time(14))
        forum.members.add(UserFactory(team=ward))
    client = login(chair)
    with django_assert_max_num_queries(11):
        client.get(reverse("forums:forum", args=[forum.pk]))


def test_qi_admins_get_a_link_to_configure_the_forum(login, qiadmin, chair, forum):
    url = reverse("admin:forums_forum_change", args=[forum.pk])
    assert url in login(qiadmin).get(reverse("forums:forum", args=[forum.pk])).content.decode()
    assert url not in login(chair).get(reverse("forums:forum", args=[forum.pk])).content.decode()
