import pytest
from django.core.management import call_command

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_seed_demo_logs_the_persona_projects_creation_as_the_system_s_and_only_once():
    call_command("seed_demo", verbosity=0)
    seeded = AuditEntry.objects.filter(origin="command seed_demo")
    first = seeded.count()
    assert first > 50
    assert not seeded.filter(actor__isnull=False).exists()
    assert seeded.values("project").distinct().count() >= 3
    call_command("seed_demo", verbosity=0)
    assert AuditEntry.objects.filter(origin="command seed_demo").count() == first
