"""The idea form: a draft that saves with what it has, errors beside the fields, and the team around it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import AnnualPriority, ExternalOrganisation, LivedExperience, Role
from projects.models import EventKind, Involvement, MemberRole, Project, ProjectMember, ProjectStatus

from ..factories import ObjectiveFactory, ProjectFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_member_saves_a_draft_before_the_conditions_are_confirmed(client, staff, ward, idea_data):
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(condition_team_agreed=None,
                                                                     condition_whole_team=None))
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == reverse("projects:idea_edit", args=[project.pk])
    assert project.status == ProjectStatus.DRAFT
    assert (project.lead, project.created_by, project.team, project.directorate) == (
        staff, staff, ward, ward.directorate)
    assert not project.conditions_met and project.condition_matters_most
    assert project.members.get().role == MemberRole.LEAD
    assert project.events.get().kind == EventKind.STATUS


def test_save_and_review_goes_to_the_submit_page(client, staff, idea_data):
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(action="review"))
    assert response.url == reverse("projects:idea_submit", args=[Project.objects.get().pk])


def test_validation_errors_appear_beside_the_fields_and_keep_what_was_typed(client, staff, idea_data):
    client.force_login(staff)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("projects:idea_new"), idea_data(title="", aim_by_when=yesterday))
    html = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert 'id="error_1_id_title"' in html and "Give the idea a short title." in html
    assert 'id="error_1_id_aim_by_when"' in html and "The aim&#x27;s date must be in the future." in html
    assert "Falls at night have doubled since the spring" in html
    assert f'value="{yesterday}"' in html
    assert "nothing you typed has been lost" in html


def test_the_form_offers_own_directorates_teams_and_the_three_conditions_in_full(
        client, staff, ward, other_ward):
    client.force_login(staff)
    html = client.get(reverse("projects:idea_new")).content.decode()
    assert f'<optgroup label="{ward.directorate.name}">' in html and f">{ward.name}</option>" in html
    # Other directorates' teams are found by name (a trust may have thousands), not listed.
    assert f">{other_ward.name}</option>" not in html
    assert reverse("organisation:team_search") in html and reverse("organisation:people_search") in html
    assert "The whole team, service users included, agreed that this is our biggest opportunity" in html
    assert "not one person, and not one profession" in html
    assert "that is a legitimate answer" in html
    assert "Save draft" in html and "Save and review for submission" in html


def test_no_alignment_is_a_legitimate_answer(client, staff, idea_data):
    ObjectiveFactory(name="Experience of care")
    client.force_login(staff)
    client.post(reverse("projects:idea_new"), idea_data())
    project = Project.objects.get()
    assert not project.objectives.exists() and not project.priorities.exists()


def test_alignment_offers_objectives_and_only_this_years_priorities(client, staff, idea_data):
    objective = ObjectiveFactory(name="Experience of care")
    this_year = AnnualPriority.objects.create(year=timezone.localdate().year, name="Reducing restrictive practice")
    AnnualPriority.objects.create(year=timezone.localdate().year - 2, name="An old priority")
    client.force_login(staff)
    html = client.get(reverse("projects:idea_new")).content.decode()
    assert "Reducing restrictive practice" in html and "An old priority" not in html
    client.post(reverse("projects:idea_new"), idea_data(objectives=[objective.pk], priorities=[this_year.pk]))
    project = Project.objects.get()
    assert list(project.objectives.all()) == [objective] and list(project.priorities.all()) == [this_year]


def test_team_members_get_roles_from_who_they_are(client, staff, ward, idea_data):
    nurse = UserFactory(team=ward, roles=[Role.STAFF])
    expert = UserFactory(team=ward, lived_experience=LivedExperience.SERVICE_USER, roles=[Role.SERVICE_USER])
    carer = UserFactory(team=None, lived_experience=LivedExperience.CARER)
    council = ExternalOrganisation.objects.create(name="Riverside Borough Council")
    partner = UserFactory(team=None, external_organisation=council)
    client.force_login(staff)
    html = client.get(reverse("projects:idea_new")).content.decode()
    assert '<optgroup label="Service users and carers">' in html and '<optgroup label="External partners">' in html
    client.post(reverse("projects:idea_new"), idea_data(members=[nurse.pk, expert.pk, carer.pk, partner.pk]))
    roles = {m.person: (m.role, m.organisation) for m in Project.objects.get().members.all()}
    assert roles == {
        staff: (MemberRole.LEAD, None),
        nurse: (MemberRole.MEMBER, None),
        expert: (MemberRole.SERVICE_USER, None),
        carer: (MemberRole.CARER, None),
        partner: (MemberRole.PARTNER, council),
    }


def test_editing_keeps_the_team_and_records_who_left(client, staff, ward, idea_data):
    stays, leaves, joins = (UserFactory(team=ward) for _ in range(3))
    client.force_login(staff)
    client.post(reverse("projects:idea_new"), idea_data(members=[stays.pk, leaves.pk]))
    project = Project.objects.get()
    response = client.get(reverse("projects:idea_edit", args=[project.pk]))
    assert response.context["form"].initial["members"] == [stays.pk, leaves.pk]
    client.post(reverse("projects:idea_edit", args=[project.pk]),
                idea_data(title="Fewer falls at night", members=[stays.pk, joins.pk]))
    project.refresh_from_db()
    assert project.title == "Fewer falls at night"
    current = set(ProjectMember.objects.filter(project=project, left_on__isnull=True).values_list("person", flat=True))
    assert current == {staff.pk, stays.pk, joins.pk}
    assert ProjectMember.objects.get(project=project, person=leaves).left_on == timezone.localdate()


def test_moving_the_idea_to_another_team_moves_it_to_that_directorate(client, staff, other_ward, idea_data):
    project = ProjectFactory(lead=staff, team=staff.team)
    client.force_login(staff)
    client.post(reverse("projects:idea_edit", args=[project.pk]), idea_data(team=other_ward.pk))
    project.refresh_from_db()
    assert project.directorate == other_ward.directorate


def test_the_form_cannot_change_the_status(client, staff, idea_data):
    project = ProjectFactory(lead=staff, team=staff.team)
    client.force_login(staff)
    client.post(reverse("projects:idea_edit", args=[project.pk]), idea_data(status=ProjectStatus.ACTIVE))
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_a_service_user_on_the_team_can_edit_the_idea(client, staff, serviceuser, idea_data):
    project = ProjectFactory(lead=staff, team=staff.team)
    ProjectMember.objects.create(project=project, person=serviceuser, role=MemberRole.SERVICE_USER,
                                 joined_on=timezone.localdate())
    client.force_login(serviceuser)
    assert client.get(reverse("projects:idea_edit", args=[project.pk])).status_code == 200
    response = client.post(reverse("projects:idea_edit", args=[project.pk]),
                           idea_data(involvement=Involvement.FULL, members=[serviceuser.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.involvement == Involvement.FULL


def test_a_service_user_can_start_an_idea(client, serviceuser, idea_data):
    client.force_login(serviceuser)
    assert client.post(reverse("projects:idea_new"), idea_data()).status_code == 302
    assert Project.objects.get().lead == serviceuser


def test_an_inactive_team_is_not_offered_for_a_new_idea(client, staff, directorate):
    closed = TeamFactory(directorate=directorate, name="Closed Ward", active=False)
    client.force_login(staff)
    html = client.get(reverse("projects:idea_new")).content.decode()
    assert closed.name not in html


def test_a_team_or_person_found_by_search_is_accepted_and_shown_chosen(client, staff, other_ward, idea_data):
    """Only suggestions are listed, but any active team or person posted is valid and stays on the page."""
    far_away = UserFactory(team=other_ward, display_name="Far Away Nurse")
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(team=other_ward.pk, members=[far_away.pk],
                                                                   title=""))
    html = response.content.decode()
    assert response.status_code == 200  # the missing title keeps the form on screen
    assert f'<option value="{other_ward.pk}" selected>{other_ward.name}</option>' in html
    assert f'<option value="{far_away.pk}" selected>Far Away Nurse' in html
    client.post(reverse("projects:idea_new"), idea_data(team=other_ward.pk, members=[far_away.pk]))
    project = Project.objects.get()
    assert project.team == other_ward and project.members.filter(person=far_away).exists()


def test_the_people_and_team_searches(client, staff, ward, other_ward):
    UserFactory(team=other_ward, display_name="Priya Raman", job_title="Ward manager")
    client.force_login(staff)
    found = client.get(reverse("organisation:people_search"), {"q": "priya ward"}).json()["results"]
    assert [(r["label"], r["group"]) for r in found] == [(f"Priya Raman – {other_ward.name}", "Staff")]
    assert client.get(reverse("organisation:people_search"), {"q": "p"}).json() == {"results": []}
    assert client.get(reverse("organisation:people_search"),
                      {"q": staff.name.split()[0], "exclude": staff.pk}).json()["results"] == []
    teams = client.get(reverse("organisation:team_search"), {"q": "hazel"}).json()["results"]
    assert teams == [{"id": other_ward.pk, "label": other_ward.name, "group": other_ward.directorate.name}]


def test_the_searches_need_a_login(client):
    for name in ("organisation:people_search", "organisation:team_search", "organisation:directorate_search"):
        assert client.get(reverse(name), {"q": "ward"}).status_code == 302


def test_the_form_costs_the_same_however_many_people_and_teams(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("projects:idea_new"))
    for _ in range(30):
        UserFactory(team=TeamFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(reverse("projects:idea_new")).content.decode()
    assert html.count("<option") < 20


# Without scripts the pickers' search boxes are fields of the form: the form finds what was typed, shows
# the answer beside the field and saves nothing until the person has seen it and sends the form again.

def test_one_team_found_by_name_is_chosen_and_shown_before_anything_is_saved(client, staff, other_ward, idea_data):
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(find_team="hazel"))
    html = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert f'<option value="{other_ward.pk}" selected>Hazel Ward</option>' in html
    assert "One team matches “hazel”: Hazel Ward" in html and "Check it, then save again." in html
    assert 'name="find_team"' in html and 'value="hazel"' not in html  # the box is emptied: the next send saves
    assert "Falls at night have doubled since the spring" in html  # nothing typed is lost
    assert "Nothing is saved yet: check what your search found" in html

    again = idea_data(team=other_ward.pk)
    assert client.post(reverse("projects:idea_new"), again).status_code == 302
    assert Project.objects.get().team == other_ward


def test_several_teams_found_are_offered_and_none_is_chosen(client, staff, ward, other_directorate, idea_data):
    oak, elm = (TeamFactory(directorate=other_directorate, name=n) for n in ("Oak Ward", "Elm Ward North"))
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(find_team="ward"))
    html = response.content.decode()
    assert not Project.objects.exists()
    assert "3 teams match “ward”: choose from the list, then save again." in html
    assert f'<option value="{oak.pk}">Oak Ward</option>' in html and f'<option value="{elm.pk}">' in html
    assert f'<option value="{ward.pk}" selected>Willow Ward</option>' in html  # the choice so far is kept


def test_a_search_that_finds_nothing_says_so_and_escapes_what_was_typed(client, staff, idea_data):
    client.force_login(staff)
    html = client.post(reverse("projects:idea_new"), idea_data(find_team="<b>nowhere")).content.decode()
    assert "No team matches “&lt;b&gt;nowhere”. Try part of a name." in html and "<b>nowhere" not in html
    assert not Project.objects.exists()
    html = client.post(reverse("projects:idea_new"), idea_data(find_member="x")).content.decode()
    assert "Type two letters or more to find a person." in html
    html = client.post(reverse("projects:idea_new"), idea_data(title="", find_member="zz")).content.decode()
    assert "Please check the highlighted answers below" in html and "No person matches" in html


def test_one_person_found_by_name_joins_the_chosen_team_members(client, staff, idea_data):
    colleague = UserFactory(display_name="Farah Green", team=staff.team)
    partner = UserFactory(display_name="Quentin Oduya", team=None,
                          external_organisation=ExternalOrganisation.objects.create(name="Age UK Westshire"))
    client.force_login(staff)
    response = client.post(reverse("projects:idea_new"), idea_data(members=[colleague.pk], find_member="oduya"))
    html = response.content.decode()
    assert not Project.objects.exists()
    assert "One person matches “oduya”: Quentin Oduya – Age UK Westshire, now added to the team." in html
    assert f'<option value="{partner.pk}" selected>' in html and f'<option value="{colleague.pk}" selected>' in html

    client.post(reverse("projects:idea_new"), idea_data(members=[colleague.pk, partner.pk]))
    project = Project.objects.get()
    assert set(project.members.values_list("person__display_name", flat=True)) == {
        "Sam Okafor", "Farah Green", "Quentin Oduya"}


def test_editing_a_draft_answers_a_search_the_same_way(client, staff, ward, other_ward):
    draft = ProjectFactory(team=ward, lead=staff, created_by=staff, status=ProjectStatus.DRAFT)
    client.force_login(staff)
    url = reverse("projects:idea_edit", args=[draft.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update(title="A new title", find_team="hazel", involvement=Involvement.NONE,
                aim_by_when=(timezone.localdate() + dt.timedelta(days=90)).isoformat())
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if not isinstance(v, list)}
    html = client.post(url, data).content.decode()
    draft.refresh_from_db()
    assert "One team matches “hazel”" in html and 'value="A new title"' in html
    assert draft.title != "A new title" and draft.team == ward
