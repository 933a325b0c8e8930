import pytest

from ingest.models import ApiToken
from measures.models import Domain, Measure


def make_measure(**kwargs) -> Measure:
    defaults = {"name": "Incidents of violence", "definition": "Physical assaults recorded on Datix.",
                "measure_type": "outcome", "period": "month", "chart_type": "i", "improvement": "decrease"}
    defaults.update(kwargs)
    if not any(defaults.get(k) for k in ("project", "team", "domain")):
        defaults["domain"] = Domain.EXPERIENCE_OF_CARE
    return Measure.objects.create(**defaults)


@pytest.fixture
def measure(db):
    return make_measure(name="Agency spend £k", domain=Domain.VALUE)


@pytest.fixture
def ratio_measure(ward):
    return make_measure(name="Care plans reviewed", team=ward, chart_type="p", unit="%", multiplier=100)


@pytest.fixture
def other_measure(db):
    return make_measure(name="Staff sickness")


@pytest.fixture
def issue(qiadmin):
    def issue(**kwargs) -> str:
        kwargs.setdefault("name", "Warehouse")
        _, secret = ApiToken.issue(by=qiadmin, **kwargs)
        return secret

    return issue


@pytest.fixture
def secret(issue, measure, ratio_measure):
    """A token that may send data to `measure` and `ratio_measure` only."""
    return issue(measures=[measure, ratio_measure])


class Api:
    """The API as a client sees it: JSON in, JSON out, the token in the Authorization header."""

    def __init__(self, client, secret: str | None) -> None:
        self.client, self.secret = client, secret

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers())

    def put(self, path: str, body, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.put(f"/api/v1{path}" + (f"?{query}" if query else ""), body,
                               content_type="application/json", headers=self.headers())

    def post(self, path: str, body, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.post(f"/api/v1{path}" + (f"?{query}" if query else ""), body,
                                content_type="application/json", headers=self.headers())

    def delete(self, path: str, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(f"/api/v1{path}" + (f"?{query}" if query else ""), headers=self.headers())


@pytest.fixture
def api(client, secret):
    return Api(client, secret)
