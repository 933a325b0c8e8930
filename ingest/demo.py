"""Demo: the QI department has already brought in part of its old tracker (the documented sample), so the
import page shows a finished import with its rows, and the projects it made are in the portfolio."""

from __future__ import annotations

from django.db.models import F

from organisation.models import CoachProfile
from organisation.seeding import DemoContext

from . import importing, portfolio
from .models import PortfolioImport

FILENAME = "old-qi-tracker.xlsx"


def seed_portfolio_import(ctx: DemoContext) -> None:
    admin = ctx.data["people"]["qiadmin"]
    if PortfolioImport.objects.filter(filename=FILENAME).exists():
        return
    # The sample names the persona coach; the old tracker's own coach is one with room, so the demo's
    # coach suggestions (the persona first, in its directorate) stay as the other steps made them.
    persona = ctx.data["people"]["coach"]
    roomy = (CoachProfile.objects.filter(current_teams__lt=F("max_teams")).exclude(user=persona)
             .select_related("user").order_by("-user_id").first())
    coach = roomy.user if roomy else persona
    sheets = {name: [[coach.email if cell == "coach@example.nhs.uk" else cell for cell in row] for row in rows]
              for name, rows in portfolio.SAMPLE.items()}
    batch = importing.stage(portfolio.sample_workbook(sheets), FILENAME, by=admin)
    importing.choose_mapping(batch, batch.mapping)
    importing.check(PortfolioImport.objects.get(pk=batch.pk))
    importing.import_portfolio(PortfolioImport.objects.get(pk=batch.pk))
    done = PortfolioImport.objects.get(pk=batch.pk)
    ctx.out(f"  imported {done.created_count} projects from the sample tracker ({done.get_status_display()})")
