import datetime as dt

import pytest

from board import services
from measures import periods
from measures.models import DataPoint, Domain, Measure
from organisation.models import Role
from tests.factories import UserFactory

START = dt.date(2024, 1, 1)
MEETING = dt.date(2026, 3, 26)  # data to the end of February 2026: 26 months from START


def make_wsm(name: str, *, domain: str = Domain.EXPERIENCE_OF_CARE, values=None, chart_type: str = "i",
             improvement: str = "decrease", target: float | None = None, owner=None, **kwargs) -> Measure:
    measure = Measure.objects.create(name=name, definition=f"{name}, as counted.", measure_type="outcome",
                                     period="month", chart_type=chart_type, improvement=improvement,
                                     target=target, domain=domain, owner=owner, **kwargs)
    if values:
        add_points(measure, values)
    return measure


def add_points(measure: Measure, values, *, start: dt.date = START) -> list[DataPoint]:
    return DataPoint.objects.bulk_create([
        DataPoint(measure=measure, period_start=periods.add_periods(start, "month", i), value=v)
        for i, v in enumerate(values)])


STABLE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10, 9, 10, 11, 12, 10, 11, 9, 10, 11, 10]
RISING = STABLE[:16] + [16, 17, 18, 17, 19, 18, 17, 18]  # a shift up: special cause


@pytest.fixture
def owner(ward):
    return UserFactory(username="owner", display_name="Olu Owner", team=ward, roles=[Role.STAFF])


@pytest.fixture
def wsms(owner, qiadmin):
    """Three Whole System Measures: one worsening (lower is better, rising), one stable, one with no data."""
    return [
        make_wsm("Inpatient violence per 1,000 OBD", values=RISING, owner=owner),
        make_wsm("Agency spend £k", domain=Domain.VALUE, values=STABLE, improvement="decrease", target=5,
                 owner=qiadmin),
        make_wsm("Staff engagement", domain=Domain.STAFF_EXPERIENCE, improvement="increase"),
    ]


@pytest.fixture
def draft(wsms, qiadmin):
    return services.create_draft(meeting_date=MEETING, by=qiadmin)


@pytest.fixture
def published(draft, wsms, qiadmin):
    services.save_narrative(draft, wsms[0], text="Rising since the summer; a review is under way.", by=qiadmin)
    return services.publish(draft, by=qiadmin)
