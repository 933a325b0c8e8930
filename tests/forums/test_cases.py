"""An idea's case on the agenda is rendered once and remembered per item, stamped with the project's version."""

import pytest

from forums.models import AgendaItem, Outcome
from forums.services import decide
from projects.models import MemberRole
from workspace.services import add_member

from ..factories import UserFactory
from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


def test_a_second_reader_gets_the_remembered_case_and_fewer_queries(login, chair, staff, ward, meeting_url,
                                                                   django_assert_max_num_queries):
    for _ in range(6):
        submitted_idea(team=ward)
    first = login(staff).get(meeting_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        login(chair).get(meeting_url)
    cold_count = len(cold.captured_queries)
    with CaptureQueriesContext(connection) as warm:
        again = login(staff).get(meeting_url)
    assert len(warm.captured_queries) < cold_count  # no team, alignment or history queries
    assert again.content.decode().count('data-testid="history"') == 6
    assert first.content.decode().count('data-testid="conditions"') == 6


def test_a_new_team_member_shows_at_once(login, staff, ward, meeting_url):
    project = submitted_idea(team=ward)
    client = login(staff)
    client.get(meeting_url)
    newcomer = UserFactory(display_name="Quinn Newcomer", team=ward)
    add_member(project, person=newcomer, role=MemberRole.MEMBER, by=project.lead)
    assert "Quinn Newcomer" in client.get(meeting_url).content.decode()


def test_a_deferral_shows_in_the_history_at_the_next_meeting_at_once(login, chair, staff, ward, meeting):
    project = submitted_idea(team=ward)
    item = agenda_item(project)
    client = login(staff)
    decide(item, outcome=Outcome.DEFER, by=chair, rationale="More time needed.")
    later = AgendaItem.objects.exclude(pk=item.pk).get(project=project)
    url = later.meeting.get_absolute_url()
    client.get(url)
    assert "More time needed." in client.get(url).content.decode()


def test_every_undecided_item_gets_its_own_decision_form(login, chair, ward, meeting_url):
    projects = [submitted_idea(team=ward) for _ in range(3)]
    page = login(chair).get(meeting_url).content.decode()
    for p in projects:
        item = agenda_item(p)
        assert f'action="/forums/items/{item.pk}/decide/#item-{item.pk}"' in page
        assert f'name="item-{item.pk}-outcome"' in page and f'id="id_item-{item.pk}-coach"' in page
    assert "987654321012" not in page
