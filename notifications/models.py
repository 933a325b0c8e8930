"""What each person has been told, read or not, and what has been mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def awaiting_digest(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True, emailed_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, db_index=True)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # Names the event, so that the same event never notifies a person twice (e.g. "signal:123").
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification was mailed (at once or in a digest), read or not, so none is mailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread_idx")]
        constraints = [models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""),
                                               name="one_notification_per_event")]

    def __str__(self) -> str:
        return self.text
