"""Issuing, using and revoking tokens: only a fingerprint of the secret is ever stored."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from ingest.models import ApiToken

pytestmark = pytest.mark.django_db


def test_issuing_a_token_stores_a_hash_and_a_prefix_but_never_the_secret(qiadmin, measure):
    token, secret = ApiToken.issue(name="Warehouse", by=qiadmin, measures=[measure])
    assert secret.startswith(f"qip_{token.prefix}_") and len(secret) > 50
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    assert token.created_by == qiadmin and list(token.measures.all()) == [measure]


def test_two_tokens_have_different_secrets_and_prefixes(qiadmin):
    (a, sa), (b, sb) = (ApiToken.issue(name=n, by=qiadmin, all_measures=True) for n in "ab")
    assert sa != sb and a.prefix != b.prefix


def test_the_secret_authenticates_its_token_and_records_when_it_was_used(qiadmin):
    token, secret = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    assert token.last_used_at is None
    assert ApiToken.authenticate(secret) == token
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("mangle", [
    lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # right prefix, wrong secret
    lambda s: "qip_00000000_" + s.split("_", 2)[2],      # unknown prefix
    lambda s: s.upper(), lambda s: "", lambda s: "qip", lambda s: "Bearer " + s,
])
def test_a_wrong_or_malformed_secret_authenticates_nothing(qiadmin, mangle):
    _, secret = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    assert ApiToken.authenticate(mangle(secret)) is None


def test_a_revoked_token_no_longer_authenticates_and_records_who_revoked_it(qiadmin):
    token, secret = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    assert token.revoke(by=qiadmin) is True
    assert ApiToken.authenticate(secret) is None
    token.refresh_from_db()
    assert token.revoked_by == qiadmin and token.revoked_at is not None
    first = token.revoked_at
    assert token.revoke(by=qiadmin) is False  # the first revocation is the one recorded
    token.refresh_from_db()
    assert token.revoked_at == first


def test_last_used_is_written_at_most_once_a_minute(qiadmin, django_assert_num_queries):
    token, secret = ApiToken.issue(name="Warehouse", by=qiadmin, all_measures=True)
    ApiToken.authenticate(secret)
    with django_assert_num_queries(1):  # the look-up only: no write
        ApiToken.authenticate(secret)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):
        ApiToken.authenticate(secret)


def test_scope_covers_chosen_measures_and_all_measures_of_chosen_teams_and_projects(qiadmin, ward, measure,
                                                                                   ratio_measure, other_measure):
    from .conftest import make_measure

    later = make_measure(name="Added later", team=ward)
    token, _ = ApiToken.issue(name="Ward feed", by=qiadmin, measures=[measure], teams=[ward])
    assert set(token.scope_measures()) == {measure, ratio_measure, later}
    everything, _ = ApiToken.issue(name="All", by=qiadmin, all_measures=True, measures=[measure])
    assert set(everything.scope_measures()) == {measure, ratio_measure, later, other_measure}
    assert not everything.measures.exists()


def test_a_project_in_scope_brings_all_its_measures(qiadmin, ward, measure):
    from tests.factories import ProjectFactory

    from .conftest import make_measure

    project = ProjectFactory(team=ward)
    first, second = make_measure(name="One", project=project), make_measure(name="Two", project=project)
    token, _ = ApiToken.issue(name="Project feed", by=qiadmin, projects=[project])
    assert set(token.scope_measures()) == {first, second}
