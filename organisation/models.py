"""People and the organisation: the bottom layer every other app stands on."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify


class DirectorateKind(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health services"
    COMMUNITY_HEALTH = "community_health", "Community health services"
    PRIMARY_CARE = "primary_care", "Primary care"
    CORPORATE = "corporate", "Corporate services"


class Directorate(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=32, choices=DirectorateKind.choices)
    clinical_director = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_director = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)


class TeamKind(models.TextChoices):
    WARD = "ward", "Inpatient ward"
    COMMUNITY = "community", "Community team"
    GP_PRACTICE = "gp_practice", "GP practice"
    CORPORATE = "corporate", "Corporate team"
    OTHER = "other", "Other service"


class TeamQuerySet(models.QuerySet):
    def wards(self) -> TeamQuerySet:
        return self.filter(kind=TeamKind.WARD)


class Team(models.Model):
    """A team or service: a ward, a community team, a GP practice, a corporate team."""

    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=32, choices=TeamKind.choices)
    site = models.CharField(max_length=160, blank=True)
    active = models.BooleanField(default=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "name"], name="team_name_unique_in_directorate",
                                    violation_error_message=("This directorate already has a team with this name: "
                                                             "choose another name, or use the team that exists."),
                                    violation_error_code="name"),
        ]

    def __str__(self) -> str:
        return self.name


class StrategicObjective(models.Model):
    """An objective of the organisation's strategy period (e.g. experience of care)."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    strategy_period = models.CharField(max_length=20, help_text="e.g. 2024–2029")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["strategy_period", "name"], name="objective_unique_in_period",
                                    violation_error_message=("This strategy period already has an objective with this "
                                                             "name: choose another name."),
                                    violation_error_code="name"),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualPriority(models.Model):
    """A priority of one year's annual plan; some are delivered as large-scale QI programmes."""

    year = models.PositiveSmallIntegerField(help_text="The plan year, e.g. 2026 for 2026/27")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    objective = models.ForeignKey(
        StrategicObjective, null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities"
    )
    large_scale_programme = models.BooleanField(
        default=False, help_text="Delivered as a large-scale QI programme (collaborative)"
    )

    class Meta:
        ordering = ["-year", "name"]
        verbose_name_plural = "annual priorities"
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="priority_unique_in_year",
                                    violation_error_message=("This year already has a priority with this name: choose "
                                                             "another name."),
                                    violation_error_code="name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year}/{str(self.year + 1)[-2:]})"


class ExternalOrganisation(models.Model):
    """A partner organisation whose people join project teams (a council, a charity, a GP federation)."""

    name = models.CharField(max_length=160, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LivedExperience(models.TextChoices):
    NONE = "", "Not a service user or carer"
    SERVICE_USER = "service_user", "Service user"
    CARER = "carer", "Carer"


class StaffGroup(models.TextChoices):
    """The NHS staff groups (as the Electronic Staff Record reports them), for training audiences."""

    NONE = "", "Not recorded"
    NURSING = "nursing", "Nursing and midwifery"
    MEDICAL = "medical", "Medical and dental"
    AHP = "ahp", "Allied health professionals"
    SCIENTIFIC = "scientific", "Additional professional scientific and technical"
    CLINICAL_SUPPORT = "clinical_support", "Additional clinical services"
    ADMIN = "admin", "Administrative and clerical"
    ESTATES = "estates", "Estates and ancillary"
    TRAINEE = "trainee", "Trainee doctors"


class QIUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        # Log in by e-mail address or by username, without regard to case.
        return self.get(Q(username__iexact=username) | Q(email__iexact=username))


class User(AbstractUser):
    email = models.EmailField("e-mail address", unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    lived_experience = models.CharField(
        "service user or carer", max_length=20, choices=LivedExperience.choices, blank=True
    )
    external_organisation = models.ForeignKey(
        ExternalOrganisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        help_text="For partners from other organisations",
    )
    staff_number = models.CharField(max_length=20, blank=True, help_text="The staff record's assignment number")
    staff_group = models.CharField(max_length=20, choices=StaffGroup.choices, blank=True)
    left_on = models.DateField("left the organisation on", null=True, blank=True,
                               help_text="Leavers are no longer counted as trained staff")
    is_demo_persona = models.BooleanField(
        default=False, editable=False, help_text="A seed_demo log-in persona; refused outside demo mode"
    )

    objects = QIUserManager()

    class Meta:
        ordering = ["display_name", "username"]
        constraints = [
            models.UniqueConstraint(fields=["staff_number"], condition=~Q(staff_number=""),
                                    name="staff_number_unique",
                                    violation_error_message=("Someone else already has this staff number: check it, or "
                                                             "leave it empty."),
                                    violation_error_code="unique"),
        ]

    def __str__(self) -> str:
        return self.name

    # The fields `name` reads, for queries that load only what a list shows.
    NAME_FIELDS = ("display_name", "first_name", "last_name", "username")

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("organisation:person", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        if self.email == "":
            self.email = None  # unique, so "no e-mail" must be NULL rather than ""
        if self.team_id and not self.directorate_id:
            self.directorate_id = Team.objects.filter(pk=self.team_id).values_list("directorate", flat=True)[0]
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    STAFF = "staff", "Staff member"
    SERVICE_USER = "service_user", "Service user or carer"
    SPONSOR = "sponsor", "QI sponsor"
    COACH = "coach", "QI coach"
    IMPROVEMENT_ADVISOR = "ia", "Improvement Advisor"
    FORUM_CHAIR = "chair", "Forum chair"
    FORUM_CO_CHAIR = "co_chair", "Forum co-chair"
    BOARD = "board", "Board member"
    QI_ADMIN = "qi_admin", "QI department admin"


# Roles held for one directorate; the others are held organisation-wide.
DIRECTORATE_ROLES = (Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR, Role.SPONSOR)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    directorate = models.ForeignKey(
        Directorate, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    since = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["role", "directorate__name"]
        # "Everyone holding role X" (every coach, every IA) is asked on many pages.
        indexes = [models.Index(fields=["role", "user"], name="roleassignment_role_user_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "directorate"],
                condition=Q(directorate__isnull=False),
                name="role_unique_per_directorate",
                violation_error_message="This person already has this role in this directorate.",
                violation_error_code="role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(directorate__isnull=True), name="role_unique_org_wide",
                violation_error_message="This person already has this role across the organisation.",
                violation_error_code="role"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR]) | Q(directorate__isnull=False),
                name="forum_roles_need_directorate",
                violation_error_message=("A forum chair or co-chair chairs one directorate's forum: choose the "
                                         "directorate."),
                violation_error_code="directorate",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.directorate})" if self.directorate_id else ""
        return f"{self.get_role_display()}{where}"


class CoachProfile(models.Model):
    """A QI coach gives 2–4 hours a week to one or two teams, supervised by an Improvement Advisor."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="coach_profile")
    hours_per_week = models.DecimalField(max_digits=3, decimal_places=1, default=2)
    max_teams = models.PositiveSmallIntegerField("maximum concurrent teams", default=2)
    supervisor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_coaches",
        help_text="The Improvement Advisor who supervises this coach monthly",
    )
    accepting_teams = models.BooleanField(default=True)
    trained_on = models.DateField("completed the coaching programme on", null=True, blank=True,
                                  help_text="Set by capability when the coach completes the coaching programme")
    # How many running projects the coach has now. Kept by the coaching app whenever an allocation or a
    # project's status changes (and recounted nightly), so capacity is read, never counted, on each page.
    current_teams = models.PositiveIntegerField(default=0, editable=False)
    # How many cohorts of a course the coach facilitates that are running now (first session held, last
    # still to come). Kept by the capability app when a cohort's facilitators or dates change, and recounted
    # nightly as cohorts start and finish; coaching counts each as part of the coach's load.
    cohorts_facilitated = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=2) & Q(hours_per_week__lte=4), name="coach_hours_2_to_4",
                violation_error_message="A coach gives between 2 and 4 hours a week: enter a number in that range.",
                violation_error_code="hours_per_week"
            ),
            models.CheckConstraint(condition=Q(max_teams__gte=1) & Q(max_teams__lte=6), name="coach_max_teams_1_to_6",
                                   violation_error_message=("A coach takes on between 1 and 6 teams: enter a number in "
                                                            "that range."),
                                   violation_error_code="max_teams"),
        ]

    def __str__(self) -> str:
        return f"Coach {self.user}"
