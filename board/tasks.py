"""Thin task: load the PDF row, build the board pack, return quietly when the row is gone."""

from celery import shared_task

from .models import PDFStatus, ReportPDF
from .services import build_pdf as build


@shared_task(name="board.tasks.build_pdf", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def build_pdf(pdf_id: int) -> int:
    pdf = ReportPDF.objects.select_related("report").filter(pk=pdf_id).exclude(status=PDFStatus.READY).first()
    if pdf is None:
        return 0
    return build(pdf)
