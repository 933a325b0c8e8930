import pytest

from organisation.models import Role

from ..factories import CoachProfileFactory, TeamFactory, UserFactory
from ..workflow import approved_project


@pytest.fixture
def project(ward, chair, coach, sponsor):
    """A running project on Willow Ward coached by the `coach` persona (supervised by `ia`)."""
    return approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor, title="Calmer evenings on Willow")


@pytest.fixture
def make_coach(directorate):
    """A coach with a profile: make_coach(directorate=..., supervisor=..., hours=..., max_teams=...)."""

    def make(*, directorate=directorate, supervisor=None, hours=2, max_teams=2, name=None):
        team = TeamFactory(directorate=directorate)
        user = UserFactory(team=team, roles=[Role.STAFF, Role.COACH], **({"display_name": name} if name else {}))
        CoachProfileFactory(user=user, hours_per_week=hours, max_teams=max_teams, supervisor=supervisor)
        return user

    return make
