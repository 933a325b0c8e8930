import datetime as dt

import pytest
from django.utils import timezone

from assurance.accreditation import save_judgements
from assurance.models import AccreditationRole
from assurance.services import NewAction, record_walkround
from assurance.standards import install_default
from organisation.models import LivedExperience, Role

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


@pytest.fixture
def framework(db):
    return install_default(published_on=dt.date(2025, 4, 1))


@pytest.fixture
def assessor(ward):
    user = UserFactory(username="assessor", display_name="Jo Carer", team=None,
                       lived_experience=LivedExperience.CARER, roles=[Role.SERVICE_USER])
    AccreditationRole.objects.create(user=user, kind="assessor")
    return user


@pytest.fixture
def lead(ward):
    user = UserFactory(username="acclead", display_name="Val Lead", team=None, roles=[Role.STAFF])
    AccreditationRole.objects.create(user=user, kind="lead")
    return user


@pytest.fixture
def judge_all():
    """Judge every standard of an assessment: the first `met` met, then `partly` partly met, the rest not met."""
    def judge(assessment, *, met, partly=0, by):
        rows = []
        for i, standard in enumerate(assessment.framework.standards.all()):
            rating = "met" if i < met else "partly" if i < met + partly else "not_met"
            rows.append((standard, rating, f"Evidence for {standard.code}"))
        save_judgements(assessment, rows, by=by)
    return judge
