"""Absurd periods and values are refused with a message beside the cell; values far outside a measure's history
are saved only once someone confirms them; the same rules hold in the data table, uploads and the API."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from measures import plausibility as p
from measures.models import DataPoint, UploadBatch

from .conftest import add_points
from .test_data_table import table_post
from .test_uploads import confirm, upload

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 18)


def rules(**kw):
    return p.Rules(chart=kw.pop("chart", "i"), period=kw.pop("period", "month"), today=TODAY, **kw)


def test_the_rules_without_a_database():
    assert p.period_problem(dt.date(1, 1, 1), rules()) == "Jan 0001 is before 1990: check the year."
    assert "in the future" in p.period_problem(dt.date(2025, 7, 1), rules())
    assert p.period_problem(dt.date(2025, 6, 1), rules()) is None
    assert "first period (Mar 2021)" in p.period_problem(dt.date(2021, 2, 1), rules(first_period=dt.date(2021, 3, 9)))
    assert p.value_problems(rules(), value=99999999999999999999999)[0][1].startswith("The value (1e+23) is too large")
    assert p.value_problems(rules(chart="c"), value=3) == []
    assert "whole number" in p.value_problems(rules(chart="g"), value=3.5)[0][1]
    assert "between 0 and 1" in p.value_problems(rules(proportion=True), value=1.2)[0][1]
    field, message = p.value_problems(rules(chart="p", multiplier=100, maximum=90), numerator=95, denominator=100)[0]
    assert field == "numerator" and "above this measure's maximum (90)" in message
    assert p.value_problems(rules(chart="p"), numerator=11, denominator=10)[0][0] == "numerator"
    assert "whole number" in p.value_problems(rules(chart="p"), numerator=1, denominator=2.5)[0][1]


def test_far_outside_is_ten_times_the_process_limits_from_the_centre():
    history = (10, 12, 9, 11, 10, 12, 11, 10)
    centre, lower, upper = p.usual_range(history)
    assert lower < 10 < upper
    edge = centre + 10 * (upper - centre)
    assert p.far_outside(rules(history=history), edge * 0.99) is None
    assert "far outside" in p.far_outside(rules(history=history), edge * 1.01)
    assert p.far_outside(rules(history=history[:5]), 10**6) is None  # too little history to judge by
    assert p.far_outside(rules(history=(4,) * 8), 10**6) is None  # no variation to judge by


@pytest.fixture
def measure(project_measure):
    add_points(project_measure, [10, 12, 9, 11, 10, 12, 11, 10])
    return project_measure


def test_the_data_table_refuses_year_one_and_a_huge_value_beside_the_cell(client, staff, measure):
    client.force_login(staff)
    url = reverse("measures:detail", args=[measure.pk])
    pts = list(measure.points.order_by("period_start"))
    page = unescape(client.post(url, table_post(measure, pts, {}, new={"period_start": "0001-01-01",
                                                                      "value": "3"})).text)
    assert "Jan 0001 is before 1990: check the year." in page
    page = unescape(client.post(url, table_post(measure, pts, {}, new={"period_start": "2024-01-01",
                                                             "value": "99999999999999999999999"})).text)
    assert "too large to be a real figure" in page and 'value="99999999999999999999999"' in page
    assert measure.points.count() == 8


def test_a_value_far_outside_the_history_is_saved_once_confirmed(client, staff, measure):
    client.force_login(staff)
    url = reverse("measures:detail", args=[measure.pk])
    pts = list(measure.points.order_by("period_start"))
    post = table_post(measure, pts, {}, new={"period_start": "2024-01-01", "value": "1100"})
    page = unescape(client.post(url, post).text)
    assert "far outside this measure's history" in page and "It is right" in page
    assert not measure.points.filter(period_start=dt.date(2024, 1, 1)).exists()
    response = client.post(url, {**post, f"points-{len(pts)}-confirmed": "on"})
    assert response.status_code == 302
    assert measure.points.get(period_start=dt.date(2024, 1, 1)).value == 1100


def test_the_measure_keeps_its_own_minimum_maximum_and_first_period(client, staff, measure):
    measure.minimum, measure.maximum, measure.first_period = 0, 50, dt.date(2023, 1, 1)
    measure.save()
    client.force_login(staff)
    url = reverse("measures:detail", args=[measure.pk])
    pts = list(measure.points.order_by("period_start"))
    page = unescape(client.post(url, table_post(measure, pts, {0: {"value": "51"}})).text)
    assert "51 is above this measure's maximum (50)." in page
    page = unescape(client.post(url, table_post(measure, pts, {}, new={"period_start": "2022-12-01",
                                                                      "value": "3"})).text)
    assert "before this measure's first period (Jan 2023)" in page


def test_the_definition_refuses_a_minimum_above_the_maximum_and_a_first_period_after_the_data(client, staff,
                                                                                             measure):
    client.force_login(staff)
    data = {"name": measure.name, "measure_type": "outcome", "definition": "x", "period": "month",
            "chart_type": "i", "improvement": "decrease", "multiplier": "1", "active": "on"}
    url = reverse("measures:edit", args=[measure.pk])
    page = unescape(client.post(url, {**data, "minimum": "5", "maximum": "2"}).text)
    assert "Must be more than the smallest possible value (5)." in page
    page = unescape(client.post(url, {**data, "first_period": "2023-03-01"}).text)
    assert "already has data from Jan 2023" in page


def test_an_upload_leaves_unusual_rows_out_unless_confirmed(client, staff, measure,
                                                           django_capture_on_commit_callbacks):
    client.force_login(staff)
    csv = b"date,value\n2024-01-01,11\n2024-02-01,5000\n1899-03-01,4\n"
    batch = upload(client, measure, "data.csv", csv, django_capture_on_commit_callbacks)
    rows = {r["line"]: r for r in batch.rows}
    assert "far outside" in rows[3]["unusual"] and not rows[3]["problems"]
    assert "before 1990" in rows[4]["problems"][0]
    page = unescape(client.get(batch.get_absolute_url()).text)
    assert "far outside this measure's history" in page and 'name="include_unusual"' in page
    confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.imported_count, batch.skipped_count) == (1, 1)
    assert not DataPoint.objects.filter(measure=measure, value=5000).exists()
    again = upload(client, measure, "data.csv", csv, django_capture_on_commit_callbacks)
    confirm(client, again, django_capture_on_commit_callbacks, include_unusual="on", on_duplicate="skip")
    assert DataPoint.objects.filter(measure=measure, value=5000).exists()
    assert UploadBatch.objects.get(pk=again.pk).include_unusual


def test_unconfirmed_uploads_expire_and_their_rows_are_dropped(client, staff, measure,
                                                               django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from ops.services import expire_staged_imports, run_nightly
    client.force_login(staff)
    old = upload(client, measure, "old.csv", b"date,value\n2024-01-01,11\n", django_capture_on_commit_callbacks)
    fresh = upload(client, measure, "new.csv", b"date,value\n2024-02-01,11\n", django_capture_on_commit_callbacks)
    UploadBatch.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=8))
    assert "waiting for you to confirm or discard" in client.get(reverse("measures:detail", args=[measure.pk])).text
    assert run_nightly().detail["expire unconfirmed uploads"]["measures.UploadBatch"] == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.rows, fresh.status) == ("expired", [], "ready")
    assert "Expired: it waited 7 days" in client.get(old.get_absolute_url()).text
    confirm(client, old, django_capture_on_commit_callbacks)  # confirming an expired upload imports nothing
    assert not measure.points.filter(period_start=dt.date(2024, 1, 1)).exists()
    assert expire_staged_imports()["measures.UploadBatch"] == 0


def test_a_phase_starts_at_a_period_picked_by_month_and_within_the_sane_range(client, staff, measure):
    client.force_login(staff)
    page = client.get(reverse("measures:detail", args=[measure.pk])).text
    assert 'name="phase-starts_on" class="form-control form-control-sm"' in page.replace(' type="month"', "")
    assert 'type="month" name="phase-starts_on"' in page
    url = reverse("measures:phase_add", args=[measure.pk])
    page = unescape(client.post(url, {"phase-starts_on": "1066-10", "phase-kind": "rebase"}).text)
    assert "Oct 1066 is before 1990: check the year." in page and not measure.phases.exists()
    assert client.post(url, {"phase-starts_on": "2023-05", "phase-kind": "rebase"}).status_code == 302
    assert measure.phases.get().starts_on == dt.date(2023, 5, 1)
