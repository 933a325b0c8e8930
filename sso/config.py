"""The provider this portal signs people in with: its settings and its discovery document.

The settings are plain values read from the environment in `qiportal/settings.py` (SSO_*). The
provider's endpoints are not configured by hand: they come from its discovery document
(`<issuer>/.well-known/openid-configuration`), fetched when first needed and kept for an hour, so that
a password sign-in never waits on the provider, and a provider that moves its endpoints is followed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from organisation.models import DIRECTORATE_ROLES, Role

DISCOVERY_TTL = 60 * 60


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or does not describe the configured issuer."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""


def enabled() -> bool:
    return bool(settings.SSO_ISSUER)


def provider_name() -> str:
    return settings.SSO_PROVIDER_NAME or "single sign-on"


def password_sign_in() -> bool:
    return settings.PASSWORD_SIGN_IN


def discovery_url() -> str:
    return settings.SSO_DISCOVERY_URL or settings.SSO_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


def allowed_domains() -> frozenset[str]:
    return frozenset(d.lower().lstrip("@") for d in settings.SSO_ALLOWED_EMAIL_DOMAINS)


def group_roles() -> dict[str, str]:
    """SSO_GROUP_ROLES "group=role,group=role" as {group: role}; a group may map to one role only."""
    mapping: dict[str, str] = {}
    for item in settings.SSO_GROUP_ROLES:
        group, sep, role = item.rpartition("=")
        if not sep or not group.strip() or not role.strip():
            raise ImproperlyConfigured(f"SSO_GROUP_ROLES: {item!r} is not group=role")
        mapping[group.strip()] = role.strip()
    return mapping


# Roles a group claim may grant: those held organisation-wide. A forum chair or a sponsor is appointed
# for one directorate by the QI admin, which no group claim can say.
MAPPABLE_ROLES = frozenset(r.value for r in Role) - {r.value for r in DIRECTORATE_ROLES}


def validate() -> None:
    if not settings.PASSWORD_SIGN_IN and not enabled():
        raise ImproperlyConfigured(
            "PASSWORD_SIGN_IN=0 needs single sign-on: set SSO_ISSUER, SSO_CLIENT_ID and SSO_CLIENT_SECRET."
        )
    if enabled() and not (settings.SSO_CLIENT_ID and settings.SSO_CLIENT_SECRET):
        raise ImproperlyConfigured("SSO_ISSUER is set: SSO_CLIENT_ID and SSO_CLIENT_SECRET are needed too.")
    for group, role in group_roles().items():
        if role not in MAPPABLE_ROLES:
            raise ImproperlyConfigured(
                f"SSO_GROUP_ROLES: {group!r} maps to {role!r}; a group may grant one of {sorted(MAPPABLE_ROLES)}"
            )


_lock = threading.Lock()
_cached: dict[str, tuple[float, ProviderMetadata]] = {}


def metadata() -> ProviderMetadata:
    """The provider's endpoints, from its discovery document (read at most once an hour per process)."""
    url = discovery_url()
    now = time.monotonic()
    with _lock:
        hit = _cached.get(url)
        if hit and now - hit[0] < DISCOVERY_TTL:
            return hit[1]
    try:
        response = requests.get(url, timeout=settings.SSO_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"could not read {url}: {error}") from error
    # OpenID Connect Discovery 1.0 §4.3: the document must name exactly the issuer it was asked for,
    # or id tokens from some other issuer would be believed.
    if document.get("issuer", "").rstrip("/") != settings.SSO_ISSUER.rstrip("/"):
        raise ProviderUnavailable(f"{url} describes issuer {document.get('issuer')!r}, not {settings.SSO_ISSUER!r}")
    try:
        found = ProviderMetadata(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
            userinfo_endpoint=document.get("userinfo_endpoint", ""),
            end_session_endpoint=document.get("end_session_endpoint", ""),
        )
    except KeyError as error:
        raise ProviderUnavailable(f"{url} lacks {error}") from error
    with _lock:
        _cached[url] = (now, found)
    return found


def forget_metadata() -> None:
    with _lock:
        _cached.clear()
