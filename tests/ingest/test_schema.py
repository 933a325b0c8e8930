"""The published OpenAPI schema, and a schemathesis run against the app from it: no input makes a 5xx."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from ingest.models import ApiToken
from qiportal.wsgi import application

from .conftest import make_measure

pytestmark = pytest.mark.django_db


def test_the_schema_is_published_without_a_cdn_and_without_swagger_ui(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "QI Portal data API"
    assert "cdn" not in json.dumps(schema).lower()
    assert client.get("/api/v1/docs").status_code == 404  # ninja's Swagger page (a CDN) is switched off


@pytest.fixture
def wsgi_requests(db):
    """Requests through the real WSGI handler, which closes the database connection when a request ends; that
    would end the test's transaction too, so it is disconnected here as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(qiadmin, ward):
    """A token that may write to a measure of every kind, so generated batches reach the saving code."""
    measures = [make_measure(name="Value", chart_type="i"),
                make_measure(name="Proportion", chart_type="p", team=ward),
                make_measure(name="Subgroups", chart_type="xbar", period="week"),
                make_measure(name="Count", chart_type="c", period="day")]
    _, secret = ApiToken.issue(name="Fuzz", by=qiadmin, measures=measures)
    return secret, [m.pk for m in measures]


# Loaded when the module is collected (fetching the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(case, fuzz_token, wsgi_requests):
    secret, measure_ids = fuzz_token
    headers = {"Authorization": f"Bearer {secret}"}
    if isinstance(case.body, dict) and isinstance(case.body.get("points"), list):
        case.body["points"] = case.body["points"][:10]  # long batches take time and find nothing more
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
    # Generated ids are almost never real ones: send each case to the real measures too.
    if "measure_id" in (case.path_parameters or {}):
        case.path_parameters["measure_id"] = measure_ids[len(str(case.body)) % len(measure_ids)]
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
    elif isinstance(case.body, dict) and isinstance(case.body.get("points"), list):
        for i, row in enumerate(case.body["points"]):
            if isinstance(row, dict):
                row["measure_id"] = measure_ids[i % len(measure_ids)]
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
