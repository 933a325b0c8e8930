"""The project workspace: the Model for Improvement's three questions, PDSA cycles, monthly progress,
involvement, closure and stories. Everything here hangs off an approved projects.Project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.models import Involvement, Project, ProjectStatus


class AimVersion(models.Model):
    """What are we trying to accomplish? Never edited: a change of aim is a new version."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="aim_versions")
    version = models.PositiveSmallIntegerField()
    what = models.CharField("what will improve", max_length=300)
    how_much = models.CharField("by how much", max_length=200)
    by_when = models.DateField("by when", null=True, blank=True)
    statement = models.TextField("aim statement")
    reason = models.CharField("why the aim changed", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="aim_version_unique_per_project",
                                    violation_error_message=("Someone saved a new version of the aim at the same time: "
                                                             "reload the page and check the latest aim.")),
            models.CheckConstraint(condition=Q(version__gte=1), name="aim_version_starts_at_one",
                                   violation_error_message="Aim versions are numbered from 1.",
                                   violation_error_code="version"),
        ]

    def __str__(self) -> str:
        return self.statement

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Aim versions are a record: change the aim by adding a new version.")
        super().save(*args, **kwargs)


class DriverQuerySet(models.QuerySet):
    def primary(self) -> DriverQuerySet:
        return self.filter(parent__isnull=True)

    def secondary(self) -> DriverQuerySet:
        return self.filter(parent__isnull=False)


class Driver(models.Model):
    """A primary driver (no parent) or a secondary driver (under a primary one)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drivers")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    text = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    objects = DriverQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="driver_not_its_own_parent",
                                   violation_error_message=("A driver cannot sit under itself: choose another primary "
                                                            "driver."),
                                   violation_error_code="parent"),
        ]
        indexes = [models.Index(fields=["project", "parent", "order"], name="driver_tree_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_primary(self) -> bool:
        return self.parent_id is None


class IdeaStatus(models.TextChoices):
    NOT_TESTED = "not_tested", "Not yet tested"
    TESTING = "testing", "Testing"
    ADOPTED = "adopted", "Adopted"
    ADAPTED = "adapted", "Adapted"
    ABANDONED = "abandoned", "Abandoned"


class ChangeIdeaQuerySet(models.QuerySet):
    def tested(self) -> ChangeIdeaQuerySet:
        return self.exclude(status=IdeaStatus.NOT_TESTED)

    def adopted(self) -> ChangeIdeaQuerySet:
        return self.filter(status=IdeaStatus.ADOPTED)


class ChangeIdea(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_ideas")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    secondary_drivers = models.ManyToManyField(Driver, blank=True, related_name="change_ideas")
    order = models.PositiveIntegerField(default=0)
    # Derived from the PDSA cycles by services.refresh_idea_status(); stored so lists and the
    # library can filter on it without reading every cycle.
    status = models.CharField(max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.NOT_TESTED)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChangeIdeaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["project", "order"], name="change_idea_order_idx")]

    def __str__(self) -> str:
        return self.title


class ActDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    ADAPT = "adapt", "Adapt"
    ABANDON = "abandon", "Abandon"


class PDSAQuerySet(models.QuerySet):
    def for_project(self, project) -> PDSAQuerySet:
        return self.filter(change_idea__project=project)

    def decided(self) -> PDSAQuerySet:
        return self.exclude(act_decision="")


class PDSACycle(models.Model):
    """One Plan-Do-Study-Act cycle testing a change idea. Filled in over days, section by section.

    The measures app reads change_idea, number, planned_start, done_on and act_decision
    to annotate charts with the changes tested: keep those names.
    """

    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField()
    builds_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles")
    # Plan
    what = models.TextField("what will we try", blank=True)
    who = models.CharField("who will do it", max_length=300, blank=True)
    planned_start = models.DateField("start")
    planned_end = models.DateField("end", null=True, blank=True)
    where = models.CharField("where", max_length=300, blank=True)
    question = models.TextField("what question are we asking", blank=True)
    prediction = models.TextField("what do we predict will happen", blank=True)
    data_to_collect = models.TextField("what data will we collect", blank=True)
    # Do
    what_happened = models.TextField("what happened", blank=True)
    problems = models.TextField("problems and surprises", blank=True)
    observations = models.TextField("observations", blank=True)
    done_on = models.DateField("done on", null=True, blank=True)
    # Study
    results = models.TextField("what the data show", blank=True)
    learning = models.TextField("what we learnt, against the prediction", blank=True)
    # Act
    act_decision = models.CharField("decision", max_length=8, choices=ActDecision.choices, blank=True)
    next_steps = models.TextField("next steps", blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PDSAQuerySet.as_manager()

    class Meta:
        ordering = ["change_idea", "number"]
        verbose_name = "PDSA cycle"
        constraints = [
            models.UniqueConstraint(fields=["change_idea", "number"], name="pdsa_number_unique_per_idea",
                                    violation_error_message=("This change idea already has a PDSA cycle with this "
                                                             "number."),
                                    violation_error_code="number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="pdsa_number_starts_at_one",
                                   violation_error_message="PDSA cycles are numbered from 1.",
                                   violation_error_code="number"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=models.F("planned_start")),
                name="pdsa_planned_end_after_start",
                violation_error_message="The planned end must be on or after the planned start.",
                violation_error_code="planned_end"),
        ]

    def __str__(self) -> str:
        return f"PDSA {self.number}: {self.change_idea.title}"

    def get_absolute_url(self) -> str:
        return reverse("workspace:cycle", args=[self.pk])

    @property
    def phase(self) -> str:
        """How far the team has got: the first section still empty."""
        if self.act_decision:
            return "complete"
        if self.results or self.learning:
            return "act"
        if self.what_happened or self.done_on:
            return "study"
        if self.what and self.prediction:
            return "do"
        return "plan"

    @property
    def phase_label(self) -> str:
        return {"plan": "Planning", "do": "Doing", "study": "Studying", "act": "Deciding",
                "complete": self.get_act_decision_display()}[self.phase]


# The IHI progress scale, as the organisation uses it for monthly scores.
IHI_SCALE: dict[Decimal, str] = {
    Decimal("0.5"): "Intent to participate",
    Decimal("1.0"): "Charter and team established",
    Decimal("1.5"): "Planning for the project has begun",
    Decimal("2.0"): "Activity, but no changes",
    Decimal("2.5"): "Changes tested, but no improvement",
    Decimal("3.0"): "Modest improvement",
    Decimal("3.5"): "Improvement",
    Decimal("4.0"): "Significant improvement",
    Decimal("4.5"): "Sustainable improvement",
    Decimal("5.0"): "Outstanding sustainable results",
}


def score_meaning(score: Decimal | None) -> str:
    return IHI_SCALE.get(Decimal(score).quantize(Decimal("0.1")), "") if score is not None else ""


class ProgressScoreQuerySet(models.QuerySet):
    def latest_first(self) -> ProgressScoreQuerySet:
        return self.order_by("-month", "-recorded_at", "-pk")

    def effective(self) -> ProgressScoreQuerySet:
        """Only the score that counts for each project and month: the latest recorded."""
        later = ProgressScore.objects.filter(project=models.OuterRef("project"), month=models.OuterRef("month")).filter(
            Q(recorded_at__gt=models.OuterRef("recorded_at"))
            | Q(recorded_at=models.OuterRef("recorded_at"), pk__gt=models.OuterRef("pk")))
        return self.exclude(models.Exists(later))


class ProgressScore(models.Model):
    """A month's progress score. Re-scoring a month adds a row; the latest one counts."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_scores")
    month = models.DateField(help_text="The first day of the month scored.")
    score = models.DecimalField(max_digits=2, decimal_places=1)
    narrative = models.TextField()
    help_needed = models.TextField("help needed from the sponsor", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ProgressScoreQuerySet.as_manager()

    class Meta:
        ordering = ["month", "recorded_at", "pk"]
        indexes = [models.Index(fields=["project", "month", "recorded_at"], name="progress_project_month_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=Decimal("0.5")) & Q(score__lte=Decimal("5.0")),
                                   name="progress_score_on_ihi_scale",
                                   violation_error_message="Choose a score on the IHI scale, from 0.5 to 5.",
                                   violation_error_code="score"),
            models.CheckConstraint(condition=Q(month__day=1), name="progress_month_is_first_day",
                                   violation_error_message=("A progress score is for a whole month: choose the month "
                                                            "(its first day)."),
                                   violation_error_code="month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%b %Y}: {self.score}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Progress scores are a record: re-score the month instead.")
        super().save(*args, **kwargs)

    @property
    def meaning(self) -> str:
        return score_meaning(self.score)


class InvolvementOverride(models.Model):
    """The team's service-user involvement, set by hand with a reason (history kept; the latest counts)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="involvement_overrides")
    # Blank means "back to following the team".
    level = models.CharField(max_length=12, choices=Involvement.choices, blank=True)
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display() or 'Follows the team'}: {self.reason}"


class ClosureOutcome(models.TextChoices):
    AIM_MET = "aim_met", "Completed – aim met"
    AIM_PARTLY_MET = "aim_partly_met", "Completed – aim partly met"
    AIM_NOT_MET = "aim_not_met", "Completed – aim not met"
    STOPPED = "stopped", "Stopped"


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    RETURNED = "returned", "Returned to the team"


class ClosureRequestQuerySet(models.QuerySet):
    def pending(self) -> ClosureRequestQuerySet:
        return self.filter(review_outcome="")

    def confirmed(self) -> ClosureRequestQuerySet:
        return self.filter(review_outcome=ReviewOutcome.CONFIRMED)


class ClosureRequest(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="closure_requests")
    outcome = models.CharField(max_length=16, choices=ClosureOutcome.choices)
    results = models.TextField("results", help_text="What the measures show, in numbers.")
    learning = models.TextField("learning", help_text="What worked, what did not, what you would tell another team.")
    sustain_plan = models.TextField("sustain plan", help_text="Who keeps the changes going, and how you will know.")
    should_spread = models.BooleanField("other teams should try this", default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    objects = ClosureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(review_outcome=""),
                                    name="one_pending_closure_request_per_project",
                                    violation_error_message=("This project already has a closure request waiting for "
                                                             "review."),
                                    violation_error_code="unique"),
            models.CheckConstraint(condition=Q(review_outcome="") | Q(reviewed_at__isnull=False),
                                   name="reviewed_closure_has_review_date",
                                   violation_error_message="A reviewed closure request needs the date it was reviewed.",
                                   violation_error_code="reviewed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_outcome_display()}"

    def get_absolute_url(self) -> str:
        return reverse("workspace:closure_review", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return not self.review_outcome

    @property
    def closes_as(self) -> str:
        return ProjectStatus.STOPPED if self.outcome == ClosureOutcome.STOPPED else ProjectStatus.COMPLETED


class StoryKind(models.TextChoices):
    PATIENT = "patient", "Patient story"
    IMPROVEMENT = "improvement", "Improvement story"


class StoryQuerySet(models.QuerySet):
    def published(self) -> StoryQuerySet:
        return self.filter(published=True)

    def for_list(self) -> StoryQuerySet:
        return self.select_related("project", "project__team", "project__directorate", "created_by")


class Story(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stories")
    kind = models.CharField(max_length=12, choices=StoryKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain language, as you would tell it to a friend.")
    consent_confirmed = models.BooleanField(default=False)
    consent_note = models.CharField(max_length=300, blank=True,
                                    help_text="Who consented, how, and to what (for example: to the home page and "
                                              "the board report).")
    published = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stories"
        # The home page and the board read the newest published stories: walk this index, never sort the table.
        indexes = [models.Index(fields=["-created_at", "-id"], condition=Q(published=True),
                                name="story_published_newest_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(published=False) | Q(consent_confirmed=True),
                                   name="published_story_has_consent",
                                   violation_error_message=("A story can be published only once everyone in it has "
                                                            "agreed to it being shared: confirm their consent, or "
                                                            "leave it unpublished."),
                                   violation_error_code="consent_confirmed"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workspace:story", args=[self.pk])


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)
