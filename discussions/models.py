"""Comments: part of the record of what they are on, so never edited or deleted from the product."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def on(self, obj: models.Model) -> CommentQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=obj.pk)


class Comment(models.Model):
    # The object the thread is on, as "app_label.model" and its id (discussions.targets names the models).
    target_type = models.CharField(max_length=100)
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=4000)
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="comment_thread_idx")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.target_type} {self.target_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A comment is part of the record: it is never edited.")
        super().save(*args, **kwargs)
