"""The audit log journey: the QI admin renames a team in Settings, finds the change in the audit log by
person and kind of record (from what to what), and reaches a project's part of the log from its page."""

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_qi_admin_finds_a_settings_change_and_a_project_s_changes_in_the_audit_log(
        page, live_server, demo_trust, login, shot, axe_check):
    from organisation.models import Team
    from projects.models import Project

    team = Team.objects.order_by("pk").first()
    login("qiadmin")
    page.goto(f"{live_server.url}/settings/organisation/team/{team.pk}/change/")
    page.locator("#id_name").fill(f"{team.name} (renamed)")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/settings/organisation/team/")

    page.goto(f"{live_server.url}/")
    page.locator("#main-nav [data-nav='group:Settings']").click()
    page.locator("#main-nav").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit/")
    page.get_by_label("Who").fill("qiadmin")
    page.get_by_label("Kind of record").select_option(label="Team")
    page.get_by_role("button", name="Filter").click()
    entry = page.get_by_test_id("audit-entry").first
    assert f"{team.name} → {team.name} (renamed)" in entry.inner_text()
    axe_check("audit log, filtered")
    shot("audit-log-filtered")

    project = Project.objects.filter(status="active", lead__username="staff").order_by("pk").first()
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_test_id("audit-link").click()
    page.wait_for_url(f"**/audit/projects/{project.pk}/")
    assert project.title in page.locator("h1").inner_text()
    assert page.get_by_test_id("audit-entry").count() > 0  # seed_demo's records, logged as the system's
    axe_check("a project's part of the audit log")
    shot("audit-log-project")
