from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .models import HeldTask, JobRun, JobStatus
from .nightly import steps

log = logging.getLogger(__name__)

NIGHTLY = "nightly"
CHARTS = "charts"  # chart rendering runs (nightly or by hand) log themselves under this name when they finish


def run_nightly() -> JobRun:
    """Run every registered nightly step; one failing step does not stop the others."""
    run = JobRun.objects.create(name=NIGHTLY, started_at=timezone.now())
    detail: dict[str, object] = {}
    errors: list[str] = []
    for name, step in steps().items():
        try:
            detail[name] = step() or "done"
        except Exception:  # a step's failure is recorded, never allowed to hide the others
            log.exception("nightly step %s failed", name)
            errors.append(f"{name}:\n{traceback.format_exc(limit=5)}")
            detail[name] = "failed"
    run.finished_at = timezone.now()
    run.status = JobStatus.FAILED if errors else JobStatus.SUCCEEDED
    run.detail = detail
    run.error = "\n".join(errors)
    run.save(update_fields=["finished_at", "status", "detail", "error"])
    return run


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # health must report, not raise
        return {"ok": False, "error": str(exc)[:200]}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager (tasks run in the web process)"}
    try:
        held = HeldTask.objects.count()  # jobs waiting for the broker (ops.queue): normally none
    except Exception:  # the database check reports that
        held = None
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "broker", "held_jobs": held}
    except Exception as exc:
        return {"ok": False, "mode": "broker", "error": str(exc)[:200], "held_jobs": held}


def last_success(name: str) -> str | None:
    finished = (JobRun.objects.succeeded().filter(name=name).order_by("-started_at")
                .values_list("finished_at", flat=True).first())
    return finished.isoformat() if finished else None


def check_nightly(now=None) -> dict:
    """Unhealthy when the nightly job has not succeeded within NIGHTLY_STALE_HOURS.

    A new install is given the same grace from the moment it was first migrated,
    so that it is not unhealthy before its first 02:00 but cannot stay silent forever.
    """
    now = now or timezone.now()
    limit = timedelta(hours=settings.NIGHTLY_STALE_HOURS)
    last = JobRun.objects.succeeded().filter(name=NIGHTLY).order_by("-started_at").first()
    latest_any = JobRun.objects.filter(name=NIGHTLY).order_by("-started_at").first()
    result: dict[str, object] = {
        "last_success": last.finished_at.isoformat() if last else None,
        "last_status": latest_any.status if latest_any else None,
        "charts_last_success": last_success(CHARTS),
    }
    if last:
        result["ok"] = now - last.finished_at <= limit
    else:
        first = MigrationRecorder.Migration.objects.order_by("applied").values_list("applied", flat=True).first()
        result["ok"] = first is None or now - first <= limit
        result["note"] = "the nightly job has not run yet"
    return result


def health() -> dict:
    checks = {"database": check_database()}
    checks["broker"] = check_broker()
    checks["nightly"] = check_nightly() if checks["database"]["ok"] else {"ok": False, "error": "no database"}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def expire_staged_imports(now=None) -> dict:
    """Uploads checked but never confirmed (or stuck checking) for STAGED_IMPORT_DAYS are expired and their
    rows dropped, for every kind of import (each subclasses StagedImport), so they do not pile up."""
    from django.apps import apps

    from .models import ImportStatus, StagedImport

    cutoff = (now or timezone.now()) - timedelta(days=settings.STAGED_IMPORT_DAYS)
    out = {}
    for model in apps.get_models():
        if issubclass(model, StagedImport):
            out[model._meta.label] = model.objects.filter(
                status__in=[ImportStatus.READY, ImportStatus.CHECKING], uploaded_at__lt=cutoff,
            ).update(status=ImportStatus.EXPIRED, rows=[], finished_at=now or timezone.now())
    return out
