"""Quality assurance and leadership: executive WalkRounds and the follow-up actions they leave behind.

Executives are the people holding the board role (the board's executive directors do the WalkRounds).
Records are records: an action's status changes are appended as `ActionUpdate` rows, never rewritten.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from organisation.models import Team
from organisation.rules import is_board_member, is_qi_admin
from projects.models import Project


class WalkRoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> WalkRoundQuerySet:
        """Executives and the QI department see every WalkRound; a team sees its own; an action's owner sees
        the WalkRound the action came from."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_qi_admin(user) or is_board_member(user):
            return self
        owned = Action.objects.filter(owner=user, walkround__isnull=False).values("walkround_id")
        return self.filter(Q(team_id=user.team_id) | Q(pk__in=owned)) if user.team_id else self.filter(pk__in=owned)


class WalkRound(models.Model):
    """An executive's visit to a team, with the team's answers to the four open questions."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="walkrounds")
    date = models.DateField()
    executives = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="walkrounds")
    proud_of = models.TextField("what is the team proud of?")
    working_to_improve = models.TextField("what is the team working to improve?")
    getting_in_the_way = models.TextField("what is getting in the way of doing the best it can?")
    taking_care = models.TextField("how is the team taking care of itself?")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WalkRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["team", "-date"], name="walkround_team_date_idx")]

    def __str__(self) -> str:
        return f"WalkRound to {self.team} on {self.date:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("assurance:walkround", args=[self.pk])


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet):
    def still_open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today: dt.date | None = None) -> ActionQuerySet:
        return self.still_open().filter(due__lt=today or timezone.localdate())


class Action(models.Model):
    """A follow-up action with an owner and a due date, shown to the team and the executive until closed."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assurance_actions")
    walkround = models.ForeignKey(WalkRound, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    assessment = models.ForeignKey("Assessment", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assurance_actions")
    due = models.DateField()
    # The current status; every change is an ActionUpdate row (assurance.services.update_action).
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["owner", "due"], condition=Q(status__in=["open", "in_progress"]),
                         name="action_open_owner_due_idx"),
            models.Index(fields=["team", "status"], name="action_team_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "dropped"], closed_on__isnull=False)
                | Q(status__in=["open", "in_progress"], closed_on__isnull=True),
                name="action_closed_on_iff_closed",
                violation_error_message=("A done or dropped action needs the date it was closed; an open or "
                                         "in-progress one has none."),
                violation_error_code="closed_on"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due < (today or timezone.localdate())


class ActionUpdate(models.Model):
    """One change to an action's status, with who made it and why (append-only)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    from_status = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ActionStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or 'new'} → {self.to_status}"


class PlannedWalkRound(models.Model):
    """A WalkRound in an executive's schedule: planned for a week, done when its WalkRound is recorded."""

    executive = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_walkrounds")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="planned_walkrounds")
    week_of = models.DateField(help_text="The Monday of the week planned")
    walkround = models.OneToOneField(WalkRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan")
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["week_of", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(walkround__isnull=True),
                                    name="one_open_plan_per_team",
                                    violation_error_message=("This team already has a walk-round planned: record that "
                                                             "visit, or change its plan."),
                                    violation_error_code="unique"),
        ]

    def __str__(self) -> str:
        return f"{self.executive} to visit {self.team} in the week of {self.week_of:%-d %b %Y}"


class IdeaSource(models.TextChoices):
    IMPROVEMENT = "improvement", "What the team is working to improve"
    BARRIER = "barrier", "What gets in the way"
    AREA = "area", "An area for improvement from accreditation"


class IdeaLink(models.Model):
    """An idea draft started from assurance work, linked back so the next visit shows what became of it."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="assurance_link")
    walkround = models.ForeignKey(WalkRound, null=True, blank=True, on_delete=models.CASCADE, related_name="ideas")
    judgement = models.ForeignKey("Judgement", null=True, blank=True, on_delete=models.CASCADE, related_name="ideas")
    source = models.CharField(max_length=12, choices=IdeaSource.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.project} (from {self.get_source_display().lower()})"


# Service-user-led accreditation


class Award(models.TextChoices):
    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"
    NOT_ACCREDITED = "none", "Not accredited"


class FrameworkQuerySet(models.QuerySet):
    def in_force(self) -> Framework | None:
        """The newest published version: new assessments use it; older ones keep theirs."""
        return self.filter(published_on__isnull=False).order_by("-published_on", "-version").first()


class Framework(models.Model):
    """One version of the accreditation standards that service users and carers chose, with the thresholds
    that turn a count of standards met into an award. Once an assessment has used a version it is frozen:
    a change is a new version (Settings: "Copy as a new version")."""

    name = models.CharField(max_length=120, default="Service-user-led accreditation")
    version = models.PositiveSmallIntegerField()
    published_on = models.DateField(null=True, blank=True, help_text="In force from this date; empty while drafted")
    gold_min_met = models.PositiveSmallIntegerField("standards met for Gold")
    silver_min_met = models.PositiveSmallIntegerField("standards met for Silver")
    bronze_min_met = models.PositiveSmallIntegerField("standards met for Bronze")
    months_valid = models.PositiveSmallIntegerField(
        "months until re-accreditation", default=24, help_text="An award holds this long after the visit")
    months_valid_not_accredited = models.PositiveSmallIntegerField(
        "months until reassessment when not accredited", default=6)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="framework_version_unique",
                                    violation_error_message=("There is already a framework with this name and version: "
                                                             "give this one another version."),
                                    violation_error_code="version"),
            models.CheckConstraint(
                condition=Q(gold_min_met__gte=models.F("silver_min_met"))
                & Q(silver_min_met__gte=models.F("bronze_min_met")) & Q(bronze_min_met__gte=1),
                name="framework_thresholds_ordered",
                violation_error_message=("The award thresholds must rise from bronze to gold: bronze at least 1, "
                                         "silver at least bronze, gold at least silver.")),
        ]

    def __str__(self) -> str:
        return f"{self.name}, version {self.version}"

    def award_for(self, met: int) -> str:
        """Worked out, never typed: the highest award whose threshold the count of standards met reaches."""
        for award, threshold in ((Award.GOLD, self.gold_min_met), (Award.SILVER, self.silver_min_met),
                                 (Award.BRONZE, self.bronze_min_met)):
            if met >= threshold:
                return award
        return Award.NOT_ACCREDITED


class Standard(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    group = models.CharField(max_length=120, help_text="e.g. Welcome and environment; Involvement; Safety")
    code = models.CharField(max_length=12, help_text="e.g. 2.3; kept from version to version")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique_in_version",
                                               violation_error_message=("This version of the framework already has a "
                                                                        "standard with this code."),
                                               violation_error_code="code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class AccreditationRoleKind(models.TextChoices):
    LEAD = "lead", "Accreditation lead"
    ASSESSOR = "assessor", "Service-user or carer assessor"


class AccreditationRole(models.Model):
    """Who runs accreditation (leads, in the QI department) and who assesses (people with lived experience)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accreditation_roles")
    kind = models.CharField(max_length=10, choices=AccreditationRoleKind.choices)
    since = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["kind", "user__display_name"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="accreditation_role_unique",
                                               violation_error_message=("This person already has this accreditation "
                                                                        "role."),
                                               violation_error_code="kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"

    def clean(self) -> None:
        if self.kind == AccreditationRoleKind.ASSESSOR and self.user_id and not self.user.lived_experience:
            raise ValidationError({"user": "Assessors are service users or carers: mark this person's lived "
                                           "experience on their record first."})


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Being assessed"
    PUBLISHED = "published", "Report published"


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class AssessmentQuerySet(models.QuerySet):
    def published(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.PUBLISHED)


class Assessment(models.Model):
    """A visit by service-user and carer assessors to a team, judged against one framework version."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    visit_date = models.DateField()
    assessors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="assessments")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    report = models.TextField("report for the team", blank=True)
    # Worked out when the report is published (assurance.accreditation.publish), never typed.
    met = models.PositiveSmallIntegerField(null=True, blank=True)
    partly = models.PositiveSmallIntegerField(null=True, blank=True)
    not_met = models.PositiveSmallIntegerField(null=True, blank=True)
    award = models.CharField(max_length=8, choices=Award.choices, blank=True)
    due_on = models.DateField("re-accreditation due", null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-visit_date", "-pk"]
        indexes = [models.Index(fields=["team", "status", "-visit_date"], name="assessment_team_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(met__isnull=False) & ~Q(award="") & Q(due_on__isnull=False)),
                name="published_assessment_has_award",
                violation_error_message=("Before it is published, an assessment needs the number of standards met, its "
                                         "award and the date it is due again.")),
        ]

    def __str__(self) -> str:
        return f"Accreditation of {self.team} on {self.visit_date:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("assurance:assessment", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED


class Judgement(models.Model):
    """What the assessors found for one standard, from interviews with staff, service users and carers."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="judgements")
    rating = models.CharField(max_length=8, choices=Rating.choices)
    evidence = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["standard__order", "standard__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "standard"], name="one_judgement_per_standard",
                                               violation_error_message=("This assessment already has a judgement on "
                                                                        "this standard."),
                                               violation_error_code="standard")]

    def __str__(self) -> str:
        return f"{self.standard.code}: {self.get_rating_display()}"


# Quality control: huddles, escalation and the ward's wall board


class BoardLinkQuerySet(models.QuerySet):
    def live(self) -> BoardLinkQuerySet:
        return self.filter(revoked_at__isnull=True)


class BoardLink(models.Model):
    """A read-only link to a team's huddle board for a wall screen: no sign-in, revocable, and the secret is
    shown once when issued (only its hash is kept, like an API token)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="board_links")
    label = models.CharField(max_length=120, help_text="Where the screen is, e.g. “Nurses' station”")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = BoardLinkQuerySet.as_manager()

    class Meta:
        ordering = ["team", "-created_at"]
        constraints = [models.CheckConstraint(condition=Q(revoked_at__isnull=False) | Q(revoked_by__isnull=True),
                                              name="board_link_revoked_by_only_when_revoked",
                                              violation_error_message=("Only a revoked link records who revoked it: "
                                                                       "give the date it was revoked, or clear who "
                                                                       "revoked it."))]

    def __str__(self) -> str:
        return f"{self.team} board ({self.label})"


class Huddle(models.Model):
    """A team's safety huddle: when, how many came, and the issues raised."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="huddles")
    date = models.DateField()
    attendance = models.PositiveSmallIntegerField("how many attended")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["team", "-date"], name="huddle_team_date_idx")]
        constraints = [models.CheckConstraint(condition=Q(attendance__gte=1), name="huddle_attended",
                                              violation_error_message=("A huddle needs at least one person there: "
                                                                       "enter how many attended."),
                                              violation_error_code="attendance")]

    def __str__(self) -> str:
        return f"Huddle of {self.team} on {self.date:%-d %b %Y}"


class IssueOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved locally"
    ESCALATED = "escalated", "Escalated to the directorate"


class HuddleIssue(models.Model):
    huddle = models.ForeignKey(Huddle, on_delete=models.CASCADE, related_name="issues")
    description = models.CharField(max_length=300, help_text="No names or details of patients")
    outcome = models.CharField(max_length=10, choices=IssueOutcome.choices)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class EscalationQuerySet(models.QuerySet):
    def unresolved(self) -> EscalationQuerySet:
        return self.filter(status=EscalationStatus.OPEN)

    def unresolved_since(self, before: dt.datetime) -> EscalationQuerySet:
        return self.unresolved().filter(raised_at__lt=before)


class Escalation(models.Model):
    """An issue a team could not resolve itself, taken to the directorate with an owner until resolved."""

    issue = models.OneToOneField(HuddleIssue, on_delete=models.CASCADE, related_name="escalation")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="escalations")
    directorate = models.ForeignKey("organisation.Directorate", on_delete=models.PROTECT, related_name="escalations")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    status = models.CharField(max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["directorate", "status", "raised_at"], name="escalation_open_idx")]
        constraints = [models.CheckConstraint(
            condition=Q(status="open", resolved_at__isnull=True) | Q(status="resolved", resolved_at__isnull=False),
            name="escalation_resolved_at_iff_resolved",
            violation_error_message="A resolved escalation needs the time it was resolved; an open one has none.",
            violation_error_code="resolved_at")]

    def __str__(self) -> str:
        return f"Escalation from {self.team}: {self.issue}"


class EscalationUpdate(models.Model):
    """One change to an escalation (append-only): its status, its owner, or a note."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="updates")
    to_status = models.CharField(max_length=10, choices=EscalationStatus.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.escalation_id}: {self.to_status}"
