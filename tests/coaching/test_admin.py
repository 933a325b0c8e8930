"""Allocations are a read-only record in the settings; supervisions can be corrected there by QI admins."""

import datetime as dt

import pytest
from django.urls import reverse

from coaching.models import Allocation, Supervision

pytestmark = pytest.mark.django_db


def test_qi_admin_reads_allocations_but_cannot_change_them(client, qiadmin, project):
    client.force_login(qiadmin)
    listing = client.get(reverse("admin:coaching_allocation_changelist"), {"kind": "coach"})
    assert listing.status_code == 200 and project.title in listing.content.decode()
    allocation = Allocation.objects.filter(project=project).first()
    page = client.get(reverse("admin:coaching_allocation_change", args=[allocation.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:coaching_allocation_add")).status_code == 403
    assert client.post(reverse("admin:coaching_allocation_delete", args=[allocation.pk]),
                       {"post": "yes"}).status_code == 403
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_qi_admin_sees_supervisions(client, qiadmin, ia, coach):
    Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 4, 1), notes="n")
    client.force_login(qiadmin)
    assert coach.name in client.get(reverse("admin:coaching_supervision_changelist")).content.decode()


@pytest.mark.parametrize("persona", ["ia", "coach", "chair"], indirect=True)
def test_others_cannot_open_coaching_settings(client, persona):
    client.force_login(persona)
    assert client.get(reverse("admin:coaching_allocation_changelist")).status_code == 403
    assert client.get(reverse("admin:coaching_supervision_changelist")).status_code == 403
