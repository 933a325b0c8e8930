import datetime as dt

import pytest

from capability.models import Audience, Cohort, Course, CourseKind, DoseTarget, Session

from ..factories import UserFactory


@pytest.fixture
def all_staff(db):
    return Audience.objects.create(name="All staff", order=1)


@pytest.fixture
def leads(db):
    return Audience.objects.create(name="Project leads", order=3, roles=["staff"])


@pytest.fixture
def partners(db):
    return Audience.objects.create(name="External partners", order=9, partners=True)


@pytest.fixture
def ilp(leads):
    """The Improvement Leaders' Programme: attend 4 of 5 days and present a project."""
    return Course.objects.create(name="Improvement Leaders' Programme", kind=CourseKind.LEADERS, audience=leads,
                                 length="One day a month for five months", sessions=5, min_sessions=4,
                                 requires_project=True)


@pytest.fixture
def pocket_qi(all_staff):
    return Course.objects.create(name="Pocket QI", kind=CourseKind.INTRODUCTION, audience=all_staff,
                                 length="One day", sessions=1, min_sessions=1)


def make_cohort(course, *, name="Wave 1", capacity=20, start=dt.date(2026, 1, 12), facilitators=()):
    cohort = Cohort.objects.create(course=course, name=name, venue="Trust HQ", capacity=capacity)
    for n in range(course.sessions):
        Session.objects.create(cohort=cohort, number=n + 1, date=start + dt.timedelta(days=28 * n))
    cohort.facilitators.set(facilitators)
    return cohort


@pytest.fixture
def wave(ilp, ia):
    return make_cohort(ilp, name="Wave 8", facilitators=[ia])


@pytest.fixture
def pocket_cohort(pocket_qi):
    return make_cohort(pocket_qi, name="January", start=dt.date(2026, 1, 20))


@pytest.fixture
def targets(all_staff, leads, partners, pocket_qi, ilp):
    return [DoseTarget.objects.create(audience=all_staff, course=pocket_qi, year=2026, target_number=50),
            DoseTarget.objects.create(audience=leads, course=ilp, year=2026, target_share="0.5"),
            DoseTarget.objects.create(audience=partners, course=ilp, year=2026, target_number=10)]


@pytest.fixture
def make_person(ward):
    def make(**kwargs):
        kwargs.setdefault("team", ward)
        kwargs.setdefault("roles", ["staff"])
        return UserFactory(**kwargs)
    return make
