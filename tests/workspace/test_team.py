"""The team on the project, and service-user involvement that follows it unless overridden with a reason."""

import pytest
from django.urls import reverse

from organisation.models import ExternalOrganisation, LivedExperience, Role
from projects.models import Involvement, ProjectMember
from tests.factories import UserFactory
from workspace.models import InvolvementOverride
from workspace.services import WorkspaceError, involvement_from_team, remove_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def robin(ward):
    return UserFactory(username="robin", team=ward, lived_experience=LivedExperience.SERVICE_USER,
                       roles=[Role.SERVICE_USER])


@pytest.fixture
def carer(ward):
    return UserFactory(username="kim", team=ward, lived_experience=LivedExperience.CARER, roles=[Role.SERVICE_USER])


def test_adding_service_users_raises_involvement_and_leaving_lowers_it(client, staff, project, robin, carer):
    client.force_login(staff)
    url = reverse("workspace:team", args=[project.pk])
    client.post(url, {"member-person": "robin", "member-role": "service_user", "member-joined_on": "2026-02-01"})
    project.refresh_from_db()
    assert project.involvement == Involvement.OCCASIONAL
    client.post(url, {"member-person": carer.email, "member-role": "carer", "member-joined_on": "2026-02-01"})
    project.refresh_from_db()
    assert project.involvement == Involvement.FULL
    membership = ProjectMember.objects.get(project=project, person=robin)
    client.post(reverse("workspace:member_leave", args=[membership.pk]))
    membership.refresh_from_db()
    project.refresh_from_db()
    assert membership.left_on is not None and project.involvement == Involvement.OCCASIONAL
    body = client.get(url).content.decode()
    assert "Earlier members" in body and robin.name in body
    assert project.events.filter(summary__contains="joined the team").count() == 2


def test_the_same_person_cannot_join_twice_and_unknown_people_are_explained(client, staff, project, robin):
    client.force_login(staff)
    url = reverse("workspace:team", args=[project.pk])
    client.post(url, {"member-person": "robin", "member-role": "member", "member-joined_on": "2026-02-01"})
    again = client.post(url, {"member-person": "robin", "member-role": "member", "member-joined_on": "2026-02-01"})
    assert "already on the team" in again.content.decode()
    nobody = client.post(url, {"member-person": "nobody", "member-role": "member", "member-joined_on": "2026-02-01"})
    assert "Nobody with that username" in nobody.content.decode()


def test_external_partners_name_their_organisation(client, staff, project, ward):
    partner = UserFactory(username="gp", team=None, roles=[])
    council = ExternalOrganisation.objects.create(name="Riverside Council")
    client.force_login(staff)
    url = reverse("workspace:team", args=[project.pk])
    missing = client.post(url, {"member-person": "gp", "member-role": "partner", "member-joined_on": "2026-02-01"})
    assert "Which organisation" in missing.content.decode()
    client.post(url, {"member-person": "gp", "member-role": "partner", "member-organisation": council.pk,
                      "member-joined_on": "2026-02-01"})
    assert ProjectMember.objects.get(person=partner).organisation == council


def test_the_lead_cannot_be_removed(staff, project):
    with pytest.raises(WorkspaceError):
        remove_member(ProjectMember.objects.get(project=project, person=staff), by=staff)


def test_involvement_is_overridden_with_a_reason_and_the_history_is_kept(client, coach, project, robin):
    client.force_login(coach)
    url = reverse("workspace:involvement", args=[project.pk])
    client.post(url, {"inv-level": "full", "inv-reason": ""})
    assert not InvolvementOverride.objects.exists()
    client.post(url, {"inv-level": "full", "inv-reason": "Service users join every PDSA review"})
    project.refresh_from_db()
    assert project.involvement == Involvement.FULL
    client.post(url, {"inv-level": "", "inv-reason": "Back to what the team shows"})
    project.refresh_from_db()
    assert project.involvement == Involvement.NONE
    assert InvolvementOverride.objects.filter(project=project).count() == 2
    body = client.get(reverse("workspace:team", args=[project.pk])).content.decode()
    assert "Service users join every PDSA review" in body and "Back to what the team shows" in body


def test_involvement_from_team_counts_current_service_users_and_carers():
    class M:
        def __init__(self, role, left_on=None):
            self.role, self.left_on = role, left_on

    assert involvement_from_team([M("lead"), M("member")]) == Involvement.NONE
    assert involvement_from_team([M("service_user"), M("carer", "2026-01-01")]) == Involvement.OCCASIONAL
    assert involvement_from_team([M("service_user"), M("carer")]) == Involvement.FULL
