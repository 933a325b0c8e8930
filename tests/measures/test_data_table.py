"""The data table on the measure page: add a period, correct a value, leave a point out; errors beside cells."""

import datetime as dt

import pytest
from django.urls import reverse

from measures.models import DataPoint, DataPointChange

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db


def table_post(measure, points, rows, new=None):
    """The formset as the browser sends it: every existing row, then the blank new row."""
    data = {"points-TOTAL_FORMS": str(len(points) + 1), "points-INITIAL_FORMS": "0"}
    for i, p in enumerate(points):
        row = {"value": "" if p.value is None else f"{p.value:g}", "comment": p.comment, "exclusion_reason": ""}
        row.update(rows.get(i, {}))
        for k, v in row.items():
            if k == "excluded":
                if v:
                    data[f"points-{i}-excluded"] = "on"
            else:
                data[f"points-{i}-{k}"] = v
    for k, v in (new or {}).items():
        data[f"points-{len(points)}-{k}"] = v
    return data


@pytest.fixture
def measure_with_data(project_measure):
    add_points(project_measure, [10, 12, 9])
    return project_measure


def test_team_member_adds_a_period_and_sees_it(client, staff, measure_with_data):
    client.force_login(staff)
    pts = list(measure_with_data.points.order_by("period_start"))
    url = reverse("measures:detail", args=[measure_with_data.pk])
    response = client.post(url, table_post(measure_with_data, pts, {}, new={"period_start": "2023-04-17",
                                                                            "value": "11"}))
    assert response.status_code == 302
    point = DataPoint.objects.get(measure=measure_with_data, period_start=dt.date(2023, 4, 1))
    assert point.value == 11 and point.entered_by == staff
    page = client.get(url)
    assert "17 Apr 2023 was saved as Apr 2023" in page.text


def test_correcting_a_value_keeps_the_old_one_in_the_history(client, staff, measure_with_data):
    client.force_login(staff)
    pts = list(measure_with_data.points.order_by("period_start"))
    client.post(reverse("measures:detail", args=[measure_with_data.pk]),
                table_post(measure_with_data, pts, {1: {"value": "14", "comment": "recount"}}))
    pts[1].refresh_from_db()
    assert pts[1].value == 14 and pts[1].updated_by == staff
    change = DataPointChange.objects.get(point=pts[1])
    assert change.old["value"] == 12 and change.new["value"] == 14 and change.new["comment"] == "recount"
    assert DataPointChange.objects.count() == 1  # unchanged rows leave no history


def test_invalid_cells_show_errors_beside_them_and_keep_what_was_typed(client, staff, measure_with_data):
    client.force_login(staff)
    pts = list(measure_with_data.points.order_by("period_start"))
    response = client.post(reverse("measures:detail", args=[measure_with_data.pk]), table_post(
        measure_with_data, pts, {0: {"value": "twelve"}, 2: {"excluded": True}},
        new={"period_start": "2023-01-09", "value": "7", "comment": "typed by hand"}))
    assert response.status_code == 200
    html = response.text
    assert "Nothing was saved" in html
    assert "‘twelve’ is not a number." in html and 'value="twelve"' in html
    assert 'id="points-0-value-error"' in html and 'aria-describedby="points-0-value-error"' in html
    assert "Say why this point is left out" in html
    assert "Jan 2023 already has a value" in html and 'value="typed by hand"' in html
    assert DataPoint.objects.get(measure=measure_with_data, period_start=dt.date(2023, 1, 1)).value == 10


def test_excluding_a_point_with_a_reason(client, staff, measure_with_data):
    client.force_login(staff)
    pts = list(measure_with_data.points.order_by("period_start"))
    client.post(reverse("measures:detail", args=[measure_with_data.pk]), table_post(
        measure_with_data, pts, {2: {"excluded": True, "exclusion_reason": "Ward closed for refurbishment"}}))
    pts[2].refresh_from_db()
    assert pts[2].excluded and pts[2].exclusion_reason == "Ward closed for refurbishment"


def test_proportions_are_checked_per_cell(client, qiadmin):
    m = make_measure(chart_type="p", unit="%", multiplier=100, improvement="increase", numerator="a",
                     denominator="b")
    client.force_login(qiadmin)
    response = client.post(reverse("measures:detail", args=[m.pk]), table_post(m, [], {}, new={
        "period_start": "2024-01-01", "numerator": "12", "denominator": "10"}))
    assert "a proportion cannot be over 100%" in response.text
    response = client.post(reverse("measures:detail", args=[m.pk]), table_post(m, [], {}, new={
        "period_start": "2024-01-01", "numerator": "2", "denominator": "0"}))
    assert "The denominator must be more than zero (it is 0)." in response.text
    assert not DataPoint.objects.filter(measure=m).exists()


def test_future_periods_are_refused(client, staff, project_measure):
    client.force_login(staff)
    response = client.post(reverse("measures:detail", args=[project_measure.pk]),
                           table_post(project_measure, [], {}, new={"period_start": "2099-01-01", "value": "3"}))
    assert "is in the future" in response.text


def test_phases_and_annotations_are_added_from_the_page(client, staff, measure_with_data):
    client.force_login(staff)
    client.post(reverse("measures:phase_add", args=[measure_with_data.pk]), {
        "phase-starts_on": "2023-02-10", "phase-kind": "baseline", "phase-n_points": "2", "phase-note": "pre-change"})
    phase = measure_with_data.phases.get()
    assert phase.starts_on == dt.date(2023, 2, 1) and phase.n_points == 2
    client.post(reverse("measures:annotation_add", args=[measure_with_data.pk]),
                {"note-date": "2023-02-14", "note-text": "Huddle started"})
    page = client.get(reverse("measures:detail", args=[measure_with_data.pk]))
    assert "Huddle started" in page.text and "frozen baseline of 2 points" in page.text


def field_error(page: str, field_id: str) -> str:
    """The message shown beside a field (rendered by measures/_cell.html), or '' when there is none."""
    import re

    match = re.search(rf'<div class="invalid-feedback d-block" id="{field_id}-error">([^<]*)</div>', page)
    return match.group(1) if match else ""


def test_a_phase_with_a_mistake_comes_back_with_the_error_beside_the_field_and_what_was_typed(
        client, staff, measure_with_data):
    client.force_login(staff)
    response = client.post(reverse("measures:phase_add", args=[measure_with_data.pk]), {
        "phase-starts_on": "2023-02-10", "phase-kind": "baseline", "phase-n_points": "",
        "phase-note": "Before the huddles"})
    page = response.text
    assert response.status_code == 200 and not measure_with_data.phases.exists()
    assert field_error(page, "phase-n_points").startswith("Say how many points form the baseline")
    assert 'aria-describedby="phase-n_points-error"' in page and 'aria-invalid="true"' in page
    assert 'value="Before the huddles"' in page and 'value="2023-02-10"' in page
    assert 'value="baseline" class="form-check-input is-invalid"' not in page  # only the wrong field is marked
    assert "was not added" not in page  # no flash message at the top of the page any more
    # The data table still posts to the measure page, not to the phase URL the page was rendered at.
    assert f'action="{reverse("measures:detail", args=[measure_with_data.pk])}#data"' in page


def test_a_phase_on_a_period_that_already_has_one_says_so_beside_the_start(client, staff, measure_with_data):
    client.force_login(staff)
    url = reverse("measures:phase_add", args=[measure_with_data.pk])
    client.post(url, {"phase-starts_on": "2023-02-01", "phase-kind": "rebase"})
    page = client.post(url, {"phase-starts_on": "2023-02-20", "phase-kind": "rebase", "phase-note": "again"}).text
    assert field_error(page, "phase-starts_on").startswith("There is already a phase starting")
    assert measure_with_data.phases.count() == 1


def test_an_annotation_without_a_date_keeps_its_text_and_shows_the_error_beside_the_date(
        client, staff, measure_with_data):
    client.force_login(staff)
    response = client.post(reverse("measures:annotation_add", args=[measure_with_data.pk]),
                           {"note-date": "", "note-text": "Huddle started on every shift"})
    page = response.text
    assert response.status_code == 200 and not measure_with_data.annotations.exists()
    assert field_error(page, "note-date") == "This field is required."
    assert field_error(page, "note-text") == ""
    assert 'value="Huddle started on every shift"' in page
    assert "was not added" not in page


def test_a_subgroup_of_one_is_saved_with_a_word_about_its_limits(client, staff, project):
    """x̄ and s charts: one observation is accepted (as qicharts2 does) but has no spread, so no limits."""
    from .conftest import make_measure

    measure = make_measure(project=project, owner=staff, chart_type="xbar", name="Minutes to triage")
    client.force_login(staff)
    url = reverse("measures:detail", args=[measure.pk])
    data = {"points-TOTAL_FORMS": "2", "points-INITIAL_FORMS": "0",
            "points-0-period_start": "2023-01-01", "points-0-observations": "12, 15, 14",
            "points-1-period_start": "2023-02-01", "points-1-observations": "13"}
    assert client.post(url, data).status_code == 302
    assert DataPoint.objects.filter(measure=measure).count() == 2
    page = client.get(url).text
    assert "Feb 2023 has a single observation" in page and "Jan 2023 has a single" not in page
    # The next save, as the browser sends it (every existing row again), speaks only of the rows saved now.
    data = {"points-TOTAL_FORMS": "3", "points-INITIAL_FORMS": "0",
            "points-0-period_start": "2023-01-01", "points-0-observations": "12, 15, 14",
            "points-1-period_start": "2023-02-01", "points-1-observations": "13",
            "points-2-period_start": "2023-03-01", "points-2-observations": "11, 16"}
    for i, point in enumerate(DataPoint.objects.filter(measure=measure).order_by("period_start")):
        data[f"points-{i}-id"] = str(point.pk)
    assert client.post(url, data).status_code == 302
    page = client.get(url).text
    assert "single observation" not in page and DataPoint.objects.filter(measure=measure).count() == 3
