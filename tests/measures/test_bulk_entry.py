"""Two years of monthly data in one save: a block of new rows for the next periods, or rows pasted from a
spreadsheet filling the table (checked row by row, nothing saved until the person saves)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from measures.uploads import parse_paste

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db


def page_fields(html: str) -> dict[str, str]:
    """The data form's fields as the browser would send them (inputs with a value, ticked boxes)."""
    form = html[html.index('data-testid="data-form"'):]
    form = form[:form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name[1]] = value[1] if value else ("on" if 'type="checkbox"' in tag else "")
    return data


def test_parse_paste_reads_excel_columns():
    assert parse_paste("Month\tValue\nJan 2024\t3\n2024-02\t4\tshort-staffed\n", "value") == [
        {"date": "Jan 2024", "comment": "", "value": "3"},
        {"date": "2024-02", "comment": "short-staffed", "value": "4"}]
    assert parse_paste("3\n4,5\n", "value")[1] == {"date": "", "comment": "5", "value": "4"}
    assert parse_paste("12\t40\n", "ratio") == [{"date": "", "comment": "", "numerator": "12", "denominator": "40"}]
    assert parse_paste("01/03/2024\t1\t2\t3", "observations")[0]["observations"] == "1, 2, 3"


def test_two_years_of_monthly_data_in_one_save(client, staff, project_measure, django_assert_max_num_queries):
    add_points(project_measure, [5], start=dt.date(2022, 12, 1))
    client.force_login(staff)
    url = reverse("measures:detail", args=[project_measure.pk])
    html = client.get(url, {"add": 24}).text
    assert html.count('data-testid="new-row"') == 24 and html.count('type="month"') == 24 + 1  # and the phase's start
    data = page_fields(html)
    assert data["points-1-period_start"] == "2023-01" and data["points-24-period_start"] == "2024-12"
    for i in range(24):
        data[f"points-{i + 1}-value"] = str(10 + i % 5)
    with django_assert_max_num_queries(40):
        response = client.post(url + "?add=24", data)
    assert response.status_code == 302
    assert project_measure.points.count() == 25
    assert project_measure.points.order_by("period_start").last().period_start == dt.date(2024, 12, 1)


def test_a_pasted_column_fills_the_table_and_is_checked_before_anything_is_saved(client, staff, project_measure):
    client.force_login(staff)
    url = reverse("measures:detail", args=[project_measure.pk])
    data = page_fields(client.get(url).text)
    data["paste"] = "Month\tIncidents\nJan 2024\t7\nFeb 2024\t9\nMar 2024\tnine\n"
    data["fill"] = "1"
    html = client.post(url, data).text
    assert "3 rows filled from what you pasted" in html and not project_measure.points.exists()
    assert "‘nine’ is not a number." in html  # checked row by row, what was pasted kept
    data = page_fields(html)
    assert data["points-0-period_start"] == "2024-01" and data["points-2-value"] == "nine"
    data["points-2-value"] = "8"
    action = re.search(r'action="([^"]+)" novalidate data-testid="data-form"', html)[1]
    response = client.post(action, data)
    assert response.status_code == 302
    assert [p.value for p in project_measure.points.order_by("period_start")] == [7, 9, 8]


def test_weekly_measures_pick_a_week(client, qiadmin):
    measure = make_measure(period="week", chart_type="c")
    add_points(measure, [1, 2], start=dt.date(2024, 1, 1))
    client.force_login(qiadmin)
    url = reverse("measures:detail", args=[measure.pk])
    data = page_fields(client.get(url).text)
    assert data["points-2-period_start"] == "2024-W03" and data["points-2-period_start"]
    data["points-2-value"] = "4"
    assert client.post(url, data).status_code == 302
    assert measure.points.filter(period_start=dt.date(2024, 1, 15), value=4).exists()
    data = page_fields(client.get(url).text)
    data["paste"] = "5\n6\n"
    data["fill"] = "1"
    data = page_fields(client.post(url, data).text)
    assert (data["points-3-period_start"], data["points-4-period_start"]) == ("2024-W04", "2024-W05")
