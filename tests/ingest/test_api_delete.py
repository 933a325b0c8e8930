"""The API removes a period's point with a read-write token (history kept), warns about values far outside a
measure's history, and refuses absurd periods and values like the pages do."""

import datetime as dt

import pytest

from measures.models import ChangeAction, ChangeSource, DataPointChange

from .conftest import Api

pytestmark = pytest.mark.django_db


def rows(*values, start=1):
    return {"points": [{"period": f"2024-{start + i:02d}-01", "value": v} for i, v in enumerate(values)]}


def test_a_read_write_token_removes_a_period_and_the_history_keeps_it(api, measure, qiadmin):
    api.put(f"/measures/{measure.pk}/points", rows(3, 5, 4))
    response = api.delete(f"/measures/{measure.pk}/points/2024-02-17", reason="sent twice")
    assert response.status_code == 200 and response.json()["period"] == "2024-02-01"
    assert sorted(p.period_start.month for p in measure.points.all()) == [1, 3]
    change = DataPointChange.objects.get(action=ChangeAction.REMOVE)
    assert (change.old["value"], change.source, change.reason, change.by) == (5, ChangeSource.API, "sent twice",
                                                                             qiadmin)
    assert api.delete(f"/measures/{measure.pk}/points/2024-02-01").status_code == 404


def test_a_read_only_or_out_of_scope_token_cannot_remove(client, issue, measure, other_measure):
    Api(client, issue(measures=[measure])).put(f"/measures/{measure.pk}/points", rows(3))
    reader = Api(client, issue(measures=[measure], can_write=False))
    assert reader.delete(f"/measures/{measure.pk}/points/2024-01-01").status_code == 403
    other = Api(client, issue(measures=[other_measure]))
    assert other.delete(f"/measures/{measure.pk}/points/2024-01-01").status_code == 404
    assert Api(client, None).delete(f"/measures/{measure.pk}/points/2024-01-01").status_code == 401
    assert measure.points.count() == 1


def test_absurd_values_are_refused_and_far_outside_ones_saved_with_a_warning(api, measure):
    response = api.put(f"/measures/{measure.pk}/points", {"points": [{"period": "0001-01-01", "value": 1},
                                                                    {"period": "2024-01-01", "value": 1e308}]})
    assert response.status_code == 422
    reasons = [e["reason"] for e in response.json()["errors"]]
    assert "before 1990" in reasons[0] and "too large" in reasons[1]
    api.put(f"/measures/{measure.pk}/points", rows(10, 12, 9, 11, 10, 12, 11, 10))
    response = api.put(f"/measures/{measure.pk}/points", {"points": [{"period": "2024-09-01", "value": 5000}]})
    body = response.json()
    assert response.status_code == 200 and body["created"] == 1
    assert body["warnings"][0]["row"] == 0 and "far outside" in body["warnings"][0]["reason"]
    assert measure.points.get(period_start=dt.date(2024, 9, 1)).value == 5000
