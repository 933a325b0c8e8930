import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from measures.models import DataPoint, DataPointChange, Measure, MeasurePhase, SPCConfig

from .conftest import make_measure

pytestmark = pytest.mark.django_db


def test_a_measure_has_exactly_one_scope(ward, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(project=project, team=ward)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(team=ward, domain="value")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(name="x", definition="x", measure_type="outcome")
    assert make_measure(team=ward).scope == "team"
    assert make_measure(project=project).scope == "project"
    assert make_measure(domain="value").scope == "system"


def test_early_warning_is_for_team_measures_only(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(project=project, early_warning=True)


def test_one_point_per_period_and_every_point_has_a_value(system_measure):
    day = dt.date(2025, 1, 1)
    DataPoint.objects.create(measure=system_measure, period_start=day, value=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPoint.objects.create(measure=system_measure, period_start=day, value=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPoint.objects.create(measure=system_measure, period_start=dt.date(2025, 2, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPoint.objects.create(measure=system_measure, period_start=dt.date(2025, 3, 1), numerator=1, denominator=0)


def test_an_excluded_point_needs_a_reason(system_measure):
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPoint.objects.create(measure=system_measure, period_start=dt.date(2025, 1, 1), value=3, excluded=True)


def test_a_frozen_baseline_needs_its_number_of_points(system_measure):
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasurePhase.objects.create(measure=system_measure, starts_on=dt.date(2025, 1, 1), kind="baseline")
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasurePhase.objects.create(measure=system_measure, starts_on=dt.date(2025, 1, 1), kind="rebase", n_points=3)


def test_spc_configuration_is_a_single_row():
    assert SPCConfig.current().pk == SPCConfig.current().pk == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SPCConfig.objects.create(pk=2)


def test_history_rows_are_never_edited(system_measure):
    change = DataPointChange.objects.create(measure=system_measure, period_start=dt.date(2025, 1, 1),
                                            old={"value": 1}, new={"value": 2})
    change.new = {"value": 3}
    with pytest.raises(ValueError):
        change.save()


def test_draft_project_measures_are_hidden_from_outsiders(staff, outsider, ward):
    from tests.factories import ProjectFactory

    draft = ProjectFactory(team=ward, lead=staff)
    measure = make_measure(project=draft)

    assert measure in Measure.objects.visible_to(staff)
    assert measure not in Measure.objects.visible_to(outsider)
