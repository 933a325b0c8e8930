"""The rule for an aim's date, shared by the idea form and the workspace's aim revision (projects.forms)."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from projects.forms import AIM_YEARS_AHEAD, clean_aim_date
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_an_aim_date_is_tomorrow_at_the_earliest_and_five_years_ahead_at_the_latest():
    today = timezone.localdate()
    tomorrow, years_on = today + dt.timedelta(days=1), today + dt.timedelta(days=365 * AIM_YEARS_AHEAD)
    assert clean_aim_date(None) is None
    assert clean_aim_date(tomorrow) == tomorrow and clean_aim_date(years_on) == years_on
    too_far = today + dt.timedelta(days=366 * AIM_YEARS_AHEAD + 1)
    for when, code in [(today, "aim_date_passed"), (dt.date(1, 1, 1), "aim_date_passed"),
                       (too_far, "aim_date_too_far"), (dt.date(9999, 12, 31), "aim_date_too_far")]:
        with pytest.raises(forms.ValidationError) as refused:
            clean_aim_date(when)
        assert refused.value.code == code


def test_an_idea_whose_aim_is_decades_away_is_refused_beside_the_date_and_keeps_what_was_typed(client, staff,
                                                                                                 idea_data):
    client.force_login(staff)
    far = dt.date(2099, 1, 31).isoformat()
    response = client.post(reverse("projects:idea_new"), idea_data(aim_by_when=far))
    html = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert 'id="error_1_id_aim_by_when"' in html
    assert f"The aim&#x27;s date must be within {AIM_YEARS_AHEAD} years" in html
    assert f'value="{far}"' in html and "Falls at night have doubled since the spring" in html
