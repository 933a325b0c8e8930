import datetime as dt

import pytest

from measures import periods
from measures.models import DataPoint, Domain, Measure
from tests.workflow import approved_project

START = dt.date(2023, 1, 1)


def make_measure(**kwargs) -> Measure:
    defaults = {"name": "Incidents of violence", "definition": "Physical assaults recorded on Datix.",
                "measure_type": "outcome", "period": "month", "chart_type": "i", "improvement": "decrease"}
    defaults.update(kwargs)
    if not any(defaults.get(k) for k in ("project", "team", "domain")):
        defaults["domain"] = Domain.EXPERIENCE_OF_CARE
    return Measure.objects.create(**defaults)


def add_points(measure: Measure, values, *, start: dt.date = START, denominators=None, **kwargs) -> list[DataPoint]:
    points = []
    for i, v in enumerate(values):
        day = periods.add_periods(start, measure.period, i)
        if denominators is not None:
            points.append(DataPoint(measure=measure, period_start=day, numerator=v, denominator=denominators[i],
                                    **kwargs))
        else:
            points.append(DataPoint(measure=measure, period_start=day, value=v, **kwargs))
    return DataPoint.objects.bulk_create(points)


@pytest.fixture
def project(chair, coach, sponsor, staff, ward):
    return approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, lead=staff)


@pytest.fixture
def project_measure(project, staff):
    return make_measure(project=project, owner=staff)


@pytest.fixture
def ward_measure(ward):
    return make_measure(name="Uses of restraint", team=ward, chart_type="c", early_warning=True)


@pytest.fixture
def system_measure(qiadmin):
    return make_measure(name="Agency spend £k", domain=Domain.VALUE, owner=qiadmin)
