"""Signing a person in from the provider's claims: find, link or create the account, or refuse."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from organisation.models import CoachProfile, Role, RoleAssignment, User

from . import config
from .models import Identity, RoleGrant

log = logging.getLogger(__name__)


class Refused(Exception):
    """Sign-in refused; the message is written for the person signing in."""


def claimed_email(claims: dict) -> str:
    """The e-mail address the provider vouches for, or "" when it does not vouch for one.

    Standard providers say so with `email_verified`. Microsoft Entra ID sends no such claim: in a trust's
    own (single-tenant) directory the addresses are the ones its IT keeps, so SSO_TRUST_PROVIDER_EMAIL=1
    takes `email` (or the sign-in name, `preferred_username`/`upn`, which is an address there) as verified.
    """
    email = (claims.get("email") or "").strip()
    if settings.SSO_TRUST_PROVIDER_EMAIL:
        for name in ("preferred_username", "upn"):
            if not email and "@" in str(claims.get(name) or ""):
                email = str(claims[name]).strip()
        return email.lower()
    verified = claims.get("email_verified")
    if verified is True or str(verified).lower() == "true":
        return email.lower()
    return ""


def _check_domain(email: str) -> None:
    domains = config.allowed_domains()
    if domains and email.rpartition("@")[2] not in domains:
        raise Refused(
            f"{email} is not an address of this organisation, so it cannot sign in here. "
            "Sign in with your work account."
        )


def _check_account(user: User | None) -> User:
    if user is None:
        raise Refused("Your QI Portal account has been removed. Ask a QI admin if you need it back.")
    if not user.is_active:
        raise Refused("Your QI Portal account is disabled. Ask a QI admin if you need it back.")
    if user.is_demo_persona and not settings.DEMO_MODE:
        raise Refused("Demo accounts cannot sign in on this install.")
    return user


def _names(claims: dict) -> dict:
    first = str(claims.get("given_name") or "")[:150]
    last = str(claims.get("family_name") or "")[:150]
    display = str(claims.get("name") or f"{first} {last}".strip())[:150]
    return {"first_name": first, "last_name": last, "display_name": display}


@transaction.atomic
def sign_in(issuer: str, claims: dict) -> User:
    """The account for these (already verified) id-token claims; raises Refused with the reason."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise Refused("The sign-in service did not say who you are.")
    email = claimed_email(claims)
    if not email:
        raise Refused("The sign-in service did not confirm your e-mail address, so QI Portal cannot tell who you are.")
    _check_domain(email)

    # Locks the identity row alone: PostgreSQL refuses FOR UPDATE on the nullable side of the join to users.
    identity = (Identity.objects.select_for_update(of=("self",)).select_related("user")
                .filter(issuer=issuer, subject=subject).first())
    if identity is not None:
        user = _check_account(identity.user)
    else:
        identity, user = _first_sign_in(issuer, subject, email, claims)

    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["last_sign_in_at"])
    mapping = config.group_roles()
    if mapping:
        sync_roles(user, claims.get(settings.SSO_GROUPS_CLAIM) or [], mapping)
    return user


def _first_sign_in(issuer: str, subject: str, email: str, claims: dict) -> tuple[Identity, User]:
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is not None:
        _check_account(user)
        if Identity.objects.filter(issuer=issuer, user=user).exists():
            # The address moved to another person at the provider; linking them would hand over the account.
            raise Refused(
                f"The QI Portal account for {email} is already linked to another sign-in. Ask a QI admin to check it."
            )
    elif not settings.SSO_CREATE_USERS:
        raise Refused(f"There is no QI Portal account for {email}. Ask a QI admin to add you.")
    else:
        user = User(username=_free_username(email), email=email, **_names(claims))
        user.set_unusable_password()  # this person signs in at the provider, never with a portal password
        user.save()
        created = True
    try:
        with transaction.atomic():
            identity = Identity.objects.create(issuer=issuer, subject=subject, user=user, email=email, created=created)
    except IntegrityError as error:  # the same person's second tab signed in a moment earlier
        raise Refused("You were signing in twice at once. Try again.") from error
    log.info("sso: %s %s as %s", "created" if created else "linked", user.username, subject)
    return identity, user


def _free_username(email: str) -> str:
    base = email[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def sync_roles(user: User, groups, mapping: dict[str, str]) -> None:
    """Give the roles the person's groups map to, and take back those a group gave and no longer does."""
    if isinstance(groups, str):
        groups = [groups]
    wanted = {mapping[g] for g in groups if isinstance(g, str) and g in mapping}
    granted = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    held = set(RoleAssignment.objects.filter(user=user, directorate__isnull=True).values_list("role", flat=True))
    for role in sorted(wanted - granted):
        if role not in held:  # a role the QI admin gave by hand stays theirs to take away
            RoleAssignment.objects.create(user=user, role=role)
            RoleGrant.objects.create(user=user, role=role)
            if role == Role.COACH:
                CoachProfile.objects.get_or_create(user=user)
    gone = granted - wanted
    if gone:
        RoleAssignment.objects.filter(user=user, role__in=gone, directorate__isnull=True).delete()
        RoleGrant.objects.filter(user=user, role__in=gone).delete()


def has_any_role(user: User) -> bool:
    return user.is_superuser or RoleAssignment.objects.filter(user=user).exists()


def qi_admins_to_ask():
    """Whom a person without a role should ask: the QI department's admins."""
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.QI_ADMIN)
        .distinct()
        .only("username", "display_name", "first_name", "last_name", "email", "job_title")
        .order_by("display_name", "username")[:10]
    )
