"""The demo trust's board reports (seed_demo step 60): the last two meetings' reports, published, and a
draft for the next meeting, each with a narrative for every Whole System Measure. Idempotent: a meeting
that already has a report is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from measures.models import Measure
from organisation.models import Role, User
from organisation.seeding import DemoContext
from workspace.models import Story, StoryKind

from . import services
from .models import BoardReport, MeasureNarrative

NARRATIVES = {
    "concern": ("{name} has moved beyond what we would expect by chance, in the wrong direction. "
                "We are reviewing the recent cases with the directorates this month and will bring the actions "
                "agreed to the next board."),
    "improvement": ("{name} shows a real improvement, not chance: it followed the changes the teams tested this "
                    "year. The work now is to hold the gain as the changes become routine."),
    "neutral": ("{name} has changed beyond chance; the change is neither better nor worse in itself. We are "
                "checking with the services what lies behind it."),
    "common": ("{name} is stable: the variation is what we would expect month to month, so no single month "
               "needs explaining. Improving it needs a change to the system, not a reaction to a month."),
    "none": "{name} has too little data for a reading yet; the first points are being collected.",
}
TARGET_NOTES = {
    "fail": " At this level the target will not be met without a change to the system.",
    "inconsistent": " The target will be hit and missed at random until the process changes.",
    "pass": " The target is reliably met.",
}


def last_thursday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    day = nxt - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 3) % 7)


def meeting_dates(today: dt.date) -> tuple[list[dt.date], dt.date]:
    """The board meets on the last Thursday of the month: (the last two meetings, the next one)."""
    dates = []
    y, m = today.year, today.month
    for back in range(-1, 4):
        yy, mm = divmod(y * 12 + m - 1 - back, 12)
        dates.append(last_thursday(yy, mm + 1))
    upcoming = min(d for d in dates if d >= today)
    past = sorted((d for d in dates if d < today), reverse=True)[:2]
    return sorted(past), upcoming


def narrative_for(item: dict) -> str:
    text = NARRATIVES.get(item["reading_kind"], NARRATIVES["common"]).format(name=item["name"])
    return text + TARGET_NOTES.get(item.get("assurance_icon") or "", "")


def seed_board_reports(ctx: DemoContext) -> None:
    by = (User.objects.filter(role_assignments__role=Role.QI_ADMIN, is_active=True).order_by("pk").first()
          or User.objects.filter(is_superuser=True).first())
    measures = services.report_measures()
    if not measures:
        ctx.out("  board reports: no Whole System Measures, nothing to report")
        return
    past, upcoming = meeting_dates(ctx.today)
    patient = list(Story.objects.published().filter(kind=StoryKind.PATIENT).order_by("pk")[:3])
    improvement = list(Story.objects.published().filter(kind=StoryKind.IMPROVEMENT).order_by("pk")[:3])
    made = 0
    for k, day in enumerate([*past, upcoming]):
        if BoardReport.objects.filter(meeting_date=day).exists():
            continue
        with transaction.atomic():
            report = BoardReport.objects.create(
                meeting_date=day, title=f"Quality report to the Board, {day:%-d %B %Y}", prepared_by=by,
                patient_story=patient[k % len(patient)] if patient else None,
                improvement_story=improvement[k % len(improvement)] if improvement else None)
            outputs = services.measure_outputs(measures, up_to=services.data_cut_off(day))
            MeasureNarrative.objects.bulk_create([
                MeasureNarrative(report=report, measure=m, updated_by=by,
                                 text=narrative_for({"name": m.name, **outputs[m.pk]})) for m in measures])
            if day < ctx.today:
                services.publish(report, by=by)
                # Published a week before the meeting, as the board pack is.
                at = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9, 30)))
                BoardReport.objects.filter(pk=report.pk).update(published_at=at, created_at=at)
        made += 1
    ctx.out(f"  board reports: {made} new ({len(past)} published, 1 draft for {upcoming:%-d %B %Y}); "
            f"{len(Measure.objects.for_board())} Whole System Measures")
