"""The demo trust's assurance: a year of WalkRounds with actions overdue, two accreditation rounds with awards
moving, huddles with open escalations; a second run adds nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from assurance.models import Action, Assessment, Escalation, Framework, Huddle, PlannedWalkRound, WalkRound

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in (WalkRound, Action, Assessment, Huddle, Escalation)}


def test_the_demo_has_a_year_of_assurance_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    assert WalkRound.objects.count() == 52
    assert WalkRound.objects.filter(date__gte=today - timezone.timedelta(days=365)).count() >= 50
    assert Action.objects.overdue().filter(owner__username="staff").exists()
    assert Action.objects.overdue().exclude(owner__username="staff").count() >= 3
    assert PlannedWalkRound.objects.filter(walkround__isnull=True).exists()
    assert Framework.objects.count() == 2
    willow = list(Assessment.objects.published().filter(team__name="Willow Ward").order_by("visit_date")
                  .values_list("framework__version", "award"))
    assert willow == [(1, "bronze"), (2, "silver")]
    assert Assessment.objects.filter(status="draft", assessors__username="serviceuser").exists()
    assert Escalation.objects.unresolved_since(timezone.now() - timezone.timedelta(days=7)).exists()
    assert Huddle.objects.values("team").distinct().count() == 4
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
