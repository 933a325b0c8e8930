import pytest
from django.core.exceptions import ImproperlyConfigured

from sso import config


def test_password_sign_in_off_needs_single_sign_on(settings):
    settings.SSO_ISSUER = ""
    settings.PASSWORD_SIGN_IN = False
    with pytest.raises(ImproperlyConfigured, match="PASSWORD_SIGN_IN=0"):
        config.validate()


def test_an_issuer_needs_a_client(sso_settings):
    sso_settings.SSO_CLIENT_SECRET = ""
    with pytest.raises(ImproperlyConfigured, match="SSO_CLIENT_SECRET"):
        config.validate()


@pytest.mark.parametrize("mapping", [["g1=chair"], ["g1=sponsor"], ["g1=nobody"], ["g1"]])
def test_a_group_may_only_grant_an_organisation_wide_role(sso_settings, mapping):
    sso_settings.SSO_GROUP_ROLES = mapping
    with pytest.raises(ImproperlyConfigured, match="SSO_GROUP_ROLES"):
        config.validate()


def test_a_valid_configuration_passes(sso_settings):
    sso_settings.SSO_GROUP_ROLES = ["0d2c-guid=coach", "a=b=qi_admin"]
    config.validate()
    assert config.group_roles() == {"0d2c-guid": "coach", "a=b": "qi_admin"}


def test_discovery_must_describe_the_configured_issuer(sso_settings, monkeypatch):
    class Answer:
        def raise_for_status(self):
            pass

        def json(self):
            return {"issuer": "https://evil.example", "authorization_endpoint": "a", "token_endpoint": "t",
                    "jwks_uri": "j"}

    config.forget_metadata()
    monkeypatch.setattr(config.requests, "get", lambda url, timeout: Answer())
    with pytest.raises(config.ProviderUnavailable, match="evil"):
        config.metadata()


def test_discovery_is_read_once_and_kept(sso_settings, monkeypatch):
    calls = []

    class Answer:
        def raise_for_status(self):
            pass

        def json(self):
            return {"issuer": sso_settings.SSO_ISSUER, "authorization_endpoint": "a", "token_endpoint": "t",
                    "jwks_uri": "j", "end_session_endpoint": "e"}

    config.forget_metadata()
    monkeypatch.setattr(config.requests, "get", lambda url, timeout: calls.append(url) or Answer())
    assert config.metadata().end_session_endpoint == "e"
    assert config.metadata().token_endpoint == "t"
    assert calls == [sso_settings.SSO_ISSUER + "/.well-known/openid-configuration"]
    config.forget_metadata()
