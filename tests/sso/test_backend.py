"""The id token checks, on tokens signed here with a key of our own."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from sso.backends import PasswordBackend, SSOBackend

from .conftest import ISSUER

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key=KEY, alg="RS256", **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "qiportal", "sub": "subject-1", "iat": now, "exp": now + 300,
              "nonce": "n-1", "email": "ana@trust.nhs.uk", "email_verified": True, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": "k1"})


@pytest.fixture
def backend(sso_settings, metadata, monkeypatch):
    backend = SSOBackend()
    monkeypatch.setattr(backend, "retrieve_matching_jwk", lambda t: KEY.public_key())
    return backend


def test_a_token_from_our_issuer_for_us_with_our_nonce_is_believed(backend):
    assert backend.verify_token(token(), nonce="n-1")["sub"] == "subject-1"


def test_a_token_with_another_nonce_is_refused(backend):
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(token(), nonce="n-2")


def test_a_tampered_token_is_refused(backend):
    header, payload, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["email"] = "intruder@trust.nhs.uk"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(SuspiciousOperation, match="Signature"):
        backend.verify_token(f"{header}.{forged}.{signature}", nonce="n-1")


def test_a_token_signed_with_another_key_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token(key=OTHER_KEY), nonce="n-1")


@pytest.mark.parametrize("overrides, words", [
    ({"aud": "another-app"}, "audience"),
    ({"iss": "https://login.example.org/other-tenant/v2.0"}, "issuer"),
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"exp": None}, "exp"),
])
def test_a_token_for_someone_else_or_out_of_date_is_refused(backend, overrides, words):
    with pytest.raises(SuspiciousOperation, match=f"(?i){words}"):
        backend.verify_token(token(**overrides), nonce="n-1")


def test_a_token_signed_with_the_client_secret_is_refused(backend):
    with pytest.raises(SuspiciousOperation, match="HS256"):
        backend.verify_token(token(key="a-client-secret-long-enough-for-sha256", alg="HS256"), nonce="n-1")


def test_userinfo_about_another_subject_is_refused(backend, monkeypatch):
    monkeypatch.setattr("mozilla_django_oidc.auth.OIDCAuthenticationBackend.get_userinfo",
                        lambda self, a, i, p: {"sub": "someone-else", "email": "x@trust.nhs.uk"})
    with pytest.raises(SuspiciousOperation, match="another subject"):
        backend.get_userinfo("access", "id", {"sub": "subject-1"})


def test_userinfo_is_asked_only_for_what_the_token_leaves_out(backend, monkeypatch):
    asked = []
    monkeypatch.setattr("mozilla_django_oidc.auth.OIDCAuthenticationBackend.get_userinfo",
                        lambda self, a, i, p: asked.append(a) or {"sub": "subject-1", "email": "a@trust.nhs.uk"})
    found = backend.get_userinfo("access", "id", {"sub": "subject-1", "email": "b@trust.nhs.uk"})
    assert found["email"] == "b@trust.nhs.uk"
    assert asked == []
    assert backend.get_userinfo("access", "id", {"sub": "subject-1"})["email"] == "a@trust.nhs.uk"


def test_a_password_sign_in_never_asks_the_provider(sso_settings, rf, monkeypatch):
    monkeypatch.setattr("sso.config.metadata", lambda: pytest.fail("the provider was asked"))
    assert SSOBackend().authenticate(rf.post("/login/"), username="staff", password="x") is None


@pytest.mark.django_db
def test_passwords_are_refused_when_password_sign_in_is_off(sso_settings, staff, password, rf):
    assert PasswordBackend().authenticate(rf.post("/login/"), username="staff", password=password) == staff
    sso_settings.PASSWORD_SIGN_IN = False
    assert PasswordBackend().authenticate(rf.post("/login/"), username="staff", password=password) is None
