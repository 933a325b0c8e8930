"""API tokens: how data warehouses and BI tools prove who they are when they push data."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure
from ops.models import StagedImport
from organisation.models import Team
from projects.models import Project

# Secrets look like "qip_<8-character prefix>_<43 random characters>": the prefix finds the row and is shown
# in the token list so people can tell tokens apart; only a SHA-256 of the whole secret is stored. A hash
# without salt is enough here because the secret is 256 random bits, not something a person chose.
SECRET_MARK = "qip"
PREFIX_LENGTH = 8
# Recording every request's time would make each API call a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_list(self) -> ApiTokenQuerySet:
        return (self.select_related("created_by", "revoked_by")
                .prefetch_related(Prefetch("measures", queryset=Measure.objects.for_list()), "teams", "projects"))


class ApiToken(models.Model):
    name = models.CharField(max_length=120, help_text="Which system uses it, e.g. 'Data warehouse nightly load'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField("may send data", default=True,
                                    help_text="Without it the token may only read measures and their data.")
    all_measures = models.BooleanField(default=False, help_text="Every measure, including ones added later.")
    measures = models.ManyToManyField(Measure, blank=True, related_name="api_tokens")
    teams = models.ManyToManyField(Team, blank=True, related_name="api_tokens",
                                   help_text="Every measure of these teams, including ones added later.")
    projects = models.ManyToManyField(Project, blank=True, related_name="api_tokens",
                                      help_text="Every measure of these projects, including ones added later.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="api_tokens_created")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="api_tokens_revoked")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = [F("revoked_at").asc(nulls_first=True), "-created_at"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(condition=Q(revoked_at__isnull=False) | Q(revoked_by__isnull=True),
                                   name="api_token_revoked_by_only_when_revoked",
                                   violation_error_message=("Only a revoked token records who revoked it: give the "
                                                            "date it was revoked, or clear who revoked it.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, by, can_write: bool = True, all_measures: bool = False,
              measures=(), teams=(), projects=()) -> tuple[ApiToken, str]:
        """A new token and its secret: the only time the secret exists outside the caller's system."""
        while True:
            prefix = secrets.token_hex(PREFIX_LENGTH // 2)
            if not cls.objects.filter(prefix=prefix).exists():
                break
        secret = f"{SECRET_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
        with transaction.atomic():
            token = cls.objects.create(name=name, prefix=prefix, secret_hash=hash_secret(secret), created_by=by,
                                       can_write=can_write, all_measures=all_measures)
            if not all_measures:
                token.measures.set(measures)
                token.teams.set(teams)
                token.projects.set(projects)
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> ApiToken | None:
        """The live token whose secret this is, or None (unknown, malformed or revoked)."""
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != SECRET_MARK or len(parts[1]) != PREFIX_LENGTH:
            return None
        token = cls.objects.select_related("created_by").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
            return None
        if token.revoked_at is not None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, *, by) -> bool:
        """Revoke the token; False when it already was (the first revocation is the one recorded)."""
        with transaction.atomic():
            current = ApiToken.objects.select_for_update().get(pk=self.pk)
            if current.revoked_at is not None:
                self.revoked_at, self.revoked_by_id = current.revoked_at, current.revoked_by_id
                return False
            self.revoked_at, self.revoked_by = timezone.now(), by
            # A save, not an update(): the audit log records who revoked it.
            current.revoked_at, current.revoked_by = self.revoked_at, by
            current.save(update_fields=["revoked_at", "revoked_by"])
        return True

    def scope_measures(self) -> models.QuerySet[Measure]:
        """The measures this token may read (and, with can_write, send data to); one query when evaluated."""
        if self.all_measures:
            return Measure.objects.all()
        return Measure.objects.filter(
            Q(pk__in=self.measures.values("pk")) | Q(team__in=self.teams.values("pk"))
            | Q(project__in=self.projects.values("pk")))


class PortfolioImport(StagedImport):
    """A trust's existing portfolio, staged between the column mapping, the preview and the import
    (ingest.portfolio reads and checks it). `rows` are the projects sheet's rows; `sheets` the progress
    and measures sheets' rows, each checked row naming the project line it belongs to."""

    headings = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="The portal's field -> the file's heading.")
    mapped = models.BooleanField(default=False)
    sheets = models.JSONField(default=dict)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    people_created = models.JSONField(default=list)

    class Meta(StagedImport.Meta):
        verbose_name = "portfolio import"

    def get_absolute_url(self) -> str:
        return reverse("portfolio_import:batch", args=[self.pk])

    @property
    def importable_rows(self) -> list[dict]:
        return [r for r in self.valid_rows if not r.get("exists")]


class ImportedProject(models.Model):
    """Which project a row of an old portfolio became: the same file imported again changes nothing."""

    key = models.CharField(max_length=200, unique=True)
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="imported_as")
    batch = models.ForeignKey(PortfolioImport, null=True, on_delete=models.SET_NULL, related_name="projects")
    line = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.key
