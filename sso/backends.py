"""Authentication backends: OpenID Connect through mozilla-django-oidc, and the password switch."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from organisation.backends import EmailOrUsernameBackend

from . import config, services

log = logging.getLogger(__name__)

# Clocks at the provider and here may differ a little.
LEEWAY_SECONDS = 60


class SSOBackend(OIDCAuthenticationBackend):
    """The code flow of mozilla-django-oidc, with the provider's endpoints from discovery and stricter checks.

    The library checks the signature, the expiry and the nonce. It does not check that the token was
    issued by our issuer for our client, so `_verify_jws` asks PyJWT to check `iss` and `aud` as well.
    Who the person is comes from the signed id token (the userinfo endpoint is asked only for what the
    token leaves out, and must name the same subject).
    """

    def __init__(self, *args, **kwargs) -> None:
        # Django makes a backend for every authenticate() call, password sign-ins too; the library's
        # __init__ reads every endpoint, so it is not called: endpoints are read when a code arrives.
        self.UserModel = get_user_model()

    OIDC_RP_CLIENT_ID = property(lambda self: settings.SSO_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.SSO_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.SSO_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: config.metadata().token_endpoint)
    OIDC_OP_USER_ENDPOINT = property(lambda self: config.metadata().userinfo_endpoint)
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: config.metadata().jwks_uri)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password form never reaches the provider.
        if request is None or not config.enabled() or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, config.ProviderUnavailable) as error:
            log.warning("sso: the provider failed: %s", error)
            request.sso_refusal = f"{config.provider_name()} did not answer. Try again in a minute."
            return None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"id token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=config.metadata().issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"id token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        claims = dict(payload)
        if not claims.get("email") and self.OIDC_OP_USER_ENDPOINT and access_token:
            extra = super().get_userinfo(access_token, id_token, payload)
            if str(extra.get("sub")) != str(claims.get("sub")):
                # OpenID Connect Core §5.3.4: a userinfo answer about someone else must not be used.
                raise SuspiciousOperation("userinfo names another subject than the id token")
            claims = {**extra, **claims}
        return claims

    def get_user(self, user_id):
        # The library's get_user skips Django's is_active check: a person disabled while signed in
        # would stay signed in. Each request asks again, as the password backend does.
        user = super().get_user(user_id)
        if user is None or not user.is_active or (user.is_demo_persona and not settings.DEMO_MODE):
            return None
        return user

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return services.sign_in(config.metadata().issuer, claims)
        except services.Refused as refusal:
            log.info("sso: refused %s: %s", claims.get("sub"), refusal)
            self.request.sso_refusal = str(refusal)
            return None


class PasswordBackend(EmailOrUsernameBackend):
    """Password sign-in as before, unless the trust has turned it off (PASSWORD_SIGN_IN=0).

    It stays in the list when off so that permissions are still answered; it only stops vouching
    for passwords, on every form that asks for one (the log-in page and the settings site's).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not config.password_sign_in():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
