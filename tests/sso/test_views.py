from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from organisation.models import Role, User
from sso import config
from sso.backends import SSOBackend

from ..factories import UserFactory
from .test_backend import KEY, token

pytestmark = pytest.mark.django_db


def test_login_page_offers_only_passwords_when_single_sign_on_is_off(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page and 'name="password"' in page


def test_login_page_offers_the_provider_by_name(client, sso_settings):
    page = client.get(reverse("login") + "?next=/projects/").content.decode()
    assert "Sign in with Trust Microsoft account" in page
    assert f'{reverse("sso:start")}?next=/projects/' in page
    assert 'name="password"' in page


def test_with_password_sign_in_off_the_form_is_gone_and_a_password_is_refused(client, sso_settings, staff, password):
    sso_settings.PASSWORD_SIGN_IN = False
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Trust Microsoft account" in page and 'name="password"' not in page
    response = client.post(reverse("login"), {"username": "staff", "password": password}, follow=True)
    assert "Passwords are not used here" in response.content.decode()
    assert not response.context["user"].is_authenticated


def start(client) -> dict:
    response = client.get(reverse("sso:start") + "?next=/projects/")
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}


def test_start_sends_the_person_to_the_provider_with_state_nonce_and_a_pkce_challenge(client, sso_settings, metadata):
    params = start(client)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["client_id"] == "qiportal" and params["response_type"] == "code"
    assert params["redirect_uri"] == "http://testserver/sso/callback/"
    stored = client.session["oidc_states"][params["state"]]
    assert stored["nonce"] == params["nonce"] and len(stored["code_verifier"]) == 64


def test_start_tells_the_person_when_the_provider_does_not_answer(client, sso_settings, monkeypatch):
    def down():
        raise config.ProviderUnavailable("down")

    monkeypatch.setattr(config, "metadata", down)
    response = client.get(reverse("sso:start"), follow=True)
    assert "did not answer" in response.content.decode()


@pytest.fixture
def provider_answers(monkeypatch):
    """The token endpoint, answering with an id token for whatever nonce the portal sent."""
    sent = {}

    def get_token(self, payload):
        sent.update(payload)
        return {"id_token": token(nonce=sent["nonce"], **sent.get("claims", {})), "access_token": "a"}

    monkeypatch.setattr(SSOBackend, "get_token", get_token)
    monkeypatch.setattr(SSOBackend, "retrieve_matching_jwk", lambda self, t: KEY.public_key())
    return sent


def callback(client, provider_answers, **claims):
    params = start(client)
    provider_answers["nonce"] = params["nonce"]
    provider_answers["claims"] = claims
    return client.get(reverse("sso:callback"), {"code": "c-1", "state": params["state"]})


def test_a_new_person_without_a_role_lands_on_the_welcome_page(client, sso_settings, metadata, provider_answers,
                                                                qiadmin):
    response = callback(client, provider_answers)
    assert response["Location"] == reverse("sso:welcome")
    assert provider_answers["code_verifier"] and provider_answers["client_secret"] == "secret"
    page = client.get(reverse("sso:welcome")).content.decode()
    assert "nobody has given you a role" in page and qiadmin.email in page


def test_a_person_with_a_role_goes_where_they_were_going(client, sso_settings, metadata, provider_answers, staff):
    User.objects.filter(pk=staff.pk).update(email="ana@trust.nhs.uk")
    response = callback(client, provider_answers)
    assert response["Location"] == "/projects/"
    assert client.get(reverse("home")).context["user"] == staff


@pytest.mark.parametrize("claims, words", [
    ({"email": "ana@gmail.com"}, "not an address of this organisation"),
    ({"aud": "another-app"}, "could not be trusted"),
])
def test_a_refused_sign_in_returns_to_the_login_page_with_the_reason(client, sso_settings, metadata, provider_answers,
                                                                       claims, words):
    response = callback(client, provider_answers, **claims)
    assert response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert words in page
    assert "_auth_user_id" not in client.session


def test_an_answer_with_a_state_this_browser_never_sent_is_refused(client, sso_settings, metadata, provider_answers):
    start(client)
    response = client.get(reverse("sso:callback"), {"code": "c-1", "state": "forged"}, follow=True)
    assert response.status_code == 200
    assert "could not be trusted" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_a_state_is_used_once(client, sso_settings, metadata, provider_answers):
    params = start(client)
    provider_answers["nonce"] = params["nonce"]
    client.get(reverse("sso:callback"), {"code": "c-1", "state": params["state"]})
    client.post(reverse("logout"))
    response = client.get(reverse("sso:callback"), {"code": "c-1", "state": params["state"]})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_disabled_account_is_refused(client, sso_settings, metadata, provider_answers, staff):
    User.objects.filter(pk=staff.pk).update(email="ana@trust.nhs.uk", is_active=False)
    callback(client, provider_answers)
    assert "disabled" in client.get(reverse("login")).content.decode()


def test_a_person_disabled_while_signed_in_is_signed_out_at_the_next_page(client, sso_settings, metadata,
                                                                         provider_answers, staff):
    User.objects.filter(pk=staff.pk).update(email="ana@trust.nhs.uk")
    callback(client, provider_answers)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_sign_out_after_single_sign_on_offers_the_providers_end_session(client, sso_settings, metadata,
                                                                        provider_answers):
    callback(client, provider_answers)
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("sso:signed_out")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("sso:signed_out")).content.decode()
    assert "Sign out of Trust Microsoft account too" in page
    assert metadata.end_session_endpoint in page and id_token in page
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Fsso%2Fsigned-out%2F" in page
    assert "Sign out of" not in client.get(reverse("sso:signed_out")).content.decode()  # offered once


def test_sign_out_after_a_password_goes_to_the_login_page(client, staff):
    client.force_login(staff)
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("logout")).status_code == 405


def test_welcome_page_needs_a_sign_in(client):
    response = client.get(reverse("sso:welcome"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_welcome_page_tells_a_person_with_a_role_where_to_go(client, staff):
    client.force_login(staff)
    assert "You have a role here already" in client.get(reverse("sso:welcome")).content.decode()


def test_welcome_page_cost_does_not_grow_with_qi_admins(client, django_assert_max_num_queries):
    for _ in range(15):
        UserFactory(roles=[Role.QI_ADMIN])
    client.force_login(UserFactory(roles=[]))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sso:welcome")).content.decode()
    assert page.count("mailto:") == 10


def test_sign_in_works_with_lockouts_on(client, sso_settings, metadata, provider_answers, staff):
    # django-axes (off in tests) stands first among the backends in production; the code flow passes it.
    sso_settings.AXES_ENABLED = True
    callback(client, provider_answers, email="ana@gmail.com")
    assert "not an address of this organisation" in client.get(reverse("login")).content.decode()
    User.objects.filter(pk=staff.pk).update(email="ana@trust.nhs.uk")
    assert callback(client, provider_answers)["Location"] == "/projects/"
