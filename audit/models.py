"""The trust-wide audit log: django-auditlog's entry, with the project a change belongs to and its origin.

Entries are written only by django-auditlog's receivers (see `tracked.py`); nothing in the product edits
or deletes them.
"""

from __future__ import annotations

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models

from .context import current_origin


class AuditEntryQuerySet(models.QuerySet):
    def for_project(self, project_id: int) -> AuditEntryQuerySet:
        return self.filter(project_id=project_id)

    def for_rows(self) -> AuditEntryQuerySet:
        return self.select_related("actor", "content_type").defer("serialized_data")


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    """django-auditlog's manager, filling in the two columns this log adds."""

    def _ours(self, instance: models.Model, kwargs: dict) -> dict:
        from .tracked import project_of

        kwargs.setdefault("project_id", project_of(instance))
        kwargs.setdefault("origin", current_origin())
        return kwargs

    def log_create(self, instance, force_log: bool = False, **kwargs):
        return super().log_create(instance, force_log=force_log, **self._ours(instance, kwargs))

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name,
                                       **self._ours(instance, kwargs))


class AuditEntry(AbstractLogEntry):
    # The project this change is part of (the project itself or its workspace, team, allocations,
    # measures). No database constraint: the entries outlive a deleted project.
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    # "web POST /workspace/3/aim/", "task ops.tasks.nightly", "command seed_demo", "system".
    origin = models.CharField(max_length=200, blank=True)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["project", "-timestamp"], name="audit_project_time_idx"),
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time_idx"),
        ]

    @property
    def by_system(self) -> bool:
        return self.actor_id is None and not self.origin.startswith("web ")
