"""Projects in the organisation settings: QI admins read them; status never changes there."""

import pytest
from django.urls import reverse

from ..factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_qi_admin_lists_and_opens_projects_with_status_read_only(client, qiadmin, ward):
    project = ProjectFactory(team=ward, title="Safer evenings")
    client.force_login(qiadmin)
    assert "Safer evenings" in client.get(reverse("admin:projects_project_changelist")).content.decode()
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    assert client.get(reverse("admin:projects_project_add")).status_code == 403


def test_staff_cannot_open_projects_in_settings(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 403
