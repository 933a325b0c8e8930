"""Thin tasks: load by id, call the importer, return quietly when the row is gone."""

from celery import shared_task

from ops.models import ImportStatus

from . import imports
from .models import AttendanceImport


@shared_task(name="capability.tasks.check_import")
def check_import(batch_id: int) -> int:
    batch = AttendanceImport.objects.select_related("course").filter(pk=batch_id, status=ImportStatus.CHECKING).first()
    if batch is None:
        return 0
    imports.check_import(batch)
    return batch.total_rows


@shared_task(name="capability.tasks.run_import")
def run_import(batch_id: int) -> int:
    batch = (AttendanceImport.objects.select_related("course", "uploaded_by")
             .filter(pk=batch_id, status=ImportStatus.IMPORTING).first())
    if batch is None:
        return 0
    imports.run_import(batch)
    return batch.total_rows
