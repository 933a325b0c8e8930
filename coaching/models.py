"""Who coaches, sponsors and advises each project, over time, and IA supervision of coaches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from projects.models import Project


class AllocationKind(models.TextChoices):
    COACH = "coach", "QI coach"
    SPONSOR = "sponsor", "QI sponsor"
    ADVISOR = "advisor", "Improvement Advisor"


class AllocationQuerySet(models.QuerySet):
    def current(self) -> AllocationQuerySet:
        return self.filter(ended_on__isnull=True)


class Allocation(models.Model):
    """One person in one support role on one project, from a date until a date.

    Changing a coach ends the old row and starts a new one: history is never rewritten.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations")
    kind = models.CharField(max_length=10, choices=AllocationKind.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, help_text="Why: approved at forum, coach left, rebalancing…")
    ended_reason = models.CharField(max_length=300, blank=True)
    capacity_override_reason = models.TextField(
        blank=True, help_text="Recorded when a coach already at capacity was chosen")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["project", "kind", "started_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], condition=Q(ended_on__isnull=True),
                                    name="one_current_allocation_per_kind",
                                    violation_error_message=("Someone already has this role on the project: end their "
                                                             "allocation before allocating someone else."),
                                    violation_error_code="kind"),
        ]
        indexes = [models.Index(fields=["person", "kind"], condition=Q(ended_on__isnull=True),
                                name="current_allocation_person_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person} on {self.project}"


class Supervision(models.Model):
    """The monthly supervision an Improvement Advisor gives a coach."""

    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisions_given")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="supervisions_received")
    date = models.DateField()
    notes = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"Supervision of {self.coach} on {self.date}"
