"""The QI department's token pages: list, issue (the secret shown once), revoke; nobody else may see them."""

import re

import pytest
from django.urls import reverse

from ingest.models import ApiToken

pytestmark = pytest.mark.django_db

PAGES = ["ingest:tokens", "ingest:token_new"]


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board"],
                         indirect=True)
def test_everyone_but_the_qi_department_is_refused(client, persona, qiadmin):
    token, _ = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    client.force_login(persona)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("ingest:token_new"), {"name": "Mine", "scope": "all"}).status_code == 403
    revoke = reverse("ingest:token_revoke", args=[token.pk])
    assert client.get(revoke).status_code == 403
    assert client.post(revoke, {"confirm": "on"}).status_code == 403
    token.refresh_from_db()
    assert not token.is_revoked and ApiToken.objects.count() == 1


def test_anonymous_people_are_sent_to_log_in(client):
    for name in [*PAGES, "ingest:api_docs"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_qi_admin_issues_a_token_and_sees_its_secret_once(client, qiadmin, measure, ratio_measure, ward):
    client.force_login(qiadmin)
    form = client.get(reverse("ingest:token_new"))
    assert form.status_code == 200 and measure.name in form.text and ward.name in form.text
    page = client.post(reverse("ingest:token_new"), {"name": "Warehouse nightly", "can_write": "on",
                                                     "scope": "chosen", "measures": [measure.pk]})
    assert page.status_code == 200
    assert "it will not be shown again" in page.text
    assert "no-store" in page["Cache-Control"]
    secret = re.search(r"qip_[0-9a-f]{8}_[\w-]+", page.text).group()
    token = ApiToken.objects.get()
    assert token.name == "Warehouse nightly" and token.can_write and token.created_by == qiadmin
    assert list(token.measures.all()) == [measure]
    assert ApiToken.authenticate(secret) == token
    listing = client.get(reverse("ingest:tokens"))
    assert token.prefix in listing.text and secret not in listing.text and "Warehouse nightly" in listing.text


def test_a_token_needs_something_to_use(client, qiadmin, measure):
    client.force_login(qiadmin)
    page = client.post(reverse("ingest:token_new"), {"name": "Nothing", "scope": "chosen", "can_write": "on"})
    assert page.status_code == 200 and "Choose at least one measure" in page.text
    assert not ApiToken.objects.exists()


def test_a_token_for_every_measure_ignores_the_chosen_ones(client, qiadmin, measure):
    client.force_login(qiadmin)
    client.post(reverse("ingest:token_new"), {"name": "All", "scope": "all", "measures": [measure.pk]})
    token = ApiToken.objects.get()
    assert token.all_measures and not token.measures.exists() and not token.can_write


def test_revoking_asks_for_confirmation_then_records_who_and_when(client, qiadmin):
    token, secret = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    client.force_login(qiadmin)
    url = reverse("ingest:token_revoke", args=[token.pk])
    assert "cannot be undone" in client.get(url).text
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.text
    token.refresh_from_db()
    assert not token.is_revoked
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("ingest:tokens")
    token.refresh_from_db()
    assert token.is_revoked and token.revoked_by == qiadmin
    assert ApiToken.authenticate(secret) is None
    listing = client.get(reverse("ingest:tokens"))
    assert "Revoked" in listing.text and "is revoked" in listing.text


def test_the_token_list_costs_the_same_however_many_tokens(client, qiadmin, measure, ward,
                                                           django_assert_max_num_queries):
    for i in range(8):
        ApiToken.issue(name=f"Token {i}", by=qiadmin, measures=[measure], teams=[ward])
    ApiToken.objects.first().revoke(by=qiadmin)
    client.force_login(qiadmin)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("ingest:tokens"))
    assert page.text.count("data-token=") == 8


def test_the_api_guide_is_open_to_everyone_logged_in_and_uses_no_cdn(client, staff):
    client.force_login(staff)
    page = client.get(reverse("ingest:api_docs"))
    assert page.status_code == 200
    assert "/api/v1/openapi.json" in page.text and "Authorization: Bearer" in page.text
    assert not re.search(r"(src|href)=\"https?://(?!testserver)", page.text)
    assert "<script>" not in page.text
