import pytest

from sso import config

ISSUER = "https://login.example.org/tenant/v2.0"


@pytest.fixture
def sso_settings(settings):
    """Single sign-on switched on, with the provider's discovery answered without a network."""
    settings.SSO_ISSUER = ISSUER
    settings.SSO_CLIENT_ID = "qiportal"
    settings.SSO_CLIENT_SECRET = "secret"
    settings.SSO_PROVIDER_NAME = "Trust Microsoft account"
    settings.SSO_ALLOWED_EMAIL_DOMAINS = ["trust.nhs.uk", "nhs.net"]
    settings.SSO_GROUP_ROLES = []
    return settings


@pytest.fixture
def metadata(monkeypatch):
    found = config.ProviderMetadata(
        issuer=ISSUER,
        authorization_endpoint=f"{ISSUER}/authorize",
        token_endpoint=f"{ISSUER}/token",
        jwks_uri=f"{ISSUER}/keys",
        userinfo_endpoint=f"{ISSUER}/userinfo",
        end_session_endpoint=f"{ISSUER}/logout",
    )
    monkeypatch.setattr(config, "metadata", lambda: found)
    return found


def claims(**extra) -> dict:
    return {"sub": "subject-1", "email": "ana.silva@trust.nhs.uk", "email_verified": True,
            "name": "Ana Silva", "given_name": "Ana", "family_name": "Silva", **extra}
