"""Directorate QI forums, their monthly meetings, agendas, decisions, minutes and attendance."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from organisation.models import Directorate
from projects.models import Project, ProjectMember, ProjectStatus


class Forum(models.Model):
    """One QI forum per directorate, meeting monthly on a rule such as 'the second Tuesday'."""

    class Week(models.IntegerChoices):
        FIRST = 1, "first"
        SECOND = 2, "second"
        THIRD = 3, "third"
        FOURTH = 4, "fourth"
        LAST = -1, "last"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    directorate = models.OneToOneField(Directorate, on_delete=models.CASCADE, related_name="forum")
    name = models.CharField(max_length=160)
    week_of_month = models.SmallIntegerField(choices=Week.choices, default=Week.SECOND)
    weekday = models.SmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    starts_at = models.TimeField(default=dt.time(14, 0))
    location = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="forums")
    reminder_days = models.PositiveSmallIntegerField(default=3, help_text="E-mail the chair this many days before")

    class Meta:
        ordering = ["directorate__name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:forum", args=[self.pk])

    @property
    def rule_text(self) -> str:
        return f"the {self.get_week_of_month_display()} {self.get_weekday_display()} of each month"

    def date_in_month(self, year: int, month: int) -> dt.date:
        weeks = calendar.monthcalendar(year, month)
        days = [week[self.weekday] for week in weeks if week[self.weekday]]
        day = days[-1] if self.week_of_month == -1 else days[self.week_of_month - 1]
        return dt.date(year, month, day)

    def meeting_date_on_or_after(self, day: dt.date) -> dt.date:
        year, month = day.year, day.month
        while True:
            candidate = self.date_in_month(year, month)
            if candidate >= day:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, today: dt.date) -> MeetingQuerySet:
        return self.filter(date__gte=today).order_by("date")

    def past(self, today: dt.date) -> MeetingQuerySet:
        return self.filter(date__lt=today).order_by("-date")


class Meeting(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    starts_at = models.TimeField()
    location = models.CharField(max_length=200, blank=True)
    minutes = models.TextField(blank=True)
    minutes_updated_at = models.DateTimeField(null=True, blank=True)
    minutes_updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "date"]
        constraints = [models.UniqueConstraint(fields=["forum", "date"], name="one_meeting_per_forum_per_day",
                                               violation_error_message=("This forum already meets on this day: choose "
                                                                        "another date, or use that meeting."),
                                               violation_error_code="date")]

    def __str__(self) -> str:
        return f"{self.forum.name}, {self.date:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("forums:meeting", args=[self.pk])


class AgendaKind(models.TextChoices):
    NEW = "new", "New idea"
    RESUBMITTED = "resubmitted", "Returned and resubmitted"
    DEFERRED = "deferred", "Deferred from an earlier meeting"
    STALE = "stale", "Progress needs attention"
    CLOSURE = "closure", "Closure request"
    SIGNAL = "signal", "New signal in the data"
    PROGRAMME = "programme", "Joined an improvement programme (for information)"


DECIDABLE_KINDS = (AgendaKind.NEW, AgendaKind.RESUBMITTED, AgendaKind.DEFERRED)


class AgendaItemQuerySet(models.QuerySet):
    def for_agenda(self) -> AgendaItemQuerySet:
        """Everything a forum reads about each idea, in a fixed number of queries however long the agenda.

        Drafts never reach an agenda; the filter makes sure one never shows even if a row is left behind.
        """
        return self.for_agenda_list().prefetch_related(*case_prefetches())

    def for_agenda_list(self) -> AgendaItemQuerySet:
        """The agenda without each idea's case (team, alignment, history): see forums.cases for those."""
        return (self.exclude(project__status=ProjectStatus.DRAFT)
                .select_related("project", "project__team", "project__lead", "decision",
                                "decision__decided_by", "decision__coach", "decision__sponsor",
                                "decision__advisor")
                .order_by("added_at", "pk"))


def case_prefetches(prefix: str = "project__") -> list:
    """What an idea's case (forums/_idea.html) reads beyond the project row, from items (or, with
    prefix="", from projects)."""
    history = Decision.objects.select_related("meeting", "decided_by").order_by("decided_at")
    members = ProjectMember.objects.filter(left_on__isnull=True).select_related("person")
    return [f"{prefix}objectives", f"{prefix}priorities",
            models.Prefetch(f"{prefix}decisions", queryset=history, to_attr="history"),
            models.Prefetch(f"{prefix}members", queryset=members, to_attr="current_members")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(max_length=12, choices=AgendaKind.choices)
    note = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "kind", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "project", "kind"], name="agenda_item_once_per_meeting",
                                    violation_error_message=("This project is already on the meeting's agenda for the "
                                                             "same reason."),
                                    violation_error_code="project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.project}"

    @property
    def is_decidable(self) -> bool:
        return self.kind in DECIDABLE_KINDS

    @property
    def awaits_decision(self) -> bool:
        """Undecided here, and the idea still waits for the forum (not decided at another meeting since)."""
        return (self.is_decidable and getattr(self, "decision", None) is None
                and self.project.status == ProjectStatus.SUBMITTED)

    @property
    def earlier_decisions(self) -> list:
        """Decisions on the same idea at other agenda items (needs AgendaItem.objects.for_agenda())."""
        return [d for d in getattr(self.project, "history", []) if d.item_id != self.pk]


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    RETURN = "return", "Return for more work"
    DECLINE = "decline", "Decline"
    DEFER = "defer", "Defer to the next meeting"


class Decision(models.Model):
    """A forum's decision on an idea: who, when, why, at which meeting. Never edited."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rationale = models.TextField(help_text="Feedback for the team, the reason, or a note")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    coach_override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="approve") | (Q(coach__isnull=False) & Q(sponsor__isnull=False)),
                name="approval_allocates_coach_and_sponsor",
                violation_error_message="Approving an idea allocates its coach and its sponsor: choose both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.project}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Forum decisions are records: they are never edited.")
        super().save(*args, **kwargs)

    @property
    def verdict(self) -> str:
        """The outcome as the forum's record reads: 'Approved', 'Returned for more work'..."""
        return {Outcome.APPROVE: "Approved", Outcome.RETURN: "Returned for more work",
                Outcome.DECLINE: "Declined", Outcome.DEFER: "Deferred"}[self.outcome]


class Attendance(models.Model):
    class AttendanceRole(models.TextChoices):
        CHAIR = "chair", "Chair"
        CO_CHAIR = "co_chair", "Co-chair"
        MEMBER = "member", "Member"
        PRESENTER = "presenter", "Presenting a project"
        GUEST = "guest", "Guest"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=AttendanceRole.choices, default=AttendanceRole.MEMBER)
    present = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "person__display_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting",
                                               violation_error_message=("This person is already recorded at this "
                                                                        "meeting."),
                                               violation_error_code="person")]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"
