import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def idea_data(ward):
    """A complete, valid idea as the form posts it; tests change what they need."""

    def build(**overrides) -> dict:
        data = {
            "title": "Fewer falls at night on Willow Ward",
            "team": ward.pk,
            "problem": "Falls at night have doubled since the spring; most happen between 2 and 5 a.m.",
            "why_it_matters": "Service users told us they are frightened of falling on the way to the toilet.",
            "matters_to_staff": "on",
            "matters_to_service_users": "on",
            "aim_what": "Reduce falls at night on the ward",
            "aim_how_much": "by 50%",
            "aim_by_when": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
            "condition_matters_most": "on",
            "condition_team_agreed": "on",
            "condition_whole_team": "on",
            "involvement": "full",
            "action": "draft",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build
