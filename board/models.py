"""The board quality report: drafts the QI department prepares, and the frozen records the board reads.

A published report keeps everything it showed (numbers, charts, narratives, stories) in `content`, so
later corrections to the data never change it; a correction is a new version that supersedes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .rules import can_prepare_reports, can_read_reports


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class FrozenError(ValueError):
    """A published report (or its narratives) was about to change."""


class BoardReportQuerySet(models.QuerySet):
    def published(self) -> BoardReportQuerySet:
        return self.filter(status=ReportStatus.PUBLISHED)

    def drafts(self) -> BoardReportQuerySet:
        return self.filter(status=ReportStatus.DRAFT)

    def visible_to(self, user) -> BoardReportQuerySet:
        if can_prepare_reports(user):
            return self
        if can_read_reports(user):
            return self.published()
        return self.none()

    def for_list(self) -> BoardReportQuerySet:
        return (self.select_related("prepared_by", "published_by", "supersedes")
                .annotate(superseded=models.Exists(BoardReport.objects.filter(
                    supersedes=models.OuterRef("pk"), status=ReportStatus.PUBLISHED)))
                .defer("content"))


class BoardReport(models.Model):
    meeting_date = models.DateField("board meeting date")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="correction")
    correction_note = models.TextField("what changed", blank=True)
    patient_story = models.ForeignKey("workspace.Story", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    improvement_story = models.ForeignKey("workspace.Story", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    # Captured at publication (see board.services.build_content): everything the report shows.
    content = models.JSONField(default=dict, blank=True)

    objects = BoardReportQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_date", "version"], name="board_report_version_unique",
                                    violation_error_message=("Someone saved a version of this report at the same time: "
                                                             "reload the page to see the latest version.")),
            models.CheckConstraint(condition=Q(version__gte=1), name="board_report_version_positive",
                                   violation_error_message="Report versions are numbered from 1.",
                                   violation_error_code="version"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(published_at__isnull=False) & ~Q(content={})),
                name="published_report_has_date_and_content",
                violation_error_message="A published report needs its publication date and its content."),
            models.CheckConstraint(condition=Q(supersedes__isnull=True) | ~Q(correction_note=""),
                                   name="correction_has_a_note",
                                   violation_error_message="A correction needs a note saying what changed and why.",
                                   violation_error_code="correction_note"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})" if self.version > 1 else self.title

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and BoardReport.objects.filter(pk=self.pk, status=ReportStatus.PUBLISHED).exists():
            raise FrozenError("A published board report is a record: publish a correction instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("board:report", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.status == ReportStatus.PUBLISHED:
            raise FrozenError("A published board report is a record and is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class MeasureNarrative(models.Model):
    """A line or two from a Whole System Measure's owner on this month's chart."""

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="narratives")
    measure = models.ForeignKey("measures.Measure", on_delete=models.CASCADE, related_name="board_narratives")
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure__name"]
        constraints = [models.UniqueConstraint(fields=["report", "measure"], name="one_narrative_per_measure",
                                               violation_error_message=("This report already has a narrative for this "
                                                                        "measure: change that one instead."),
                                               violation_error_code="measure")]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.text[:40]}"

    def save(self, *args, **kwargs) -> None:
        if BoardReport.objects.filter(pk=self.report_id, status=ReportStatus.PUBLISHED).exists():
            raise FrozenError("The report is published: its narratives are a record.")
        super().save(*args, **kwargs)


class PDFStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Grouping(models.TextChoices):
    DOMAIN = "domain", "By Triple Aim domain"
    OBJECTIVE = "objective", "By strategic objective"


class ReportPDF(models.Model):
    """The board-pack PDF of a published report with its measures in one grouping, built in the background
    (the file lives in the row: a few hundred KB, and it never changes once built)."""

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="pdfs")
    grouping = models.CharField(max_length=10, choices=Grouping.choices, default=Grouping.DOMAIN)
    status = models.CharField(max_length=10, choices=PDFStatus.choices, default=PDFStatus.QUEUED)
    step = models.CharField(max_length=120, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    file = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "board report PDF"
        constraints = [models.CheckConstraint(condition=~Q(status="ready") | Q(file__isnull=False),
                                              name="ready_pdf_has_file",
                                              violation_error_message="A PDF marked ready needs its file.",
                                              violation_error_code="file"),
                       models.UniqueConstraint(fields=["report", "grouping"], name="one_pdf_per_report_and_grouping",
                                               violation_error_message=("This report already has a PDF for this "
                                                                        "grouping."),
                                               violation_error_code="grouping")]

    def __str__(self) -> str:
        return f"PDF of {self.report_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == PDFStatus.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
