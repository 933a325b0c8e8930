"""Who may use the API: a live token, for the measures in its scope; a session cookie counts for nothing."""

import pytest

from ingest.models import ApiToken

from .conftest import Api

pytestmark = pytest.mark.django_db

BATCH = {"points": [{"period": "2024-01-01", "value": 3}]}


def test_no_token_is_401_with_a_bearer_challenge(client, measure):
    api = Api(client, None)
    for response in (api.get("/measures"), api.get(f"/measures/{measure.pk}/points"),
                     api.put(f"/measures/{measure.pk}/points", BATCH), api.post("/points", BATCH)):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "token" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer qip_12345678_nope", "Bearer ", "Basic dXNlcjpwYXNz", "qip_x", "Bearer"])
def test_a_wrong_or_malformed_token_is_401(client, secret, measure, header):
    response = client.get("/api/v1/measures", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_revoked_token_is_401(client, qiadmin, secret, measure):
    api = Api(client, secret)
    assert api.get("/measures").status_code == 200
    ApiToken.objects.get().revoke(by=qiadmin)
    assert api.get("/measures").status_code == 401
    assert api.put(f"/measures/{measure.pk}/points", BATCH).status_code == 401
    assert not measure.points.exists()


def test_a_measure_outside_the_tokens_scope_is_404_like_one_that_does_not_exist(api, other_measure):
    for path in (f"/measures/{other_measure.pk}", f"/measures/{other_measure.pk}/points", "/measures/999999"):
        assert api.get(path).status_code == 404
    response = api.put(f"/measures/{other_measure.pk}/points", BATCH)
    assert response.status_code == 404
    assert not other_measure.points.exists()


def test_the_list_shows_only_the_measures_in_scope(api, measure, ratio_measure, other_measure):
    body = api.get("/measures").json()
    assert body["count"] == 2
    assert {m["id"] for m in body["items"]} == {measure.pk, ratio_measure.pk}


def test_a_read_only_token_reads_but_may_not_send(client, issue, measure):
    api = Api(client, issue(measures=[measure], can_write=False))
    assert api.get(f"/measures/{measure.pk}/points").status_code == 200
    assert api.put(f"/measures/{measure.pk}/points", BATCH).status_code == 403
    assert api.post("/points", {"points": [{"measure_id": measure.pk, **BATCH["points"][0]}]}).status_code == 403
    assert not measure.points.exists()


def test_a_logged_in_session_does_not_stand_in_for_a_token(client, qiadmin, measure):
    client.force_login(qiadmin)
    api = Api(client, None)
    assert api.get("/measures").status_code == 401
    assert api.put(f"/measures/{measure.pk}/points", BATCH).status_code == 401


def test_token_requests_need_no_csrf_token(secret, measure):
    from django.test import Client

    api = Api(Client(enforce_csrf_checks=True), secret)
    assert api.put(f"/measures/{measure.pk}/points", BATCH).status_code == 200
    assert measure.points.count() == 1


def test_the_schema_is_public_but_describes_bearer_auth(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"/api/v1/measures", "/api/v1/measures/{measure_id}/points", "/api/v1/points"} <= set(schema["paths"])
