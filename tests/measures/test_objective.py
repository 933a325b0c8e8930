"""A Whole System Measure can track a strategic objective: set on the measure form or in the settings, kept by
the database for Whole System Measures only, and never lost by deleting the objective."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from measures.forms import MeasureForm
from measures.models import Measure, Scope
from tests.factories import ObjectiveFactory

from .conftest import make_measure

pytestmark = pytest.mark.django_db

NEW = {"name": "Carers identified %", "measure_type": "outcome", "definition": "New referrals with a carer",
       "period": "month", "chart_type": "i", "improvement": "increase", "multiplier": "1", "domain": "value"}


def test_only_a_whole_system_measure_tracks_an_objective(project, ward):
    objective = ObjectiveFactory(name="Improved experience of care")
    assert make_measure(domain="experience_of_care", objective=objective).objective == objective
    for scope in ({"project": project}, {"team": ward}):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_measure(objective=objective, **scope)


def test_an_objective_with_measures_cannot_be_deleted_until_they_are_relinked(system_measure):
    objective = ObjectiveFactory()
    Measure.objects.filter(pk=system_measure.pk).update(objective=objective)
    with pytest.raises(ProtectedError):
        objective.delete()
    Measure.objects.filter(pk=system_measure.pk).update(objective=None)
    objective.delete()


def test_the_measure_form_offers_the_objective_for_whole_system_measures_only():
    assert "objective" in MeasureForm(scope=Scope.SYSTEM).fields
    assert MeasureForm(scope=Scope.SYSTEM).fields["objective"].empty_label == "Not linked to a strategic objective"
    assert "objective" not in MeasureForm(scope=Scope.PROJECT).fields
    assert "objective" not in MeasureForm(scope=Scope.TEAM).fields


def test_qi_department_links_a_new_measure_and_relinks_it_on_the_edit_page(client, qiadmin):
    first, second = ObjectiveFactory(name="Improved value"), ObjectiveFactory(name="Improved experience of care")
    client.force_login(qiadmin)
    page = client.get(reverse("measures:create")).text
    assert "Not linked to a strategic objective" in page and "Improved value" in page
    assert client.post(reverse("measures:create"), {**NEW, "objective": first.pk}).status_code == 302
    measure = Measure.objects.get(name=NEW["name"])
    assert measure.objective == first
    client.post(reverse("measures:edit", args=[measure.pk]), {**NEW, "objective": second.pk})
    measure.refresh_from_db()
    assert measure.objective == second
    client.post(reverse("measures:edit", args=[measure.pk]), {**NEW, "objective": ""})
    measure.refresh_from_db()
    assert measure.objective is None


def test_qi_admin_links_whole_system_measures_in_the_settings_without_making_their_charts_stale(
        client, qiadmin, system_measure, project_measure):
    objective = ObjectiveFactory(name="Improved value")
    stamp = Measure.objects.get(pk=system_measure.pk).updated_at
    client.force_login(qiadmin)
    listing = client.get(reverse("admin:measures_measure_changelist")).text
    assert system_measure.name in listing and project_measure.name not in listing
    url = reverse("admin:measures_measure_change", args=[system_measure.pk])
    assert client.post(url, {"objective": objective.pk}).status_code == 302
    system_measure.refresh_from_db()
    assert system_measure.objective == objective and system_measure.updated_at == stamp
    assert client.get(reverse("admin:measures_measure_change", args=[project_measure.pk])).status_code == 302
    assert client.get(reverse("admin:measures_measure_add")).status_code == 403


@pytest.mark.parametrize("persona", ["ia", "staff"])
def test_others_cannot_open_the_measure_settings(client, request, persona, system_measure):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:measures_measure_changelist")).status_code == 403
