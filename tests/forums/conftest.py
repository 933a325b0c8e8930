"""Shared set-up for the forum pages: a meeting with ideas on it, and a logged-in client per persona."""

import pytest
from django.urls import reverse

from forums.services import ensure_next_meeting, forum_for

from ..factories import CoachProfileFactory
from ..workflow import agenda_item, submitted_idea


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client
    return _login


@pytest.fixture
def forum(directorate):
    return forum_for(directorate)


@pytest.fixture
def meeting(forum):
    return ensure_next_meeting(forum)


@pytest.fixture
def idea(ward, meeting):
    return submitted_idea(team=ward, title="Calmer evenings on Willow Ward")


@pytest.fixture
def item(idea):
    return agenda_item(idea)


@pytest.fixture
def meeting_url(meeting):
    return reverse("forums:meeting", args=[meeting.pk])


@pytest.fixture
def decide_url():
    def _url(item):
        return reverse("forums:decide", args=[item.pk])
    return _url


@pytest.fixture
def full_coach(ward, ia):
    """A coach of this directorate who coaches nobody yet but may only take one team."""
    return CoachProfileFactory(user__team=ward, user__display_name="Fran Lowe", max_teams=1, supervisor=ia).user

