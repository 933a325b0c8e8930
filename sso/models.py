"""Who a person is at the provider, and which of their roles the provider's groups gave them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Identity(models.Model):
    """One person at one provider: the provider's never-reassigned subject (`sub`), linked to a portal account.

    The row outlives the account on purpose: when a QI admin deletes a person, `user` becomes empty and
    that subject is refused from then on, instead of being made a fresh account at the next sign-in.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sso_identities"
    )
    email = models.EmailField("e-mail address at first sign-in")
    created = models.BooleanField(help_text="The account was made at this identity's first sign-in (just in time)")
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_subject",
                                    violation_error_message=("This sign-in from the identity provider already belongs "
                                                             "to someone else.")),
            models.UniqueConstraint(fields=["issuer", "user"], name="sso_identity_one_per_user_per_issuer",
                                    violation_error_message=("This person already has a sign-in from this identity "
                                                             "provider.")),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class RoleGrant(models.Model):
    """A role the group mapping gave, so that it is taken away when the group is, and only then.

    Roles a QI admin gives by hand have no grant row and are never touched by sign-in.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_role_grants")
    role = models.CharField(max_length=20)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="sso_role_grant_unique",
                                               violation_error_message=("This person already has this role from the "
                                                                        "identity provider's groups."),
                                               violation_error_code="role")]

    def __str__(self) -> str:
        return f"{self.role} for {self.user_id} from the provider's groups"
