import datetime as dt

import pytest
from django.urls import reverse

from capability import services
from capability.models import CoachProposal, Course, CourseKind
from coaching.services import suggest_coaches
from notifications.models import Notification
from organisation.models import CoachProfile, Role

from ..factories import CoachProfileFactory, UserFactory
from ..workflow import approved_project
from .conftest import make_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_course(all_staff):
    return Course.objects.create(name="QI coach programme", kind=CourseKind.COACH, audience=all_staff,
                                 length="Six days", sessions=2, min_sessions=2)


def complete(cohort, person):
    enrolment = services.enrol(cohort, person)
    services.record_attendance(cohort, {(enrolment.pk, s.pk): True for s in cohort.session_set.all()})
    enrolment.refresh_from_db()
    return enrolment


def test_finishing_the_coach_programme_proposes_the_graduate_to_the_qi_department(
        coach_course, ia, qiadmin, make_person):
    cohort = make_cohort(coach_course, facilitators=[ia])
    graduate = make_person()
    complete(cohort, graduate)
    proposal = CoachProposal.objects.get(person=graduate)
    assert proposal.suggested_supervisor == ia
    assert Notification.objects.filter(user=qiadmin, kind=services.PROPOSAL_KIND).exists()


def test_qi_admin_adds_the_graduate_to_the_pool_with_the_prefilled_profile(
        client, coach_course, ia, qiadmin, make_person):
    cohort = make_cohort(coach_course, facilitators=[ia])
    graduate = make_person()
    enrolment = complete(cohort, graduate)
    proposal = CoachProposal.objects.get(person=graduate)
    client.force_login(qiadmin)
    page = client.get(reverse("capability:proposals")).content.decode()
    assert graduate.name in page and ia.email in page
    response = client.post(reverse("capability:proposal_decide", args=[proposal.pk]), {
        f"p{proposal.pk}-decision": "add", f"p{proposal.pk}-hours_per_week": "3", f"p{proposal.pk}-max_teams": "2",
        f"p{proposal.pk}-supervisor": ia.email})
    assert response.status_code == 302
    profile = CoachProfile.objects.get(user=graduate)
    assert (profile.supervisor, profile.trained_on, float(profile.hours_per_week)) == (ia, enrolment.completed_on, 3)
    assert graduate.role_assignments.filter(role=Role.COACH).exists()
    proposal.refresh_from_db()
    assert proposal.outcome == "added" and proposal.decided_by == qiadmin


def test_declining_a_graduate_needs_a_reason(client, coach_course, qiadmin, make_person):
    complete(make_cohort(coach_course), make_person())
    proposal = CoachProposal.objects.get()
    client.force_login(qiadmin)
    page = client.post(reverse("capability:proposal_decide", args=[proposal.pk]), {
        f"p{proposal.pk}-decision": "decline", f"p{proposal.pk}-hours_per_week": "2",
        f"p{proposal.pk}-max_teams": "2"})
    assert page.status_code == 400 and "Say why" in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.outcome == ""


@pytest.mark.parametrize("persona", ["staff", "coach", "ia", "board", "chair"], indirect=True)
def test_only_the_qi_department_decides_proposals(client, persona, coach_course, make_person):
    complete(make_cohort(coach_course), make_person())
    client.force_login(persona)
    assert client.get(reverse("capability:proposals")).status_code == 403
    assert client.post(reverse("capability:proposal_decide", args=[CoachProposal.objects.get().pk])).status_code == 403


def test_a_coach_who_completes_the_programme_is_marked_trained_not_proposed(coach_course, coach):
    enrolment = complete(make_cohort(coach_course), coach)
    assert not CoachProposal.objects.exists()
    assert CoachProfile.objects.get(user=coach).trained_on == enrolment.completed_on


def test_coach_suggestions_prefer_trained_coaches(directorate, ward):
    untrained = CoachProfileFactory(user=UserFactory(team=ward, roles=[Role.STAFF, Role.COACH],
                                                     display_name="Aaron Untrained"), hours_per_week=4)
    trained = CoachProfileFactory(user=UserFactory(team=ward, roles=[Role.STAFF, Role.COACH],
                                                   display_name="Zoe Trained"), trained_on=dt.date(2025, 5, 1))
    order = [c.profile.pk for c in suggest_coaches(directorate.pk)]
    assert order.index(trained.pk) < order.index(untrained.pk)


def test_the_project_team_card_shows_how_many_members_are_trained(client, ward, chair, coach, sponsor, pocket_cohort):
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    complete(pocket_cohort, project.lead)
    client.force_login(project.lead)
    page = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert "Trained in QI:" in page and "1 of 1" in page and "Pocket QI 1" in page


def test_a_person_sees_their_own_training_on_their_profile_and_others_do_not(client, staff, outsider,
                                                                             pocket_cohort):
    complete(pocket_cohort, staff)
    client.force_login(staff)
    assert "Pocket QI" in client.get(reverse("organisation:profile")).content.decode()
    client.force_login(outsider)
    assert "training-record" not in client.get(reverse("organisation:person", args=[staff.pk])).content.decode()


def test_the_graduate_prints_their_certificate_and_others_cannot(client, staff, outsider, pocket_cohort):
    enrolment = complete(pocket_cohort, staff)
    client.force_login(staff)
    response = client.get(reverse("capability:certificate", args=[enrolment.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(outsider)
    assert client.get(reverse("capability:certificate", args=[enrolment.pk])).status_code == 404


def test_there_is_no_certificate_before_completion(client, staff, wave):
    enrolment = services.enrol(wave, staff)
    client.force_login(staff)
    assert client.get(reverse("capability:certificate", args=[enrolment.pk])).status_code == 404
