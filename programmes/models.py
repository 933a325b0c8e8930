"""Large-scale improvement programmes (collaboratives): many teams on one topic with shared measures, a shared
theory of change, learning sessions and a change package. Everything a team does still lives in its own
project; this app links projects, their measures and change ideas to the programme (measures and workspace never
import it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from measures.models import ChartType, Improvement, Measure, MeasureType, Period
from organisation.models import AnnualPriority, ExternalOrganisation, StrategicObjective, Team
from organisation.rules import is_qi_admin
from projects.models import Project
from workspace.models import ChangeIdea


class Stage(models.TextChoices):
    SCOPE = "scope", "Scope"
    DESIGN = "design", "Design"
    RECRUIT = "recruit", "Recruit"
    DELIVER = "deliver", "Deliver"
    EVALUATE = "evaluate", "Evaluate"


STAGE_ORDER = [s.value for s in Stage]
# programmes.services.move_stage() refuses any other move. One step back is allowed (a plan that was not ready).
ALLOWED_MOVES: dict[str, set[str]] = {
    Stage.SCOPE: {Stage.DESIGN},
    Stage.DESIGN: {Stage.RECRUIT, Stage.SCOPE},
    Stage.RECRUIT: {Stage.DELIVER, Stage.DESIGN},
    Stage.DELIVER: {Stage.EVALUATE},
    Stage.EVALUATE: set(),
}


class Evaluation(models.TextChoices):
    AIM_MET = "aim_met", "Aim met"
    AIM_PARTLY_MET = "aim_partly_met", "Aim partly met"
    AIM_NOT_MET = "aim_not_met", "Aim not met"


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgrammeQuerySet:
        """A programme being scoped is a draft: its lead, its executive sponsors and the QI department see it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_qi_admin(user):
            return self
        return self.filter(~Q(stage=Stage.SCOPE) | Q(lead=user) | Q(pk__in=ExecutiveSponsor.objects.filter(
            person=user).values("programme_id")))

    def with_counts(self) -> ProgrammeQuerySet:
        """What the list shows of each: teams enrolled and the next learning session, in the same query."""
        upcoming = LearningSession.objects.filter(programme=models.OuterRef("pk"), date__gte=timezone.localdate())
        return self.annotate(
            teams=models.Count("enrolments", distinct=True),
            next_session=models.Subquery(upcoming.order_by("date").values("date")[:1]))


class Programme(models.Model):
    title = models.CharField(max_length=200, unique=True)
    topic = models.CharField(max_length=200, help_text="In a few words, e.g. reducing violence and aggression.")
    priority = models.ForeignKey(AnnualPriority, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="programmes", verbose_name="annual priority")
    objective = models.ForeignKey(StrategicObjective, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="programmes", verbose_name="strategic objective")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_programmes",
                             verbose_name="programme lead")
    problem = models.TextField("problem statement", blank=True)
    baseline = models.TextField("baseline data", blank=True, help_text="What the data show now, with numbers.")
    aim = models.CharField("aim", max_length=300, blank=True, help_text="How much, by when.")
    planned_teams = models.PositiveSmallIntegerField("teams planned", default=0)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.SCOPE)
    # Evaluation (the evaluate stage).
    outcome = models.CharField("aim met?", max_length=16, blank=True, choices=Evaluation.choices)
    learning = models.TextField("what the programme learnt", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.stage == Stage.SCOPE

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)


class ExecutiveSponsor(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="executive_sponsors")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "person"], name="executive_sponsor_once",
                                               violation_error_message=("This person is already an executive sponsor "
                                                                        "of the programme."),
                                               violation_error_code="person")]

    def __str__(self) -> str:
        return str(self.person)


class StageMove(models.Model):
    """A programme's history: every move between stages, never edited."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="moves")
    from_stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A programme's history is a record: moves are never edited.")
        super().save(*args, **kwargs)


class ProgrammeDriver(models.Model):
    """The programme's theory of change, drawn the way a project's driver diagram is."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="drivers")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    text = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class PackageIdea(models.Model):
    """A change idea of the programme's change package (a change idea of its driver diagram)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="package_ideas")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    drivers = models.ManyToManyField(ProgrammeDriver, blank=True, related_name="package_ideas")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "title"], name="package_idea_title_once",
                                               violation_error_message=("The change package already has an idea with "
                                                                        "this title: choose another title."),
                                               violation_error_code="title")]

    def __str__(self) -> str:
        return self.title


class PackageLink(models.Model):
    """A team's own change idea (and so its PDSA cycles) tested as one of the package's ideas."""

    package_idea = models.ForeignKey(PackageIdea, on_delete=models.CASCADE, related_name="links")
    change_idea = models.ForeignKey(ChangeIdea, on_delete=models.CASCADE, related_name="package_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package_idea", "change_idea"], name="package_link_once",
                                               violation_error_message=("This change idea is already linked to this "
                                                                        "idea of the change package."),
                                               violation_error_code="change_idea")]

    def __str__(self) -> str:
        return f"{self.change_idea} as {self.package_idea}"


class MeasureTemplate(models.Model):
    """A standard measure of the measurement plan: every enrolled team gets its own measure made from it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=200)
    definition = models.TextField("operational definition")
    measure_type = models.CharField(max_length=10, choices=MeasureType.choices, default=MeasureType.OUTCOME)
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.MONTH)
    chart_type = models.CharField(max_length=4, choices=ChartType.choices, default=ChartType.RUN)
    numerator = models.TextField(blank=True)
    denominator = models.TextField(blank=True)
    improvement = models.CharField("direction of improvement", max_length=8, choices=Improvement.choices,
                                   default=Improvement.DECREASE)
    target = models.FloatField(null=True, blank=True, help_text="In the units shown on the chart.")
    unit = models.CharField(max_length=40, blank=True)
    multiplier = models.FloatField(default=1, help_text="1000 for “per 1,000”, 100 for %.")
    counts_events = models.BooleanField("counts events", default=False,
                                        help_text="The safety table shows the time since the last event.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="template_name_once_per_programme",
                                    violation_error_message="The measurement plan already has a measure of that name.",
                                    violation_error_code="name"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="template_multiplier_positive",
                                   violation_error_message=("The multiplier must be more than 0: 1 shows values as "
                                                            "they are, 100 as a percentage, 1000 per 1,000."),
                                   violation_error_code="multiplier"),
        ]

    def __str__(self) -> str:
        return self.name


class Wave(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="wave_number_once",
                                               violation_error_message=("The programme already has a wave with this "
                                                                        "number."),
                                               violation_error_code="number")]

    def __str__(self) -> str:
        return f"Wave {self.number}"


class RecruitKind(models.TextChoices):
    INVITED = "invited", "Invited by the QI department"
    APPLIED = "applied", "Applied"


class RecruitStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Candidacy(models.Model):
    """A team invited to, or applying for, a programme: a team of the trust or of a partner organisation."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="candidacies")
    kind = models.CharField(max_length=8, choices=RecruitKind.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(ExternalOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text="For a team run with, or by, a partner organisation.")
    note = models.TextField("why this team", blank=True)
    status = models.CharField(max_length=8, choices=RecruitStatus.choices, default=RecruitStatus.OPEN)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "candidacies"
        constraints = [
            models.UniqueConstraint(fields=["programme", "team"], condition=Q(status="open"),
                                    name="one_open_candidacy_per_team",
                                    violation_error_message="This team is already a candidate for the programme.",
                                    violation_error_code="team"),
            models.CheckConstraint(condition=Q(status="open") | Q(decided_at__isnull=False),
                                   name="decided_candidacy_has_date",
                                   violation_error_message="A decided candidacy needs the date it was decided.",
                                   violation_error_code="decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.team} ({self.get_status_display()})"


class EnrolmentQuerySet(models.QuerySet):
    def for_rows(self) -> EnrolmentQuerySet:
        return self.select_related("project", "project__team", "project__directorate", "project__coach",
                                   "wave", "local_sponsor", "partner").order_by("wave__number",
                                                                                "project__team__name")

    def for_overview(self) -> EnrolmentQuerySet:
        """Only what the overview shows of 60 teams: team, directorate, wave, partner, who sponsors."""
        return (self.select_related("project__team", "project__directorate", "wave", "partner")
                .only("programme_id", "project_id", "wave_id", "partner_id", "local_sponsor_id", "enrolled_on",
                      "brought_in", "project__title", "project__team__name", "project__directorate__name",
                      "wave__number",
                      "partner__name", "project__team_id", "project__directorate_id")
                .order_by("wave__number", "project__team__name"))


class Enrolment(models.Model):
    """A team taking part, through its own project (new, or an existing one brought in with its history)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="programme_enrolments")
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments")
    local_sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+")
    partner = models.ForeignKey(ExternalOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    brought_in = models.BooleanField(default=False, help_text="An existing project brought into the programme.")
    enrolled_on = models.DateField(default=timezone.localdate)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField("aim met?", max_length=16, choices=Evaluation.choices, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["enrolled_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "project"], name="project_enrolled_once",
                                               violation_error_message=("This project is already enrolled in the "
                                                                        "programme."),
                                               violation_error_code="project")]

    def __str__(self) -> str:
        return f"{self.project.team} in {self.programme}"


class EnrolledMeasure(models.Model):
    """The team's own measure made from a template: linked here, so measures never import programmes."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="measures")
    template = models.ForeignKey(MeasureTemplate, on_delete=models.CASCADE, related_name="team_measures")
    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="programme_link")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "template"], name="one_measure_per_template",
                                               violation_error_message=("This team already has a measure for this part "
                                                                        "of the measurement plan."),
                                               violation_error_code="template")]

    def __str__(self) -> str:
        return f"{self.template} for {self.enrolment_id}"


class LearningSession(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    date = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    shared = models.TextField("what was shared", blank=True)

    class Meta:
        ordering = ["date", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="session_number_once",
                                               violation_error_message=("The programme already has a learning session "
                                                                        "with this number."),
                                               violation_error_code="number")]

    def __str__(self) -> str:
        return self.title or f"Learning session {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("programmes:session", args=[self.programme_id, self.pk])


class SessionAttendance(models.Model):
    """A team at a learning session: who came, and its plan for the next action period."""

    session = models.ForeignKey(LearningSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(default=True)
    who = models.CharField("who came", max_length=300, blank=True, help_text="Team members, sponsor, coach.")
    next_plan = models.TextField("plan for the next action period", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_team",
                                               violation_error_message=("This team's attendance at the learning "
                                                                        "session is already recorded."),
                                               violation_error_code="enrolment")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} at {self.session_id}"


class Aggregate(models.Model):
    """A template's chart across every team (numerators and denominators summed), written by the nightly run."""

    template = models.OneToOneField(MeasureTemplate, on_delete=models.CASCADE, primary_key=True,
                                    related_name="aggregate")
    computed_at = models.DateTimeField(default=timezone.now)
    teams = models.PositiveIntegerField(default=0)
    figure = models.JSONField(null=True, blank=True)
    variation_icon = models.CharField(max_length=40, blank=True)
    assurance_icon = models.CharField(max_length=40, blank=True)
    reading = models.TextField(blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Aggregate of {self.template_id}"
