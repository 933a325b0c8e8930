"""The QI admin's audit log pages: search, filter, page, export; refused to everyone else; read-only."""

import csv
import io

import pytest
from auditlog.context import set_actor
from django.urls import reverse

from audit.models import AuditEntry
from organisation.models import Team
from tests.conftest import PERSONA_NAMES
from workspace.services import add_driver

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(project, staff, coach, ward):
    with set_actor(staff):
        for i in range(6):
            driver = add_driver(project, text=f"Driver {i}")
    with set_actor(coach):
        driver.text = "Renamed by the coach"
        driver.save()
    ward.name = "Willow Ward (system)"
    ward.save()
    return driver


@pytest.mark.parametrize("persona", [p for p in PERSONA_NAMES if p != "qiadmin"], indirect=True)
def test_everyone_but_the_qi_department_is_refused(client, persona, project):
    client.force_login(persona)
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:project", args=[project.pk])).status_code == 403
    assert client.get(reverse("audit:log") + "?format=csv").status_code == 403


def test_someone_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_qi_admin_filters_by_person_kind_and_date(client, qiadmin, history):
    client.force_login(qiadmin)
    page = client.get(reverse("audit:log"), {"person": "Chris"}).content.decode()
    assert "Renamed by the coach" in page and "Driver 0" not in page
    assert "Driver 5 → Renamed by the coach" in page.replace("&gt;", ">")
    system = client.get(reverse("audit:log"), {"person": "system"}).content.decode()
    assert "Willow Ward (system)" in system and "Renamed by the coach" not in system
    from django.contrib.contenttypes.models import ContentType

    teams = client.get(reverse("audit:log"), {"object_type": ContentType.objects.get_for_model(Team).pk})
    assert all(e.content_type.model == "team" for e in (r.entry for r in teams.context["rows"]))
    future = client.get(reverse("audit:log"), {"date_from": "2099-01-01"})
    assert future.context["page"].paginator.count == 0


def test_a_date_range_the_wrong_way_round_is_answered_beside_the_field(client, qiadmin, history):
    client.force_login(qiadmin)
    response = client.get(reverse("audit:log"), {"date_from": "2026-02-01", "date_to": "2026-01-01",
                                                 "person": "Chris"})
    assert response.status_code == 200
    assert "comes before its start" in response.content.decode()
    assert 'value="Chris"' in response.content.decode()  # nothing typed is lost


def test_the_project_page_links_qi_admins_to_its_part_of_the_log(client, qiadmin, staff, project, history, ward):
    client.force_login(staff)
    assert 'data-testid="audit-link"' not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(qiadmin)
    page = client.get(project.get_absolute_url()).content.decode()
    url = reverse("audit:project", args=[project.pk])
    assert f'href="{url}"' in page
    rows = client.get(url).context["rows"]
    assert rows and all(r.entry.project_id == project.pk for r in rows)
    assert not any(r.entry.content_type.model == "team" for r in rows)


def test_the_log_is_paged_and_its_query_count_does_not_grow(client, qiadmin, project, staff,
                                                            django_assert_max_num_queries):
    client.force_login(qiadmin)
    with set_actor(staff):
        for i in range(120):
            add_driver(project, text=f"Driver {i}")
    client.get(reverse("audit:log"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:log"), {"page": 2})
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages >= 3


def test_the_export_is_a_csv_of_every_matching_change_one_line_per_field(client, qiadmin, history):
    client.force_login(qiadmin)
    response = client.get(reverse("audit:log"), {"person": "Chris", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["when", "who", "origin"]
    assert [line[8:] for line in lines[1:]] == [["text", "Driver 5", "Renamed by the coach"]]
    assert lines[1][1] == "Chris Adeyemi"


def test_the_export_reads_past_one_batch(qiadmin, project, staff):
    from audit import services

    with set_actor(staff):
        for i in range(7):
            add_driver(project, text=f"Driver {i}")
    lines = list(services.csv_lines(services.entries({"person": "Sam"}), batch=3))
    assert len([line for line in lines[1:] if line[8] == "text"]) == 7


def test_nobody_edits_or_deletes_the_log_in_the_settings_screens(client, qiadmin, history):
    client.force_login(qiadmin)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change = client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"object_repr": "x"})
    assert change.status_code in (200, 403)
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "x"
