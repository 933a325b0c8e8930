"""What the audit log records: who, when, which object, which fields from what to what."""

import pytest
from auditlog.context import set_actor
from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.models import AuditEntry
from audit.tracked import tracked_models
from ingest.models import ApiToken
from organisation.models import Team
from workspace.models import ChangeIdea, Driver, PDSACycle
from workspace.services import add_change_idea, add_driver

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))


def test_a_change_made_in_a_page_names_the_person_and_the_field_from_what_to_what(client, staff, project):
    driver = add_driver(project, text="A calm ward day")
    client.force_login(staff)
    response = client.post(reverse("workspace:driver_edit", args=[driver.pk]), {"text": "A calm, predictable day"})
    assert response.status_code == 302
    entry = entries_for(driver).filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == staff
    assert entry.changes["text"] == ["A calm ward day", "A calm, predictable day"]
    assert entry.project_id == project.pk
    assert entry.origin == f"web POST {reverse('workspace:driver_edit', args=[driver.pk])}"


def test_creating_and_deleting_are_recorded_with_the_project_they_belong_to(project, staff):
    with set_actor(staff):
        primary = add_driver(project, text="Staff skilled and supported")
        secondary = add_driver(project, text="Debrief after incidents", parent=primary)
        idea = add_change_idea(project, title="Ten-minute debrief", secondary_drivers=[secondary])
    created = entries_for(idea).get(action=AuditEntry.Action.CREATE)
    assert created.actor == staff and created.project_id == project.pk
    assert created.changes["title"] == ["None", "Ten-minute debrief"]
    idea_pk = idea.pk
    idea.delete()
    deleted = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(ChangeIdea),
                                     object_pk=str(idea_pk), action=AuditEntry.Action.DELETE)
    assert deleted.project_id == project.pk


def test_a_pdsa_cycle_belongs_to_its_change_idea_s_project(project, staff):
    import datetime as dt

    idea = add_change_idea(project, title="Safety huddle")
    cycle = PDSACycle.objects.create(change_idea=ChangeIdea.objects.get(pk=idea.pk), number=1,
                                     planned_start=dt.date(2026, 1, 5), created_by=staff)
    cycle = PDSACycle.objects.get(pk=cycle.pk)  # loaded without its change idea
    cycle.prediction = "Fewer incidents on the evening shift"
    cycle.save()
    entry = entries_for(cycle).get(action=AuditEntry.Action.UPDATE)
    assert entry.project_id == project.pk
    assert entry.changes == {"prediction": ["", "Fewer incidents on the evening shift"]}


def test_work_with_no_person_behind_it_is_the_system_s(ward):
    ward.name = "Willow Ward (renamed)"
    ward.save()
    entry = entries_for(ward).get(action=AuditEntry.Action.UPDATE)
    assert entry.actor is None and entry.by_system
    assert entry.origin  # "system", or the management command that ran


@shared_task(name="tests.audit.rename_team")
def rename_team(team_id: int, name: str) -> None:
    team = Team.objects.get(pk=team_id)
    team.name = name
    team.save()


def test_a_celery_task_s_changes_are_the_system_s_and_name_the_task(ward):
    rename_team.delay(ward.pk, "Willow Ward, upstairs")
    entry = entries_for(ward).get(action=AuditEntry.Action.UPDATE)
    assert entry.actor is None
    assert entry.origin == "task tests.audit.rename_team"


def test_timestamps_and_counters_are_not_changes(project, coach):
    profile = type(coach.coach_profile).objects.get(user=coach)
    profile.current_teams = 5
    profile.save()
    assert not entries_for(profile).filter(action=AuditEntry.Action.UPDATE).exists()
    before = entries_for(project).count()
    project.save()  # only updated_at moves
    assert entries_for(project).count() == before


def test_revoking_an_api_token_records_who_revoked_it_and_never_the_secret(qiadmin):
    token, secret = ApiToken.issue(name="Data warehouse", by=qiadmin)
    created = entries_for(token).get(action=AuditEntry.Action.CREATE)
    assert "secret_hash" not in created.changes
    with set_actor(qiadmin):
        assert token.revoke(by=qiadmin)
    revoked = entries_for(token).get(action=AuditEntry.Action.UPDATE)
    assert revoked.actor == qiadmin
    assert set(revoked.changes) == {"revoked_at", "revoked_by"}
    assert revoked.changes["revoked_by"] == ["None", str(qiadmin.pk)]
    assert secret not in str(AuditEntry.objects.values_list("changes", flat=True))


def test_a_password_change_is_recorded_masked(staff):
    staff.set_password("a new long passphrase")
    staff.save()
    change = entries_for(staff).get(action=AuditEntry.Action.UPDATE).changes["password"]
    assert change[1].startswith("*") and change[1] != staff.password


def test_every_governance_model_is_tracked():
    from auditlog.registry import auditlog

    names = {m._meta.label for m in tracked_models()}
    assert {"projects.Project", "workspace.AimVersion", "workspace.Driver", "workspace.ChangeIdea",
            "workspace.PDSACycle", "measures.Measure", "measures.SPCConfig", "organisation.Team",
            "organisation.RoleAssignment", "ingest.ApiToken", "board.BoardReport"} <= names
    assert all(auditlog.contains(m) for m in tracked_models())
    assert Driver in tracked_models()


def test_programmes_and_capability_settings_are_tracked():
    names = {m._meta.label for m in tracked_models()}
    assert {"programmes.Programme", "programmes.Enrolment", "programmes.MeasureTemplate", "programmes.Candidacy",
            "programmes.LearningSession", "capability.Course", "capability.Cohort", "capability.DoseTarget",
            "capability.Audience"} <= names
    assert "programmes.StageMove" not in names  # a record of its own, never doubled


def test_a_programme_s_aim_changed_in_its_page_names_the_person_and_the_old_aim(client, qiadmin):
    from programmes.services import create_programme

    programme = create_programme(by=qiadmin, lead=qiadmin, title="Safer wards", topic="violence reduction",
                                 aim="Halve incidents by March 2028")
    client.force_login(qiadmin)
    response = client.post(reverse("programmes:edit", args=[programme.pk]), {
        "title": "Safer wards", "topic": "violence reduction", "lead": qiadmin.pk,
        "aim": "Cut incidents by a third by March 2028", "planned_teams": 12})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries_for(programme).filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == qiadmin
    assert entry.changes["aim"] == ["Halve incidents by March 2028", "Cut incidents by a third by March 2028"]
