"""Personas for every role (after healthchecks' hc/test.py), built with factories."""

import pytest

from organisation.models import CoachProfile, LivedExperience, Role

from .factories import PASSWORD, DirectorateFactory, TeamFactory, UserFactory


@pytest.fixture
def directorate(db):
    return DirectorateFactory(name="Riverside Mental Health", slug="riverside")


@pytest.fixture
def other_directorate(db):
    return DirectorateFactory(name="Northgate Mental Health", slug="northgate")


@pytest.fixture
def ward(directorate):
    return TeamFactory(directorate=directorate, name="Willow Ward")


@pytest.fixture
def other_ward(other_directorate):
    return TeamFactory(directorate=other_directorate, name="Hazel Ward")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def staff(ward):
    return UserFactory(username="staff", display_name="Sam Okafor", team=ward, roles=[Role.STAFF])


@pytest.fixture
def serviceuser(ward, directorate):
    return UserFactory(username="serviceuser", display_name="Robin Hale", team=ward,
                       lived_experience=LivedExperience.SERVICE_USER,
                       roles=[Role.SERVICE_USER, (Role.FORUM_CO_CHAIR, directorate)])


@pytest.fixture
def ia(ward):
    return UserFactory(username="ia", display_name="Alex Nowak", team=ward,
                       roles=[Role.STAFF, Role.IMPROVEMENT_ADVISOR])


@pytest.fixture
def coach(ward, ia):
    user = UserFactory(username="coach", display_name="Chris Adeyemi", team=ward, roles=[Role.STAFF, Role.COACH])
    CoachProfile.objects.create(user=user, hours_per_week=3, max_teams=2, supervisor=ia)
    return user


@pytest.fixture
def sponsor(ward, directorate):
    return UserFactory(username="sponsor", display_name="Morgan Patel", team=ward,
                       roles=[Role.STAFF, (Role.SPONSOR, directorate)])


@pytest.fixture
def chair(ward, directorate):
    return UserFactory(username="chair", display_name="Dr Jordan Rahman", team=ward,
                       roles=[Role.STAFF, (Role.FORUM_CHAIR, directorate)])


@pytest.fixture
def other_chair(other_ward, other_directorate):
    return UserFactory(username="otherchair", team=other_ward,
                       roles=[Role.STAFF, (Role.FORUM_CHAIR, other_directorate)])


@pytest.fixture
def board(ward):
    return UserFactory(username="board", display_name="Pat Campbell", team=ward, roles=[Role.STAFF, Role.BOARD])


@pytest.fixture
def qiadmin(ward):
    return UserFactory(username="qiadmin", display_name="Lee Walsh", team=ward, roles=[Role.STAFF, Role.QI_ADMIN])


@pytest.fixture
def outsider(other_ward):
    """A staff member of another directorate with no QI roles beyond staff."""
    return UserFactory(username="outsider", team=other_ward, roles=[Role.STAFF])


PERSONA_NAMES = ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board", "qiadmin"]


@pytest.fixture
def persona(request):
    """Indirect parametrisation: `@pytest.mark.parametrize("persona", [...], indirect=True)`."""
    return request.getfixturevalue(request.param)


def pytest_addoption(parser):
    parser.addoption("--run-worker-tests", action="store_true", default=False,
                     help="run tests that need a real Celery worker on Redis (CI does)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-worker-tests"):
        return
    skip = pytest.mark.skip(reason="needs a real Celery worker: .ci/run passes --run-worker-tests")
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Remembered figures (ops.cache) and pieces of pages must not leak from one test into the next: each
    test's data is rolled back, and nothing that forgets a piece sees that."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
