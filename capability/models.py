"""Building improvement capability by "dosing": who needs which course, the courses and their cohorts,
who enrolled and attended, and who completed (worked out from each course's rule, never typed)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ops.models import StagedImport
from organisation.models import Directorate, Role, RoleAssignment, StaffGroup
from projects.models import Project


def leaver_q(prefix: str = "", today: dt.date | None = None) -> Q:
    """People who have left: they keep their record but are no longer counted as trained staff."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": False, f"{prefix}left_on__lte": today}) | Q(**{f"{prefix}is_active": False})


class Audience(models.Model):
    """A group the dosing plan trains, defined by what the product already knows of people: roles, staff
    groups and directorates (each empty list means "any"), and whether they are partners from other
    organisations. Partners are always counted apart from the trust's own staff."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    roles = models.JSONField(default=list, blank=True, help_text="Any of these roles (empty: any role)")
    staff_groups = models.JSONField(default=list, blank=True, help_text="Any of these staff groups (empty: any)")
    directorates = models.ManyToManyField(Directorate, blank=True, related_name="+",
                                          help_text="In one of these directorates (empty: any)")
    lived_experience = models.BooleanField("service users and carers", default=False,
                                           help_text="Only service users and carers")
    partners = models.BooleanField("external partners", default=False,
                                   help_text="People from partner organisations rather than the trust's staff")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)

    def member_q(self, prefix: str = "", *, directorate_ids: list[int] | None = None,
                 today: dt.date | None = None) -> Q:
        """Who is in the audience now (leavers never are), as a filter on people, or with `prefix` on a
        model that points at a person. `directorate_ids` saves a query when the caller has read them."""
        outer = f"{prefix}pk" if prefix else "pk"
        q = ~leaver_q(prefix, today)
        q &= Q(**{f"{prefix}external_organisation__isnull": not self.partners})
        if self.lived_experience:
            q &= ~Q(**{f"{prefix}lived_experience": ""})
        if self.roles:
            q &= Q(Exists(RoleAssignment.objects.filter(user=OuterRef(outer), role__in=self.roles)))
        if self.staff_groups:
            q &= Q(**{f"{prefix}staff_group__in": self.staff_groups})
        if directorate_ids is None:
            directorate_ids = [d.pk for d in self.directorates.all()]
        if directorate_ids:
            q &= Q(**{f"{prefix}directorate_id__in": directorate_ids})
        return q

    def describe(self) -> str:
        parts = []
        if self.roles:
            parts.append(" or ".join(str(Role(r).label) for r in self.roles if r in Role.values))
        if self.staff_groups:
            parts.append(" or ".join(str(StaffGroup(g).label) for g in self.staff_groups if g in StaffGroup.values))
        if self.lived_experience:
            parts.append("service users and carers")
        parts.append("partners from other organisations" if self.partners else "the trust's staff")
        return "; ".join(parts)


class CourseKind(models.TextChoices):
    INTRODUCTION = "introduction", "Introduction"
    LEADERS = "leaders", "Improvement Leaders' Programme"
    COACH = "coach", "Coaching programme"
    SPONSOR = "sponsor", "Sponsor course"
    ADVISOR = "advisor", "Improvement Advisor programme"
    BOARD = "board", "Executives and board"
    SERVICE_USER = "service_user", "Service user and carer introduction"
    TRAINEE = "trainee", "Trainee doctors"
    REFRESHER = "refresher", "Refresher"


class CourseQuerySet(models.QuerySet):
    def open(self) -> CourseQuerySet:
        return self.filter(active=True)


class Course(models.Model):
    """A course of the dosing plan. Its completion rule is data: attend at least `min_sessions` of its
    sessions and, when `requires_project`, present the project brought."""

    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=CourseKind.choices)
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="courses",
                                 help_text="Whom the course is for")
    summary = models.TextField(blank=True)
    length = models.CharField(max_length=120, help_text="e.g. one day, or one day a month for five months")
    sessions = models.PositiveSmallIntegerField(default=1, help_text="Sessions (days) in a cohort")
    min_sessions = models.PositiveSmallIntegerField("sessions to attend to complete", default=1)
    requires_project = models.BooleanField("presents a project to complete", default=False,
                                           help_text="Participants bring a QI project and present it")
    refresher_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="refreshers", help_text="A refresher for this course's graduates")
    active = models.BooleanField("open", default=True, help_text="Shown to people and open for enrolment")

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["audience__order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_sessions__gte=1) & Q(min_sessions__lte=models.F("sessions")),
                                   name="course_rule_within_sessions",
                                   violation_error_message=("The sessions needed to complete the course must be at "
                                                            "least 1 and no more than the course's sessions."),
                                   violation_error_code="min_sessions"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:160]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("capability:course", args=[self.slug])

    @property
    def rule(self) -> str:
        words = (f"attend all {self.sessions} sessions" if self.min_sessions == self.sessions
                 else f"attend at least {self.min_sessions} of {self.sessions} sessions")
        return words + (" and present a project" if self.requires_project else "")

    @property
    def makes_coaches(self) -> bool:
        return self.kind == CourseKind.COACH


class DoseTarget(models.Model):
    """One line of the dosing plan: how many of an audience a course should have trained by a year's end,
    as a number of people or a share of the audience (one or the other)."""

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="targets")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(help_text="Trained by the end of this year")
    target_number = models.PositiveIntegerField(null=True, blank=True)
    target_share = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True,
                                       help_text="A share of the audience, 0–1 (0.25 is a quarter)")

    class Meta:
        ordering = ["audience__order", "course__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "course", "year"], name="one_dose_target_a_year",
                                    violation_error_message=("There is already a target for this audience, course and "
                                                             "year: change that target instead.")),
            models.CheckConstraint(condition=Q(target_number__isnull=False, target_share__isnull=True)
                                   | Q(target_number__isnull=True, target_share__isnull=False),
                                   name="dose_target_number_or_share",
                                   violation_error_message=("Give the target as a number of people or as a share of "
                                                            "the audience, not both.")),
            models.CheckConstraint(condition=Q(target_share__isnull=True)
                                   | (Q(target_share__gt=0) & Q(target_share__lte=1)),
                                   name="dose_target_share_0_to_1",
                                   violation_error_message=("A share is more than 0 and no more than 1 (1 is everyone "
                                                            "in the audience)."),
                                   violation_error_code="target_share"),
        ]

    def __str__(self) -> str:
        return f"{self.course} for {self.audience} by {self.year}"

    def needed(self, audience_size: int) -> int:
        if self.target_number is not None:
            return self.target_number
        return math.ceil(self.target_share * audience_size)


class CohortQuerySet(models.QuerySet):
    def facilitated_by(self, user) -> CohortQuerySet:
        return self.filter(facilitators=user)

    def running(self, today: dt.date | None = None) -> CohortQuerySet:
        """Cohorts under way: the first session has come and the last is today or still to come. A cohort
        with no sessions planned has not started."""
        today = today or timezone.localdate()
        sessions = Session.objects.filter(cohort=OuterRef("pk"))
        return self.filter(Exists(sessions.filter(date__lte=today)), Exists(sessions.filter(date__gte=today)))


class Cohort(models.Model):
    """One run of a course (a wave of the Improvement Leaders' Programme): its sessions, where, how many
    places, who facilitates it, and its waiting list."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120, help_text="e.g. Wave 8")
    venue = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField(help_text="Places; further people join the waiting list")
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cohorts_facilitated")
    open_for_enrolment = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["course", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="cohort_name_unique_in_course",
                                    violation_error_message=("The course already has a cohort with this name: choose "
                                                             "another name."),
                                    violation_error_code="name"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive",
                                   violation_error_message="A cohort needs at least one place.",
                                   violation_error_code="capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("capability:cohort", args=[self.pk])

    @property
    def where(self) -> str:
        return "Online" if self.online and not self.venue else (
            f"{self.venue} and online" if self.online else self.venue or "Venue to be confirmed")


class Session(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="session_set")
    number = models.PositiveSmallIntegerField()
    date = models.DateField()

    class Meta:
        ordering = ["cohort", "number"]
        constraints = [models.UniqueConstraint(fields=["cohort", "number"], name="session_number_unique",
                                               violation_error_message=("The cohort already has a session with this "
                                                                        "number."),
                                               violation_error_code="number")]

    def __str__(self) -> str:
        return f"Session {self.number} ({self.date:%-d %b %Y})"


class Route(models.TextChoices):
    SELF = "self", "Enrolled themselves"
    MANAGER = "manager", "Nominated by their manager"
    FORUM = "forum", "Nominated by their forum"
    QI_DEPARTMENT = "qi", "Enrolled by the QI department"
    IMPORT = "import", "From the learning and development system"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    WAITING = "waiting", "On the waiting list"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EnrolmentQuerySet(models.QuerySet):
    def completed(self) -> EnrolmentQuerySet:
        return self.filter(completed_on__isnull=False)

    def placed(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.ENROLLED)


class Enrolment(models.Model):
    """A person on a cohort. `completed_on` is worked out by capability.services from the course's rule
    and the attendance recorded; no form ever offers it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.SELF)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    created_at = models.DateTimeField(default=timezone.now)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="training_enrolments", help_text="The QI project the person brings")
    not_aligned_reason = models.TextField(blank=True,
                                          help_text="Why the project brought is not aligned to a priority")
    presented_on = models.DateField(null=True, blank=True, help_text="When the project was presented")
    completed_on = models.DateField(null=True, blank=True, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "person"], name="one_enrolment_per_cohort",
                                               violation_error_message="This person is already on this cohort.",
                                               violation_error_code="person")]
        indexes = [models.Index(fields=["completed_on"], condition=Q(completed_on__isnull=False),
                                name="enrolment_completed_idx")]

    def __str__(self) -> str:
        return f"{self.person} on {self.cohort}"


class EnrolmentEvent(models.Model):
    """What happened to an enrolment, in order: a record, never rewritten."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITING = "waiting", "Joined the waiting list"
        PROMOTED = "promoted", "Given a place from the waiting list"
        WITHDRAWN = "withdrawn", "Withdrew"
        PROJECT = "project", "Linked a project"
        PRESENTED = "presented", "Presented their project"
        COMPLETED = "completed", "Completed the course"
        UNCOMPLETED = "uncompleted", "No longer meets the completion rule"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class Attendance(models.Model):
    """Whether a person attended one session, as recorded (by hand or from the L&D system's export)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    imported = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="one_attendance_a_session",
                                               violation_error_message=("This person's attendance at this session is "
                                                                        "already recorded."),
                                               violation_error_code="session")]

    def __str__(self) -> str:
        return f"{self.enrolment.person} {'attended' if self.attended else 'absent'} {self.session}"


class ProposalOutcome(models.TextChoices):
    ADDED = "added", "Added to the coach pool"
    DECLINED = "declined", "Not added"


class CoachProposalQuerySet(models.QuerySet):
    def open(self) -> CoachProposalQuerySet:
        return self.filter(outcome="")


class CoachProposal(models.Model):
    """Completing the coaching programme proposes the graduate for the coach pool; the QI department
    decides once, with a profile prefilled from what the course knows. The decision is a record."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="coach_proposal")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_proposals")
    proposed_at = models.DateTimeField(default=timezone.now)
    suggested_supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+",
                                             help_text="An Improvement Advisor who facilitated the cohort")
    outcome = models.CharField(max_length=10, choices=ProposalOutcome.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    objects = CoachProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [models.CheckConstraint(condition=Q(outcome="") | Q(decided_at__isnull=False),
                                              name="coach_proposal_decided_with_date",
                                              violation_error_message=("A decided proposal needs the date it was "
                                                                       "decided."),
                                              violation_error_code="decided_at")]

    def __str__(self) -> str:
        return f"{self.person} for the coach pool"


class AttendanceImport(StagedImport):
    """A learning and development system's export of attendance for one course, staged between the preview
    and the import. Each row also holds "person_id", "cohort_id", "session_ids", "attended", "enrol"."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="imports")
    enrolled_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    completed_count = models.PositiveIntegerField(default=0)

    class Meta(StagedImport.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("capability:import_batch", args=[self.pk])
