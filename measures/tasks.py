"""Thin tasks: load the upload batch, call the service, return quietly when it is gone."""

from celery import shared_task


@shared_task(name="measures.tasks.check_upload")
def check_upload(batch_id: int) -> int:
    from .models import UploadBatch, UploadStatus
    from .services import check_upload as check

    batch = UploadBatch.objects.select_related("measure").filter(pk=batch_id, status=UploadStatus.CHECKING).first()
    if batch is None:
        return 0
    check(batch)
    return batch.total_rows


@shared_task(name="measures.tasks.import_upload")
def import_upload(batch_id: int) -> int:
    from .models import UploadBatch, UploadStatus
    from .services import import_upload as do_import

    batch = (UploadBatch.objects.select_related("measure", "uploaded_by")
             .filter(pk=batch_id, status=UploadStatus.IMPORTING).first())
    if batch is None:
        return 0
    do_import(batch)
    return batch.total_rows
