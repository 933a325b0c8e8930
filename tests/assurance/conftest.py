import datetime as dt

import pytest
from django.utils import timezone

from assurance.services import NewAction, record_walkround
from organisation.models import Role

from ..factories import UserFactory


@pytest.fixture
def executive(board):
    """The chief nurse: a board member, so an executive who does WalkRounds."""
    return board


@pytest.fixture
def other_executive(other_ward):
    return UserFactory(username="cfo", display_name="Kit Mensah", team=other_ward, roles=[Role.STAFF, Role.BOARD])


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_walkround(executive, today):
    def make(team, *, date=None, by=None, actions=(), executives=None):
        return record_walkround(
            team=team, date=date or today - dt.timedelta(days=7), executives=executives or [by or executive],
            proud_of="Our new welcome pack for families.", working_to_improve="Fewer falls at night on the ward.",
            getting_in_the_way="Agency staff do not know the falls checklist.",
            taking_care="A weekly reflective practice group.", by=by or executive,
            actions=[NewAction(*a) for a in actions])
    return make
