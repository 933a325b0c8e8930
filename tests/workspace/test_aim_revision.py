"""Revising the aim: its date obeys the idea form's rule (projects.forms.clean_aim_date), said beside the field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.forms import AIM_YEARS_AHEAD
from workspace.models import AimVersion

pytestmark = pytest.mark.django_db


def revise(client, project, by_when: str):
    return client.post(reverse("workspace:aim_edit", args=[project.pk]), {
        "what": "Reduce incidents of violence", "how_much": "by 60%", "by_when": by_when,
        "reason": "We met 40% early"})


@pytest.mark.parametrize(("by_when", "message"), [
    (timezone.localdate().isoformat(), "The aim&#x27;s date must be in the future."),
    ("2019-03-31", "The aim&#x27;s date must be in the future."),
    ("2099-12-31", f"The aim&#x27;s date must be within {AIM_YEARS_AHEAD} years"),
])
def test_a_revised_aim_with_a_past_or_far_off_date_is_refused_beside_the_date_and_keeps_what_was_typed(
        client, staff, project, by_when, message):
    client.force_login(staff)
    response = revise(client, project, by_when)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_by_when"' in html and message in html
    assert f'value="{by_when}"' in html and "Reduce incidents of violence" in html and "We met 40% early" in html
    assert list(AimVersion.objects.filter(project=project).values_list("version", flat=True)) == [1]


def test_a_revised_aim_within_the_rule_or_without_a_date_is_saved(client, staff, project):
    client.force_login(staff)
    assert revise(client, project, (timezone.localdate() + dt.timedelta(days=1)).isoformat()).status_code == 302
    assert revise(client, project, "").status_code == 302
    assert AimVersion.objects.filter(project=project).count() == 3
