"""QI projects, from a staff idea to closure, and the history of everything that happened to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from organisation.models import AnnualPriority, Directorate, ExternalOrganisation, StrategicObjective, Team, User
from organisation.rules import is_qi_admin


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting forum"
    RETURNED = "returned", "Returned for more work"
    DECLINED = "declined", "Declined"
    ACTIVE = "active", "Active"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


# Statuses in which the idea is still only the team's own business.
PRIVATE_STATUSES = (ProjectStatus.DRAFT,)
OPEN_IDEA_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.RETURNED)
APPROVED_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED, ProjectStatus.COMPLETED,
                     ProjectStatus.STOPPED)

# Every move the workflow allows. projects.services.transition() refuses any other.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ProjectStatus.DRAFT: {ProjectStatus.SUBMITTED},
    ProjectStatus.SUBMITTED: {ProjectStatus.ACTIVE, ProjectStatus.RETURNED, ProjectStatus.DECLINED},
    ProjectStatus.RETURNED: {ProjectStatus.SUBMITTED},
    ProjectStatus.DECLINED: set(),
    ProjectStatus.ACTIVE: {ProjectStatus.CLOSURE_REQUESTED, ProjectStatus.STOPPED},
    ProjectStatus.CLOSURE_REQUESTED: {ProjectStatus.COMPLETED, ProjectStatus.STOPPED, ProjectStatus.ACTIVE},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.STOPPED: set(),
}


class Involvement(models.TextChoices):
    NONE = "none", "None"
    OCCASIONAL = "occasional", "Occasional (consulted at points)"
    FULL = "full", "Full partners in the team"


class Stage(models.TextChoices):
    """The organisation's sequence of improvement, for approved projects."""

    UNDERSTAND = "understand", "Understanding the problem"
    STRATEGY = "strategy", "Developing strategy and change ideas"
    TEST = "test", "Testing changes"
    IMPLEMENT = "implement", "Implementing"
    SUSTAIN = "sustain", "Sustaining and spreading"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """Drafts are private to their team (and QI admins); everything else is open to all staff."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_qi_admin(user):
            return self
        return self.filter(~Q(status=ProjectStatus.DRAFT) | _involving(user))

    def awaiting_forum(self) -> ProjectQuerySet:
        return self.filter(status=ProjectStatus.SUBMITTED)

    def approved(self) -> ProjectQuerySet:
        return self.filter(status__in=APPROVED_STATUSES)

    def active(self) -> ProjectQuerySet:
        return self.filter(status__in=(ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED))

    def involving(self, user) -> ProjectQuerySet:
        """Projects the person leads, started, or is on the team of."""
        return self.filter(_involving(user))

    def aligned(self) -> ProjectQuerySet:
        return self.filter(Q(objectives__isnull=False) | Q(priorities__isnull=False)).distinct()

    def for_list(self) -> ProjectQuerySet:
        return self.select_related("team", "directorate", "lead", "coach", "sponsor")

    def for_rows(self) -> ProjectQuerySet:
        """Only the columns a row of the project list shows. A fifth of `for_list`'s columns: PostgreSQL
        spent longer planning the full-width query across six tables than running it."""
        people = [f"{rel}__{name}" for rel in ("lead", "coach") for name in User.NAME_FIELDS]
        return self.select_related("team", "directorate", "lead", "coach").only(
            "title", "status", "stage", "updated_at", "team__name", "directorate__name", *people)


def _involving(user) -> Q:
    """Leads, started, or is on the team of. The team memberships are read first (an indexed lookup), so
    the three branches are index scans the database can OR together; an EXISTS inside the OR made it scan
    every project."""
    on_team = list(ProjectMember.objects.filter(person=user, left_on__isnull=True)
                   .values_list("project_id", flat=True))
    return led_or_started(user) | Q(pk__in=on_team)


def led_or_started(user) -> Q:
    return Q(lead=user) | Q(created_by=user)


class Project(models.Model):
    title = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects")
    # Copied from the team on save: lists and forums filter by it constantly.
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="projects", editable=False)
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT,
                              db_index=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)

    problem = models.TextField("the problem", help_text="What is happening now, for whom, and how do you know?")
    why_it_matters = models.TextField("why it matters", help_text="Whose voice says so: staff, service users, carers?")
    matters_to_staff = models.BooleanField("matters to staff", default=False)
    matters_to_service_users = models.BooleanField("matters to service users", default=False)
    matters_to_carers = models.BooleanField("matters to carers", default=False)
    aim_what = models.CharField("aim: what will improve", max_length=300)
    aim_how_much = models.CharField("aim: by how much", max_length=200)
    aim_by_when = models.DateField("aim: by when", null=True, blank=True)

    # The three conditions the organisation sets before a forum will consider an idea.
    condition_matters_most = models.BooleanField(default=False)
    condition_team_agreed = models.BooleanField(default=False)
    condition_whole_team = models.BooleanField(default=False)

    objectives = models.ManyToManyField(StrategicObjective, blank=True, related_name="projects")
    priorities = models.ManyToManyField(AnnualPriority, blank=True, related_name="projects")
    involvement = models.CharField("planned service-user involvement", max_length=12, choices=Involvement.choices,
                                   default=Involvement.NONE)

    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The current allocation; coaching.Allocation keeps its history.
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="coached_projects")
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sponsored_projects")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="advised_projects", verbose_name="Improvement Advisor")

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["directorate", "status"], name="project_dir_status_idx"),
            models.Index(fields=["status", "-updated_at"], name="project_status_updated_idx"),
            # The project list's default order, read a page at a time.
            models.Index(fields=["-updated_at"], name="project_updated_idx"),
        ]
        constraints = [
            # An approved, running project always has a coach and a sponsor (the forum allocates both).
            models.CheckConstraint(
                condition=~Q(status__in=[ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED])
                | (Q(coach__isnull=False) & Q(sponsor__isnull=False)),
                name="active_project_has_coach_and_sponsor",
                violation_error_message=("An approved project needs a coach and a sponsor: the forum allocates both "
                                         "when it approves the idea."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.team_id and (not self.directorate_id or self._team_changed()):
            self.directorate_id = Team.objects.values_list("directorate_id", flat=True).get(pk=self.team_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def _team_changed(self) -> bool:
        if not self.pk:
            return True
        return not Project.objects.filter(pk=self.pk, team_id=self.team_id).exists()

    @property
    def aim_statement(self) -> str:
        when = f" by {self.aim_by_when:%-d %B %Y}" if self.aim_by_when else ""
        return f"{self.aim_what.rstrip('.')} {self.aim_how_much}{when}".strip()

    @property
    def conditions_met(self) -> bool:
        return self.condition_matters_most and self.condition_team_agreed and self.condition_whole_team

    @property
    def is_draft(self) -> bool:
        return self.status == ProjectStatus.DRAFT

    @property
    def is_editable_idea(self) -> bool:
        return self.status in OPEN_IDEA_STATUSES

    @property
    def matters_to(self) -> list[str]:
        return [label for flag, label in ((self.matters_to_staff, "staff"),
                                          (self.matters_to_service_users, "service users"),
                                          (self.matters_to_carers, "carers")) if flag]


class MemberRole(models.TextChoices):
    LEAD = "lead", "Project lead"
    MEMBER = "member", "Team member"
    SERVICE_USER = "service_user", "Service user"
    CARER = "carer", "Carer"
    PARTNER = "partner", "External partner"


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = models.ForeignKey(ExternalOrganisation, null=True, blank=True, on_delete=models.SET_NULL)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], condition=Q(left_on__isnull=True),
                                    name="one_current_membership_per_person",
                                    violation_error_message="This person is already on the project's team.",
                                    violation_error_code="person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class EventKind(models.TextChoices):
    STATUS = "status", "Status change"
    DECISION = "decision", "Forum decision"
    ALLOCATION = "allocation", "Coach and sponsor"
    NOTE = "note", "Note"


class ProjectEvent(models.Model):
    """The project's history: every status change, forum decision and allocation, never edited.

    Upper apps (forums, coaching) write here through projects.services so that
    the project page can show one timeline without importing them.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    from_status = models.CharField(max_length=20, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ProjectStatus.choices, blank=True)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Project history is a record: events are never edited.")
        super().save(*args, **kwargs)
