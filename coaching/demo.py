"""Demo supervision: each Improvement Advisor has met most of their coaches about monthly for half a year.

A few coaches show what the IA's page is for: one whose supervision lapsed two months ago, and one new
to the role who has not been supervised yet (both show as due).
"""

from __future__ import annotations

import datetime as dt

from organisation.models import CoachProfile
from organisation.seeding import DemoContext

from .models import Supervision

MONTHS = 6
NOTES = [
    "Went through the team's run chart together: six points below the median, so a shift is close. Agreed the "
    "coach will help the team write up what they changed before testing the next idea.",
    "The team's first PDSA cycle was too big (the whole ward at once). Talked through making the next one "
    "smaller: one shift, one nurse, two days.",
    "Coach is worried the team's data collection depends on one person. Suggested adding the tally to the "
    "safety huddle so it does not lapse when she is on leave.",
    "Reviewed the driver diagram with the coach: the change ideas do not yet involve service users. The "
    "coach will invite two people from the community meeting to the next session.",
    "Quiet month: clinical pressures meant the team met once. Agreed that is fine; the coach will check in "
    "by phone rather than cancel.",
    "Talked about the coach's second team, which is ready to start. Capacity is tight at three hours a week; "
    "agreed to review at the next supervision before taking on more.",
    "The team's aim has no date yet. Practised with the coach how to ask 'by when?' without taking the "
    "aim over.",
    "Looked at the sponsor's update: the team needs estates support for the lighting change. The coach will "
    "raise it with the sponsor this week.",
]


def seed_supervision(ctx: DemoContext) -> None:
    """Monthly supervision for every supervised coach who has none yet (so running it again adds nothing)."""
    already = set(Supervision.objects.values_list("coach_id", flat=True).distinct())
    profiles = CoachProfile.objects.filter(supervisor__isnull=False).order_by("user_id")
    rows, coaches = [], 0
    for n, (coach_id, advisor_id) in enumerate(profiles.values_list("user_id", "supervisor_id")):
        pattern = n % 7  # by place among all coaches, so a second run sees the same ones as new
        if pattern == 6 or coach_id in already:
            continue  # new to the role (not supervised yet), or written by an earlier run
        coaches += 1
        first_month = 2 if pattern == 5 else 0  # lapsed: the last one was two months ago
        for month in range(first_month, MONTHS):
            day = ctx.today - dt.timedelta(days=30 * month + ctx.rng.randint(3, 20))
            rows.append(Supervision(advisor_id=advisor_id, coach_id=coach_id, date=day,
                                    notes=NOTES[(n + month) % len(NOTES)]))
    Supervision.objects.bulk_create(rows, batch_size=2000)
    ctx.out(f"supervision: {len(rows)} sessions logged for {coaches} coaches")
