"""Thin tasks: load the portfolio import, call the service, return quietly when it is gone."""

from celery import shared_task

from ops.models import ImportStatus

from . import importing
from .models import PortfolioImport


@shared_task(name="ingest.tasks.check_portfolio")
def check_portfolio(batch_id: int) -> int:
    batch = PortfolioImport.objects.filter(pk=batch_id, status=ImportStatus.CHECKING, mapped=True).first()
    if batch is None:
        return 0
    importing.check(batch)
    return batch.total_rows


@shared_task(name="ingest.tasks.import_portfolio")
def import_portfolio(batch_id: int) -> int:
    batch = PortfolioImport.objects.filter(pk=batch_id, status=ImportStatus.IMPORTING).first()
    if batch is None:
        return 0
    importing.import_portfolio(batch)
    return batch.total_rows
