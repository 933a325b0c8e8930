"""A wrong point can be moved to its period or removed, with a reason; its history keeps the old values; the
chart follows at once; only the people who may enter the measure's data may do it."""

import datetime as dt

import pytest
from django.urls import reverse

from measures.models import ChangeAction, DataPoint, DataPointChange

from .conftest import add_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(project_measure):
    add_points(project_measure, [10, 12, 9])
    return project_measure


def test_removing_a_point_keeps_it_in_the_history_and_redraws_the_chart(client, staff, measure):
    client.force_login(staff)
    point = measure.points.get(period_start=dt.date(2023, 2, 1))
    page = client.get(reverse("measures:point", args=[point.pk]))
    assert page.status_code == 200 and "Remove Feb 2023" in page.text
    response = client.post(reverse("measures:point", args=[point.pk]), {"remove": "1", "remove-reason": ""})
    assert "Say why the point is removed" in response.text and measure.points.count() == 3
    response = client.post(reverse("measures:point", args=[point.pk]),
                           {"remove": "1", "remove-reason": "Entered twice"}, follow=True)
    assert measure.points.count() == 2
    change = DataPointChange.objects.get(measure=measure)
    assert (change.action, change.reason, change.old["value"], change.by) == (ChangeAction.REMOVE, "Entered twice",
                                                                             12, staff)
    assert "Removed</strong>: Entered twice" in response.text
    measure.refresh_from_db()
    assert measure.snapshot.n_points == 2  # the snapshot was recomputed at once


def test_moving_a_point_to_its_right_period(client, staff, measure):
    client.force_login(staff)
    point = measure.points.get(period_start=dt.date(2023, 3, 1))
    url = reverse("measures:point", args=[point.pk])
    page = client.post(url, {"move": "1", "move-period_start": "2023-01", "move-reason": "wrong month"}).text
    assert "Jan 2023 already has a point" in page
    page = client.post(url, {"move": "1", "move-period_start": "1900-01", "move-reason": "x"}).text
    assert "before 1990" in page
    assert client.get(url).text.count('type="month"') == 1  # a month picker for a monthly measure
    response = client.post(url, {"move": "1", "move-period_start": "2023-04", "move-reason": "wrong month"})
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.period_start == dt.date(2023, 4, 1)
    change = point.changes.get()
    assert (change.action, change.period_start, change.moved_to) == ("move", dt.date(2023, 3, 1),
                                                                     dt.date(2023, 4, 1))


@pytest.mark.parametrize("persona", ["serviceuser", "board", "other_chair"], indirect=True)
def test_people_who_cannot_enter_the_data_cannot_move_or_remove(client, persona, measure):
    point = measure.points.first()
    client.force_login(persona)
    url = reverse("measures:point", args=[point.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"remove": "1", "remove-reason": "x"}).status_code in (403, 404)
    assert DataPoint.objects.filter(pk=point.pk).exists()


def test_history_rows_are_records(measure, staff):
    from measures.services import remove_point
    change = remove_point(measure.points.first(), by=staff, reason="typo")
    with pytest.raises(ValueError):
        change.save()


def test_the_point_page_costs_the_same_with_a_long_history(client, staff, measure, django_assert_max_num_queries):
    from measures.services import PointInput, save_points
    point = measure.points.first()
    client.force_login(staff)
    for v in range(30):
        save_points(measure, [PointInput(period_start=point.period_start, value=v)], by=staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("measures:point", args=[point.pk])).status_code == 200
