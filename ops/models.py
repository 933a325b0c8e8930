from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobRunQuerySet(models.QuerySet):
    def succeeded(self) -> JobRunQuerySet:
        return self.filter(status=JobStatus.SUCCEEDED)


class JobRun(models.Model):
    """One run of a background job (the nightly job and its steps), kept as a log."""

    name = models.CharField(max_length=80, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.RUNNING)
    detail = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["name", "status", "-started_at"], name="jobrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Checking the rows"
    READY = "ready", "Checked: waiting for you to confirm"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired: not confirmed in time"


class StagedImport(models.Model):
    """An uploaded file's rows, kept on the server between the preview and the import (ops.tables reads them).

    Every import in the product stages its rows this way: a task checks each row (problems and notes per row,
    progress saved as it goes), the person reads the preview, nothing is saved until they confirm, and a task
    imports the good rows in one transaction. Each import subclasses this with what it imports into."""

    filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    # [{"line", "raw": {...}, ...the importer's cleaned fields..., "problems": [...], "notes": [...]}]
    rows = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def expiry_days(self) -> int:
        return settings.STAGED_IMPORT_DAYS

    @property
    def expires_at(self):
        """When an unconfirmed import is discarded (ops.services.expire_staged_imports, at night)."""
        return self.uploaded_at + timedelta(days=settings.STAGED_IMPORT_DAYS)

    @property
    def valid_rows(self) -> list[dict]:
        return [r for r in self.rows if not r.get("problems")]

    @property
    def problem_rows(self) -> list[dict]:
        return [r for r in self.rows if r.get("problems")]


class HeldTask(models.Model):
    """A background job that could not be handed to the broker (Redis down), kept until it can be.

    `ops.queue` writes one when sending fails; `ops.tasks.send_held` (every minute, from beat) sends them oldest
    first and deletes each once the broker has it. Tasks are safe to run twice, so a job sent just before its
    row was deleted (a crash between the two) costs a repeat, never a loss."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    held_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} held since {self.held_at:%Y-%m-%d %H:%M}"
