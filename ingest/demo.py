"""Demo: the QI department has already brought in part of its old tracker (the documented sample), so the
import page shows a finished import with its rows, and the projects it made are in the portfolio."""

from __future__ import annotations

from organisation.seeding import DemoContext

from . import importing, portfolio
from .models import PortfolioImport

FILENAME = "old-qi-tracker.xlsx"


def seed_portfolio_import(ctx: DemoContext) -> None:
    admin = ctx.data["people"]["qiadmin"]
    if PortfolioImport.objects.filter(filename=FILENAME).exists():
        return
    batch = importing.stage(portfolio.sample_workbook(), FILENAME, by=admin)
    importing.choose_mapping(batch, batch.mapping)
    importing.check(PortfolioImport.objects.get(pk=batch.pk))
    importing.import_portfolio(PortfolioImport.objects.get(pk=batch.pk))
    done = PortfolioImport.objects.get(pk=batch.pk)
    ctx.out(f"  imported {done.created_count} projects from the sample tracker ({done.get_status_display()})")
