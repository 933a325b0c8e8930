"""What each person has been told, read or not, and what has been mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .kinds import Delivery


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def awaiting_digest(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True, emailed_at__isnull=True, email_wanted=False)

    def email_due(self, stale_before) -> NotificationQuerySet:
        """Wanted by e-mail at once and not sent yet: never claimed, or claimed by a send that never finished."""
        return self.filter(email_wanted=True, emailed_at__isnull=True).filter(
            Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale_before))


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, db_index=True)
    text = models.CharField(max_length=300)
    # The longer story an e-mail tells (a decision's reasons, an allocation's), as plain text.
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Names the event, so that the same event never notifies a person twice (e.g. "signal:123").
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification was mailed (at once or in a digest), read or not, so none is mailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The person wants this kind by e-mail at once: it stays due until a send succeeds (tried again after a
    # refusal, an outage or a worker that died mid-send), so none is lost.
    email_wanted = models.BooleanField(default=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread_idx"),
                   models.Index(fields=["created_at"], condition=Q(email_wanted=True, emailed_at__isnull=True),
                                name="notice_email_due_idx")]
        constraints = [models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""),
                                               name="one_notification_per_event",
                                               violation_error_message="This person has already been told about this.")]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """How a person wants to hear of one kind of notice (kinds.Delivery); no row: the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind",
                                               violation_error_message=("This person already has a preference for this "
                                                                        "kind of notification."),
                                               violation_error_code="kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"
