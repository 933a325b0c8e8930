"""Sending points: create, correct, leave alone; the same batch twice changes nothing; bad rows are reported
one by one and, unless the caller asks for partial, stop the whole batch."""

import datetime as dt

import pytest
from django.utils import timezone

from ingest.models import ApiToken
from measures.models import DataPoint, DataPointChange
from measures.services import PointInput, save_points

from .conftest import Api, make_measure

pytestmark = pytest.mark.django_db


def rows(*values, start=1):
    return {"points": [{"period": f"2024-{start + i:02d}-01", "value": v} for i, v in enumerate(values)]}


def values(measure):
    return {p.period_start.isoformat(): p.value for p in measure.points.all()}


def test_a_batch_creates_points(api, measure, qiadmin):
    response = api.put(f"/measures/{measure.pk}/points", rows(3, 5, 4))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (3, 0, 0, [])
    assert values(measure) == {"2024-01-01": 3, "2024-02-01": 5, "2024-03-01": 4}
    point = measure.points.first()
    assert point.entered_by == qiadmin  # the token's issuer answers for its data


def test_sending_the_same_batch_twice_changes_nothing(api, measure):
    api.put(f"/measures/{measure.pk}/points", rows(3, 5, 4))
    measure.refresh_from_db()
    before = (list(DataPoint.objects.values()), measure.updated_at)
    body = api.put(f"/measures/{measure.pk}/points", rows(3, 5, 4)).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)
    measure.refresh_from_db()
    assert (list(DataPoint.objects.values()), measure.updated_at) == before
    assert not DataPointChange.objects.exists()


def test_a_changed_row_corrects_the_point_and_keeps_the_old_value_in_history(api, measure, qiadmin):
    api.put(f"/measures/{measure.pk}/points", rows(3, 5, 4))
    body = api.put(f"/measures/{measure.pk}/points", rows(3, 6, 4, 7)).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 2)
    change = DataPointChange.objects.get()
    assert (change.period_start, change.old["value"], change.new["value"]) == (dt.date(2024, 2, 1), 5, 6)
    assert change.by == qiadmin
    assert change.source in ("api", "upload")


def test_a_point_keeps_its_exclusion_and_comment_when_the_api_does_not_send_them(api, measure, staff):
    save_points(measure, [PointInput(dt.date(2024, 1, 1), value=3, comment="Datix outage", excluded=True,
                                     exclusion_reason="Half the month missing")], by=staff)
    body = api.put(f"/measures/{measure.pk}/points", rows(3)).json()
    assert body["unchanged"] == 1
    api.put(f"/measures/{measure.pk}/points", rows(4))
    point = measure.points.get()
    assert (point.value, point.comment, point.excluded) == (4, "Datix outage", True)
    api.put(f"/measures/{measure.pk}/points", {"points": [{"period": "2024-01-01", "value": 4, "comment": ""}]})
    point.refresh_from_db()
    assert point.comment == "" and point.excluded


def test_a_date_inside_the_period_counts_for_the_period(api, measure):
    body = api.put(f"/measures/{measure.pk}/points", {"points": [{"period": "2024-03-17", "value": 2}]}).json()
    assert body["created"] == 1 and body["notes"][0]["row"] == 0 and "2024-03-01" in body["notes"][0]["reason"]
    assert values(measure) == {"2024-03-01": 2}


def test_ratio_measures_take_numerator_and_denominator(api, ratio_measure):
    response = api.put(f"/measures/{ratio_measure.pk}/points",
                       {"points": [{"period": "2024-01-01", "numerator": 12, "denominator": 140}]})
    assert response.status_code == 200
    point = ratio_measure.points.get()
    assert (point.numerator, point.denominator, point.value) == (12, 140, None)


def test_subgroup_measures_take_observations_and_store_their_mean(client, issue):
    measure = make_measure(name="Minutes to triage", chart_type="xbar")
    api = Api(client, issue(measures=[measure]))
    response = api.put(f"/measures/{measure.pk}/points",
                       {"points": [{"period": "2024-01-01", "observations": [10, 20, 30]}]})
    assert response.status_code == 200
    point = measure.points.get()
    assert (point.observations, point.value) == ([10, 20, 30], 20)


BAD_ROWS = [
    ({"period": "01/02/2024", "value": 1}, "period", "YYYY-MM-DD"),
    ({"period": "2024-02-30", "value": 1}, "period", "not a real date"),
    ({"period": 20240201, "value": 1}, "period", "YYYY-MM-DD"),
    ({"value": 1}, "period", "No period"),
    ({"period": "2024-02-01", "value": "twelve"}, "value", "JSON number"),
    ({"period": "2024-02-01", "value": True}, "value", "JSON number"),
    ({"period": "2024-02-01"}, "value", "No value"),
    ({"period": "2024-02-01", "value": 1, "numerator": 1}, "numerator", "takes value, not numerator"),
    ({"period": "2024-02-01", "valeu": 1}, "valeu", "Unknown field"),
    ({"period": "2024-02-01", "value": 1, "comment": 5}, "comment", "must be text"),
    ({"period": "2024-02-01", "value": 1, "comment": "x" * 501}, "comment", "limit is 500"),
]


@pytest.mark.parametrize(("row", "field", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_index_and_reason_and_nothing_is_saved(api, measure, row, field, reason):
    response = api.put(f"/measures/{measure.pk}/points", {"points": [{"period": "2024-01-01", "value": 3}, row]})
    assert response.status_code == 422
    body = response.json()
    assert body["saved"] is False and body["rejected"] == 1
    assert {e["row"] for e in body["errors"]} == {1}
    assert any(e["field"] == field and reason in e["reason"] for e in body["errors"]), body["errors"]
    assert not measure.points.exists()


RATIO_ROWS = [
    ({"numerator": 1, "denominator": 0}, "denominator", "more than zero"),
    ({"numerator": 1, "denominator": -5}, "denominator", "more than zero"),
    ({"numerator": -1, "denominator": 5}, "numerator", "cannot be negative"),
    ({"numerator": 6, "denominator": 5}, "numerator", "over 100%"),
    ({"numerator": 6}, "denominator", "No denominator"),
    ({"value": 0.5, "numerator": 1, "denominator": 2}, "value", "takes numerator and denominator, not value"),
]


@pytest.mark.parametrize(("row", "field", "reason"), RATIO_ROWS)
def test_ratio_rows_follow_the_charts_rules(api, ratio_measure, row, field, reason):
    response = api.put(f"/measures/{ratio_measure.pk}/points", {"points": [{"period": "2024-01-01", **row}]})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(0, field)] and reason in errors[0]["reason"]


def test_a_future_period_is_refused(api, measure):
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).isoformat()
    body = api.put(f"/measures/{measure.pk}/points", {"points": [{"period": next_month, "value": 1}]}).json()
    assert "in the future" in body["errors"][0]["reason"]


def test_a_period_sent_twice_is_a_problem_in_both_rows(api, measure):
    batch = {"points": [{"period": "2024-01-01", "value": 1}, {"period": "2024-02-01", "value": 2},
                        {"period": "2024-01-20", "value": 3}]}
    body = api.put(f"/measures/{measure.pk}/points", batch).json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(0, "period"), (2, "period")]
    assert "more than once" in body["errors"][0]["reason"]
    assert not measure.points.exists()


def test_partial_saves_the_good_rows_and_reports_the_bad_ones(api, measure):
    batch = {"points": [{"period": "2024-01-01", "value": 1}, {"period": "2024-02-01", "value": "x"},
                        {"period": "2024-03-01", "value": 3}]}
    response = api.put(f"/measures/{measure.pk}/points", batch, partial="true")
    assert response.status_code == 200
    body = response.json()
    assert (body["saved"], body["created"], body["rejected"]) == (True, 2, 1)
    assert [e["row"] for e in body["errors"]] == [1]
    assert values(measure) == {"2024-01-01": 1, "2024-03-01": 3}


def test_a_failure_while_saving_leaves_nothing_half_saved(client, issue, measure, other_measure, monkeypatch):
    from ingest import services

    api = Api(client, issue(measures=[measure, other_measure]))
    real = services.save_points

    def fail_on_second(m, inputs, **kwargs):
        if m.pk == other_measure.pk:
            raise RuntimeError("disk full")
        return real(m, inputs, **kwargs)

    monkeypatch.setattr(services, "save_points", fail_on_second)
    client.raise_request_exception = False
    response = api.post("/points", {"points": [{"measure_id": measure.pk, "period": "2024-01-01", "value": 1},
                                               {"measure_id": other_measure.pk, "period": "2024-01-01", "value": 1}]})
    assert response.status_code == 500
    assert not DataPoint.objects.exists()


def test_a_malformed_body_is_422_with_nothing_saved(api, measure):
    for body in ({"points": "nope"}, {"points": [1, 2]}, {}, [], {"points": [{"period": "2024-01-01"}] * 5001}):
        response = api.put(f"/measures/{measure.pk}/points", body)
        assert response.status_code == 422, body
        assert "nothing was saved" in response.json()["detail"].lower()
    bad_json = api.client.put(f"/api/v1/measures/{measure.pk}/points", "{not json", content_type="application/json",
                              headers=api.headers())
    assert bad_json.status_code in (400, 422)
    assert not measure.points.exists()


def test_one_batch_across_measures(api, measure, ratio_measure, other_measure):
    batch = {"points": [{"measure_id": measure.pk, "period": "2024-01-01", "value": 1},
                        {"measure_id": ratio_measure.pk, "period": "2024-01-01", "numerator": 1, "denominator": 4},
                        {"measure_id": measure.pk, "period": "2024-02-01", "value": 2}]}
    first = api.post("/points", batch).json()
    assert (first["created"], first["errors"]) == (3, [])
    again = api.post("/points", batch).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert not DataPointChange.objects.exists()


def test_across_measures_an_out_of_scope_or_missing_measure_is_a_row_problem(api, measure, other_measure):
    batch = {"points": [{"measure_id": measure.pk, "period": "2024-01-01", "value": 1},
                        {"measure_id": other_measure.pk, "period": "2024-01-01", "value": 1},
                        {"period": "2024-01-01", "value": 1},
                        {"measure_id": "7", "period": "2024-01-01", "value": 1},
                        {"measure_id": measure.pk, "period": "2024-02-01", "value": "x"}]}
    response = api.post("/points", batch)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(1, "measure_id"), (2, "measure_id"), (3, "measure_id"),
                                                       (4, "value")]
    assert errors[3]["measure_id"] == measure.pk
    assert not DataPoint.objects.exists()
    partial = api.post("/points", batch, partial="true").json()
    assert (partial["created"], partial["rejected"]) == (1, 4)


def test_reading_points_pages_through_them_oldest_first(api, measure):
    api.put(f"/measures/{measure.pk}/points", rows(*range(1, 13)))
    page = api.get(f"/measures/{measure.pk}/points", limit=5, offset=5).json()
    assert page["count"] == 12
    assert [p["period"] for p in page["items"]] == [f"2024-{m:02d}-01" for m in range(6, 11)]
    since = api.get(f"/measures/{measure.pk}/points", since="2024-11-01").json()
    assert [p["value"] for p in since["items"]] == [11, 12]


def test_the_measure_list_describes_what_each_measure_takes(api, measure, ratio_measure):
    items = {m["id"]: m for m in api.get("/measures").json()["items"]}
    assert items[measure.pk]["takes"] == "value" and items[measure.pk]["scope"] == "system"
    assert items[ratio_measure.pk]["takes"] == "ratio" and items[ratio_measure.pk]["scope"] == "team"
    assert items[ratio_measure.pk]["scope_name"] == "Willow Ward" and items[ratio_measure.pk]["period"] == "month"


def test_the_measure_list_costs_the_same_however_many_measures(client, qiadmin, ward,
                                                               django_assert_max_num_queries):
    for i in range(30):
        make_measure(name=f"Measure {i}", team=ward if i % 2 else None)
    _, secret = ApiToken.issue(name="All", by=qiadmin, teams=[ward], measures=[])
    api = Api(client, secret)
    api.get("/measures")  # last_used_at is written on the first call
    with django_assert_max_num_queries(3):  # the token, the count, the page
        body = api.get("/measures").json()
    assert body["count"] == 15
