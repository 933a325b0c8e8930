"""Measures, their data and how they are read: the SPC configuration, phases, annotations and uploads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ops.models import ImportStatus, StagedImport
from organisation.models import StrategicObjective, Team
from projects.models import Project

# Which charts take ratios, subgroups or counts is the SPC engine's to say (re-exported for the apps above).
from spc.engine import COUNT_CHARTS, RATIO_CHARTS, SUBGROUP_CHARTS  # noqa: F401


class MeasureType(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    BALANCING = "balancing", "Balancing"


class Period(models.TextChoices):
    DAY = "day", "Daily"
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"


class ChartType(models.TextChoices):
    RUN = "run", "Run chart"
    I = "i", "XmR (individuals)"  # noqa: E741
    P = "p", "p chart (proportion)"
    PP = "pp", "Laney p′ chart (proportion, large denominators)"
    U = "u", "u chart (rate)"
    UP = "up", "Laney u′ chart (rate, large denominators)"
    C = "c", "c chart (count)"
    G = "g", "g chart (cases between rare events)"
    T = "t", "t chart (days between rare events)"
    XBAR = "xbar", "X̄ chart (subgroup means)"
    S = "s", "S chart (subgroup spread)"




class Improvement(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither (watch for change)"


class Domain(models.TextChoices):
    """The Triple Aim domains of the board's Whole System Measures (and staff experience)."""

    POPULATION_HEALTH = "population_health", "Population health outcomes"
    EXPERIENCE_OF_CARE = "experience_of_care", "Experience of care"
    VALUE = "value", "Value"
    STAFF_EXPERIENCE = "staff_experience", "Staff experience"


class Method(models.TextChoices):
    MDC = "mdc", "Making Data Count (NHS England)"
    ANHOEJ = "anhoej", "Anhøj run rules (qicharts2)"


class MeasureMethod(models.TextChoices):
    """A measure's rules: the organisation's two, or the IHI run-chart rules, which read run charts only."""

    MDC = "mdc", "Making Data Count (NHS England)"
    ANHOEJ = "anhoej", "Anhøj run rules (qicharts2)"
    IHI = "ihi", "IHI run-chart rules (shift 6, trend 5, runs, astronomical point; run charts only)"


class Scope(models.TextChoices):
    PROJECT = "project", "Project"
    TEAM = "team", "Team (safety and staffing)"
    SYSTEM = "system", "Whole System Measure"


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasureQuerySet:
        """Team and organisation measures are open to everyone logged in; a project's follow the project."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(project__isnull=True) | Q(project__in=Project.objects.visible_to(user).values("pk")))

    def active(self) -> MeasureQuerySet:
        return self.filter(active=True)

    def for_board(self) -> MeasureQuerySet:
        return self.filter(project__isnull=True, team__isnull=True)

    def early_warning(self) -> MeasureQuerySet:
        return self.filter(team__isnull=False, early_warning=True)

    def for_list(self) -> MeasureQuerySet:
        return self.select_related("project", "project__directorate", "team", "team__directorate", "owner")

    def key_first(self) -> MeasureQuerySet:
        """Outcome measures first, then process, then balancing; the oldest first within each: a project's
        key measure is the first of them."""
        rank = models.Case(*(models.When(measure_type=t, then=i) for i, t in enumerate(MeasureType.values)),
                           default=len(MeasureType.values))
        return self.order_by(rank, "created_at", "pk")


class Measure(models.Model):
    name = models.CharField(max_length=200)
    # The operational definition: what exactly is counted, and how.
    definition = models.TextField("what is measured", help_text="The concept, in a sentence a new team member "
                                                                "would understand.")
    numerator = models.TextField(blank=True, help_text="What is counted on top (for proportions and rates).")
    denominator = models.TextField(blank=True, help_text="What it is divided by (for proportions and rates).")
    collection = models.TextField("how the data are collected", blank=True,
                                  help_text="Source, who collects it, when, and sampling if any.")
    exclusions = models.TextField(blank=True, help_text="Cases left out, and why.")

    measure_type = models.CharField(max_length=10, choices=MeasureType.choices)
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.MONTH)
    chart_type = models.CharField(max_length=4, choices=ChartType.choices, default=ChartType.RUN)
    improvement = models.CharField("improvement direction", max_length=8, choices=Improvement.choices,
                                   default=Improvement.INCREASE)
    target = models.FloatField(null=True, blank=True, help_text="In the units shown on the chart.")
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, days, per 1,000 bed days")
    multiplier = models.FloatField(default=1, help_text="Rates and proportions are shown multiplied by this "
                                                        "(100 for %, 1000 for per 1,000).")
    # Plausibility (measures.plausibility): what a point of this measure can be.
    first_period = models.DateField("first period", null=True, blank=True,
                                    help_text="The earliest period with data: earlier periods are refused as "
                                              "typing slips. Blank: from 1990.")
    minimum = models.FloatField("smallest possible value", null=True, blank=True,
                                help_text="Optional, in the units shown on the chart: smaller values are refused.")
    maximum = models.FloatField("largest possible value", null=True, blank=True,
                                help_text="Optional, in the units shown on the chart: larger values are refused.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_measures")

    # Exactly one scope: a project's measure, a team's (ward) indicator, or a Whole System Measure.
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="measures")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="measures")
    early_warning = models.BooleanField(default=False, help_text="A ward safety or staffing indicator read on the "
                                                                 "early-warning dashboard.")
    domain = models.CharField("Whole System Measure domain", max_length=20, choices=Domain.choices, blank=True)
    # PROTECT: deleting an objective in Settings must not silently move the board's measures to "not linked";
    # whoever retires an objective relinks its measures first (published reports keep their own copy).
    objective = models.ForeignKey(StrategicObjective, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="measures", verbose_name="strategic objective",
                                  help_text="The objective of the strategy this Whole System Measure tracks: the "
                                            "board report can group its measures by objective.")

    method = models.CharField("rules", max_length=6, choices=MeasureMethod.choices, blank=True,
                              help_text="Blank: the organisation's default. The IHI rules read run charts only.")
    show_2sigma = models.BooleanField("show 2-sigma lines", default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(team__isnull=True) & Q(domain=""))
                | (Q(project__isnull=True) & Q(team__isnull=False) & Q(domain=""))
                | (Q(project__isnull=True) & Q(team__isnull=True) & ~Q(domain="")),
                name="measure_has_exactly_one_scope",
                violation_error_message=("A measure belongs to one project, one team or one domain of the whole-system "
                                         "measures: choose just one."),
            ),
            models.CheckConstraint(condition=Q(early_warning=False) | Q(team__isnull=False),
                                   name="early_warning_only_for_team_measures",
                                   violation_error_message=("Only a team's measures can be early-warning measures: "
                                                            "untick early warning, or make it a team measure."),
                                   violation_error_code="early_warning"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="measure_multiplier_positive",
                                   violation_error_message=("The multiplier must be more than 0: 1 shows values as "
                                                            "they are, 100 as a percentage, 1000 per 1,000."),
                                   violation_error_code="multiplier"),
            models.CheckConstraint(condition=Q(minimum__isnull=True) | Q(maximum__isnull=True)
                                   | Q(minimum__lt=F("maximum")), name="measure_minimum_below_maximum",
                                   violation_error_message="The maximum must be above the minimum.",
                                   violation_error_code="maximum"),
            models.CheckConstraint(condition=Q(objective__isnull=True) | (Q(project__isnull=True)
                                                                          & Q(team__isnull=True)),
                                   name="objective_only_for_whole_system_measures",
                                   violation_error_message=("Only a whole-system measure is linked to a strategic "
                                                            "objective, not a project's or a team's: clear the "
                                                            "objective."),
                                   violation_error_code="objective"),
        ]
        indexes = [models.Index(fields=["team", "early_warning"], name="measure_team_ew_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("measures:detail", args=[self.pk])

    @property
    def scope(self) -> str:
        if self.project_id:
            return Scope.PROJECT
        if self.team_id:
            return Scope.TEAM
        return Scope.SYSTEM

    @property
    def scope_label(self) -> str:
        if self.project_id:
            return self.project.title
        if self.team_id:
            return self.team.name
        return f"Whole System Measure · {self.get_domain_display()}"

    @property
    def directorate(self):
        if self.project_id:
            return self.project.directorate
        if self.team_id:
            return self.team.directorate
        return None

    @property
    def is_ratio(self) -> bool:
        return self.chart_type in RATIO_CHARTS

    @property
    def has_subgroups(self) -> bool:
        return self.chart_type in SUBGROUP_CHARTS


class SPCConfig(models.Model):
    """The organisation's way of reading charts: one row, edited by the QI department."""

    method = models.CharField(max_length=6, choices=Method.choices, default=Method.MDC)
    shift_length = models.PositiveSmallIntegerField(
        "points in a shift", default=7, choices=[(6, "6"), (7, "7"), (8, "8")],
        help_text="A run of this many points on one side of the mean is a signal (Making Data Count).")
    trend_length = models.PositiveSmallIntegerField(
        "points in a trend", default=7, choices=[(5, "5"), (6, "6"), (7, "7")],
        help_text="This many points in a row rising or falling is a signal (Making Data Count).")
    screen_moving_ranges = models.BooleanField(
        default=True, help_text="Leave very large moving ranges out of XmR limits (Nelson's screening).")
    two_of_three = models.BooleanField("two of three beyond 2 sigma", default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SPC configuration"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="spc_config_singleton",
                                              violation_error_message=("There is one SPC configuration: change the one "
                                                                       "that exists."))]

    def __str__(self) -> str:
        return "SPC configuration"

    @classmethod
    def current(cls) -> SPCConfig:
        config, _ = cls.objects.get_or_create(pk=1)
        return config


class PhaseKind(models.TextChoices):
    REBASE = "rebase", "Recalculate limits from here (the change has stuck)"
    BASELINE = "baseline", "Frozen baseline: limits from the first n points, carried forward"


class MeasurePhase(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    starts_on = models.DateField(help_text="The first period of the phase.")
    kind = models.CharField(max_length=8, choices=PhaseKind.choices)
    n_points = models.PositiveSmallIntegerField("baseline points", null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="one_phase_per_period",
                                    violation_error_message=("The measure already has a phase starting in this period: "
                                                             "change that phase, or start this one in another period."),
                                    violation_error_code="starts_on"),
            models.CheckConstraint(
                condition=(Q(kind="baseline") & Q(n_points__isnull=False) & Q(n_points__gte=1))
                | (Q(kind="rebase") & Q(n_points__isnull=True)),
                name="baseline_phase_has_points",
                violation_error_message=("A baseline phase needs the number of points its limits are made from (1 or "
                                         "more); a rebase has none."),
                violation_error_code="n_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%d %b %Y}"


class DataPoint(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    period_start = models.DateField()
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    # X-bar and S charts: every observation of the period (value holds their mean).
    observations = models.JSONField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    excluded = models.BooleanField("left out of the calculations", default=False)
    exclusion_reason = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period_start"], name="one_point_per_period",
                                    violation_error_message=("The measure already has a point for this period: correct "
                                                             "that point instead."),
                                    violation_error_code="period_start"),
            models.CheckConstraint(condition=Q(value__isnull=False) | (Q(numerator__isnull=False)
                                                                       & Q(denominator__isnull=False)),
                                   name="point_has_a_value",
                                   violation_error_message="Enter a value, or both a numerator and a denominator."),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                                   name="point_denominator_positive",
                                   violation_error_message="The denominator must be more than 0.",
                                   violation_error_code="denominator"),
            models.CheckConstraint(condition=Q(excluded=False) | ~Q(exclusion_reason=""),
                                   name="excluded_point_has_reason",
                                   violation_error_message="Say why the point is left out of the calculations.",
                                   violation_error_code="exclusion_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period_start}"

    def as_record(self) -> dict:
        """What the point says, for the history rows."""
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                "observations": self.observations, "comment": self.comment, "excluded": self.excluded,
                "exclusion_reason": self.exclusion_reason}


class ChangeSource(models.TextChoices):
    MANUAL = "manual", "Typed in"
    UPLOAD = "upload", "Upload"
    API = "api", "Data API"


class ChangeAction(models.TextChoices):
    CORRECT = "correct", "Corrected"
    MOVE = "move", "Moved to another period"
    REMOVE = "remove", "Removed"


class DataPointChange(models.Model):
    """What a point said before and after each correction: corrections never lose the old value."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="point_changes")
    point = models.ForeignKey(DataPoint, null=True, on_delete=models.SET_NULL, related_name="changes")
    period_start = models.DateField()
    old = models.JSONField()
    new = models.JSONField()
    source = models.CharField(max_length=6, choices=ChangeSource.choices, default=ChangeSource.MANUAL)
    action = models.CharField(max_length=7, choices=ChangeAction.choices, default=ChangeAction.CORRECT)
    # A move's new period (period_start is where the point was).
    moved_to = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(action="move") | Q(moved_to__isnull=False),
                                   name="point_move_has_a_period",
                                   violation_error_message="Say which period the point moves to.",
                                   violation_error_code="moved_to"),
            models.CheckConstraint(condition=Q(action="correct") | ~Q(reason=""),
                                   name="point_removal_or_move_has_reason",
                                   violation_error_message=("Say why the point is removed or moved: the reason stays "
                                                            "in its history."),
                                   violation_error_code="reason"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}: {self.old} → {self.new}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Data history is a record: changes are never edited.")
        super().save(*args, **kwargs)


class Annotation(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="annotations")
    date = models.DateField()
    text = models.CharField(max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text}"


# Upload statuses are every staged import's (ops.models.ImportStatus).
UploadStatus = ImportStatus


class OnDuplicate(models.TextChoices):
    SKIP = "skip", "Keep what is there (skip those rows)"
    OVERWRITE = "overwrite", "Replace with the uploaded values (the old values stay in the history)"


class UploadBatch(StagedImport):
    """An uploaded file of a measure's data, staged between the preview and the import."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="uploads")
    # Each row also holds "period_start", "value", "numerator", "denominator", "comment", "exists".
    on_duplicate = models.CharField(max_length=9, choices=OnDuplicate.choices, blank=True)
    # Rows far outside the measure's history are imported only when the person confirms them.
    include_unusual = models.BooleanField(default=False)
    imported_count = models.PositiveIntegerField(default=0)
    overwritten_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta(StagedImport.Meta):
        verbose_name_plural = "upload batches"

    def get_absolute_url(self) -> str:
        return reverse("measures:upload_batch", args=[self.pk])

    @property
    def existing_rows(self) -> list[dict]:
        return [r for r in self.rows if not r.get("problems") and r.get("exists")]



# --------------------------------------------------------------------------- nightly rendering


class ChartSnapshotQuerySet(models.QuerySet):
    def reading(self, kind: str) -> ChartSnapshotQuerySet:
        return self.filter(reading_kind=kind)


class ChartSnapshot(models.Model):
    """A measure's chart as last computed: what pages serve instead of recomputing on every request.

    Written whole, in one transaction per chunk, so a reader sees either the old snapshot or the new one.
    Fresh while `measure_stamp` equals the measure's `updated_at` (bumped by every data, phase, annotation
    or settings change) and `rules_hash` matches the organisation's SPC configuration.
    """

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, primary_key=True, related_name="snapshot")
    input_hash = models.CharField(max_length=64, help_text="sha256 of data, chart settings and rule settings.")
    measure_stamp = models.DateTimeField()
    rules_hash = models.CharField(max_length=16)
    computed_at = models.DateTimeField(default=timezone.now)
    reading_kind = models.CharField(max_length=12, default="none")
    variation_icon = models.CharField(max_length=40, blank=True)
    assurance_icon = models.CharField(max_length=40, blank=True)
    reading = models.TextField(blank=True)
    method = models.CharField(max_length=6, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    latest_period = models.DateField(null=True, blank=True)
    trial_limits = models.BooleanField(default=False)
    n_points = models.PositiveIntegerField(default=0)
    recent = models.JSONField(default=list, help_text="The sparkline's values.")
    # [{"period", "rule", "kind"}] for every special-cause point; "latest_signal" is the latest point's.
    signals = models.JSONField(default=list)
    latest_signal = models.JSONField(null=True, blank=True)
    phases = models.JSONField(default=list, help_text="Centre line and limits per phase.")
    points = models.JSONField(default=list, help_text="Per point: [plotted value, point type].")
    figure = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = ChartSnapshotQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["reading_kind"], name="snapshot_reading_idx")]

    def __str__(self) -> str:
        return f"Chart of {self.measure_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class RenderRun(models.Model):
    """One rendering run (nightly, by hand, or forced with --all), kept as the run log."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    forced = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0, help_text="Active measures when the run started.")
    chunks = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    computed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Rendering {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


class RenderChunk(models.Model):
    """A run's share of measures for one worker; `done` makes counting idempotent when a chunk runs twice."""

    run = models.ForeignKey(RenderRun, on_delete=models.CASCADE, related_name="chunk_rows")
    index = models.PositiveIntegerField()
    measure_ids = models.JSONField()
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_index",
                                               violation_error_message="This part of the chart run is already queued.")]

    def __str__(self) -> str:
        return f"Chunk {self.index} of run {self.run_id}"


class RenderFailure(models.Model):
    run = models.ForeignKey(RenderRun, null=True, blank=True, on_delete=models.CASCADE, related_name="failures")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="render_failures")
    error = models.TextField()
    traceback = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.error[:60]}"


# --------------------------------------------------------------------------- new signals


class SignalKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Special cause improvement"
    CONCERN = "concern", "Special cause concern"
    NEUTRAL = "neutral", "Special cause (neither better nor worse)"


class SignalEvent(models.Model):
    """A special cause that was not there in the measure's previous snapshot."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="signal_events")
    detected_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=SignalKind.choices)
    rule = models.CharField(max_length=120)
    period_start = models.DateField()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["measure", "period_start", "rule"],
                                               name="one_signal_event_per_point_and_rule",
                                               violation_error_message=("This signal is already recorded for this "
                                                                        "period and rule."))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.rule}"
