"""Thin tasks: load by id, call the service, return quietly when the row is gone."""

from celery import shared_task
from django.db import OperationalError

from . import rendering, services
from .models import Measure, RenderChunk, UploadBatch, UploadStatus


@shared_task(name="measures.tasks.check_upload")
def check_upload(batch_id: int) -> int:
    batch = UploadBatch.objects.select_related("measure").filter(pk=batch_id, status=UploadStatus.CHECKING).first()
    if batch is None:
        return 0
    services.check_upload(batch)
    return batch.total_rows


@shared_task(name="measures.tasks.import_upload")
def import_upload(batch_id: int) -> int:
    batch = (UploadBatch.objects.select_related("measure", "uploaded_by")
             .filter(pk=batch_id, status=UploadStatus.IMPORTING).first())
    if batch is None:
        return 0
    services.import_upload(batch)
    return batch.total_rows


# The database gone for a while (a restart, a fail-over): a chunk waits 2, 4, 8, 16, 32, then 60 s between tries,
# about 6 minutes in all. Not jittered down to nothing: during an outage the worker fails every queued chunk
# within seconds, and a random wait near 0 would spend their tries before the database is back.
DATABASE_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 2, "retry_backoff_max": 60,
                  "retry_jitter": False, "max_retries": 10}


@shared_task(name="measures.tasks.render_chunk", acks_late=True, **DATABASE_RETRY)
def render_chunk(chunk_id: int) -> int:
    """A run's chunk of measures; a redelivered chunk (worker killed) or one retried after the database went away
    recomputes it and counts it once."""
    chunk = RenderChunk.objects.select_related("run").filter(pk=chunk_id).first()
    if chunk is None:
        return 0
    return len(rendering.run_chunk(chunk).computed)


@shared_task(name="measures.tasks.render_measure", **DATABASE_RETRY)
def render_measure(measure_id: int) -> int:
    """One measure's snapshot right after its data or settings changed, so people see their chart at once."""
    if not Measure.objects.filter(pk=measure_id).exists():
        return 0
    return len(rendering.render_measures([measure_id]).computed)


@shared_task(name="measures.tasks.render_all")
def render_all(force: bool = False) -> int:
    return rendering.render_all(force=force).pk
