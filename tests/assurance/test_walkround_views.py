"""An executive records a WalkRound, the team and owners follow it up; everyone else is refused."""

import datetime as dt

import pytest
from django.urls import reverse

from assurance.models import Action, ActionStatus, WalkRound
from assurance.services import plan_walkround

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(team, executive, **extra):
    data = {"date": (dt.date.today() - dt.timedelta(days=1)).isoformat(), "executives": [executive.pk],
            "proud_of": "Our welcome pack", "working_to_improve": "Falls at night",
            "getting_in_the_way": "Agency staff turnover", "taking_care": "Reflective practice",
            "actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0", "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "10"}
    data.update(extra)
    return data


def test_executive_records_a_walkround_with_an_action(client, executive, ward, staff):
    client.force_login(executive)
    url = reverse("assurance:walkround_new", args=[ward.pk])
    page = client.get(url)
    assert page.status_code == 200 and "never visited before" in page.content.decode()
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = client.post(url, _post(ward, executive, **{
        "actions-0-description": "Agency induction card", "actions-0-owner": staff.pk, "actions-0-due": due}))
    walkround = WalkRound.objects.get()
    assert response.status_code == 302 and response.url == walkround.get_absolute_url()
    action = Action.objects.get()
    assert (action.owner, action.team, str(action.due)) == (staff, ward, due)
    html = client.get(response.url).content.decode()
    assert "Agency staff turnover" in html and "Agency induction card" in html


def test_a_half_filled_action_is_refused_beside_its_field_and_nothing_is_lost(client, executive, ward):
    client.force_login(executive)
    response = client.post(reverse("assurance:walkround_new", args=[ward.pk]),
                           _post(ward, executive, **{"actions-1-description": "Agency induction card"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose who owns the action." in html and "Give the date it is due." in html
    assert "Agency induction card" in html and "Agency staff turnover" in html
    assert not WalkRound.objects.exists()


def test_a_future_date_is_refused(client, executive, ward):
    client.force_login(executive)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("assurance:walkround_new", args=[ward.pk]), _post(ward, executive, date=tomorrow))
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert list(response.context["form"].errors) == ["date"]


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair"], indirect=True)
def test_only_executives_and_the_qi_department_record_walkrounds(client, persona, ward, executive):
    client.force_login(persona)
    url = reverse("assurance:walkround_new", args=[ward.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _post(ward, executive)).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair"], indirect=True)
def test_schedule_and_coverage_are_refused_to_other_roles(client, persona):
    client.force_login(persona)
    assert client.get(reverse("assurance:schedule")).status_code == 403
    assert client.get(reverse("assurance:coverage")).status_code == 403


def test_the_team_sees_its_walkround_and_another_team_gets_404(client, make_walkround, ward, staff, outsider):
    walkround = make_walkround(ward)
    client.force_login(staff)
    assert client.get(walkround.get_absolute_url()).status_code == 200
    client.force_login(outsider)
    assert client.get(walkround.get_absolute_url()).status_code == 404


def test_an_owner_from_another_team_sees_the_walkround_of_their_action(client, make_walkround, ward, outsider):
    walkround = make_walkround(ward, actions=[("Lend two bank staff", outsider, dt.date.today())])
    client.force_login(outsider)
    assert client.get(walkround.get_absolute_url()).status_code == 200


def test_the_owner_closes_the_action_and_the_history_shows_it(client, make_walkround, ward, staff):
    walkround = make_walkround(ward, actions=[("Fix the door", staff, dt.date.today())])
    action = walkround.actions.get()
    client.force_login(staff)
    response = client.post(reverse("assurance:action_update", args=[action.pk]),
                           {f"a{action.pk}-status": "done", f"a{action.pk}-note": "Estates fixed it",
                            f"a{action.pk}-current": "open"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert "Estates fixed it" in client.get(walkround.get_absolute_url()).content.decode()


def test_a_team_member_who_does_not_own_the_action_may_not_change_it(client, make_walkround, ward, staff):
    colleague = UserFactory(team=ward)
    walkround = make_walkround(ward, actions=[("Fix the door", staff, dt.date.today())])
    action = walkround.actions.get()
    client.force_login(colleague)
    response = client.post(reverse("assurance:action_update", args=[action.pk]),
                           {f"a{action.pk}-status": "done", f"a{action.pk}-current": "open"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_outsider_cannot_reach_an_action(client, make_walkround, ward, staff, outsider):
    action = make_walkround(ward, actions=[("Fix the door", staff, dt.date.today())]).actions.get()
    client.force_login(outsider)
    response = client.post(reverse("assurance:action_update", args=[action.pk]),
                           {f"a{action.pk}-status": "done", f"a{action.pk}-current": "open"})
    assert response.status_code == 404


def test_a_team_member_starts_an_idea_draft_from_what_gets_in_the_way(client, make_walkround, ward, staff):
    walkround = make_walkround(ward)
    client.force_login(staff)
    response = client.post(reverse("assurance:idea_new", args=[walkround.pk]),
                           {"source": "barrier", "lead": staff.pk})
    project = walkround.ideas.get().project
    assert response.status_code == 302 and response.url == reverse("projects:idea_edit", args=[project.pk])
    assert project.title.startswith("Agency staff do not know")
    assert project.title in client.get(walkround.get_absolute_url()).content.decode()


def test_an_idea_without_a_lead_is_refused_beside_the_field(client, make_walkround, ward, staff):
    walkround = make_walkround(ward)
    client.force_login(staff)
    response = client.post(reverse("assurance:idea_new", args=[walkround.pk]), {"source": "barrier"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not walkround.ideas.exists()


def test_an_executive_plans_a_proposed_team(client, executive, ward):
    client.force_login(executive)
    page = client.get(reverse("assurance:schedule"))
    assert page.status_code == 200 and ward.name in page.content.decode()
    week = dt.date.today() + dt.timedelta(days=7)
    response = client.post(reverse("assurance:schedule"), {"team": ward.pk, "executive": executive.pk,
                                                           "week_of": week.isoformat()})
    assert response.status_code == 302
    assert executive.planned_walkrounds.get().team == ward


def test_an_executive_may_not_plan_for_another(client, executive, other_executive, ward):
    client.force_login(executive)
    response = client.post(reverse("assurance:schedule"), {"team": ward.pk, "executive": other_executive.pk,
                                                           "week_of": dt.date.today().isoformat()})
    assert response.status_code == 403


def test_a_past_week_is_refused_with_a_message(client, executive, ward):
    client.force_login(executive)
    response = client.post(reverse("assurance:schedule"), {"team": ward.pk, "executive": executive.pk,
                                                           "week_of": "2020-01-06"})
    assert response.status_code == 400 and "has not passed yet" in response.content.decode()


def test_another_executive_cannot_cancel_a_plan(client, executive, other_executive, ward):
    plan = plan_walkround(executive=executive, team=ward, week_of=dt.date.today(), by=executive)
    client.force_login(other_executive)
    assert client.post(reverse("assurance:plan_cancel", args=[plan.pk])).status_code == 403
    client.force_login(executive)
    assert client.post(reverse("assurance:plan_cancel", args=[plan.pk])).status_code == 302
    assert not executive.planned_walkrounds.exists()


def test_overdue_actions_show_on_the_owners_home_page(client, make_walkround, ward, staff):
    make_walkround(ward, actions=[("Fix the door", staff, dt.date.today() - dt.timedelta(days=3))])
    client.force_login(staff)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-overdue-actions"' in html and "Fix the door" in html


def _grow(make_walkround, executive, staff, n):
    for i in range(n):
        team = TeamFactory(directorate=staff.team.directorate)
        make_walkround(team, actions=[(f"Action {i}", staff, dt.date.today() - dt.timedelta(days=1)),
                                      (f"Other {i}", executive, dt.date.today())])
        plan_walkround(executive=executive, team=TeamFactory(), week_of=dt.date.today(), by=executive)


@pytest.mark.parametrize("name", ["assurance:index", "assurance:schedule", "assurance:coverage"])
def test_lists_keep_a_flat_query_count(client, make_walkround, executive, staff, qiadmin, name,
                                       django_assert_max_num_queries):
    client.force_login(qiadmin)
    _grow(make_walkround, executive, staff, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(name)).status_code == 200
    baseline = len(small.captured_queries)  # now: a later request resets the log
    _grow(make_walkround, executive, staff, 6)
    with django_assert_max_num_queries(baseline):
        client.get(reverse(name))


def test_the_walkround_page_keeps_a_flat_query_count(client, make_walkround, ward, staff, executive,
                                                      django_assert_max_num_queries):
    few = make_walkround(ward, actions=[("One", staff, dt.date.today())])
    many = make_walkround(ward, actions=[(f"Action {i}", staff, dt.date.today()) for i in range(8)])
    client.force_login(executive)
    with django_assert_max_num_queries(25) as small:
        client.get(few.get_absolute_url())
    baseline = len(small.captured_queries)  # now: a later request resets the log
    with django_assert_max_num_queries(baseline):
        client.get(many.get_absolute_url())


def test_an_owner_from_another_team_may_not_start_the_teams_idea(client, make_walkround, ward, outsider):
    walkround = make_walkround(ward, actions=[("Lend two bank staff", outsider, dt.date.today())])
    client.force_login(outsider)
    response = client.post(reverse("assurance:idea_new", args=[walkround.pk]), {"source": "barrier"})
    assert response.status_code == 403 and not walkround.ideas.exists()


@pytest.mark.parametrize("persona", ["chair", "sponsor", "coach"], indirect=True)
def test_people_outside_the_team_cannot_see_its_walkround(client, persona, make_walkround, other_ward):
    walkround = make_walkround(other_ward)
    client.force_login(persona)
    assert client.get(walkround.get_absolute_url()).status_code == 404
    assert client.post(reverse("assurance:idea_new", args=[walkround.pk]), {"source": "barrier"}).status_code == 404


def test_the_daily_task_tells_owners_of_overdue_actions(make_walkround, ward, staff):
    from assurance.tasks import tell_overdue_actions

    make_walkround(ward, actions=[("Late one", staff, dt.date.today() - dt.timedelta(days=1))])
    assert tell_overdue_actions.delay().get() == 1
    assert tell_overdue_actions.delay().get() == 0


def test_the_beat_schedule_runs_the_daily_task():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["assurance-overdue-actions"]["task"] == "assurance.tasks.tell_overdue_actions"


def test_the_executive_sees_open_actions_from_their_walkrounds_until_closed(client, make_walkround, ward, staff,
                                                                            executive):
    from assurance.services import update_action

    action = make_walkround(ward, actions=[("Fix the door", staff, dt.date.today())]).actions.get()
    client.force_login(executive)
    assert "Fix the door" in client.get(reverse("assurance:index")).content.decode()
    update_action(action, ActionStatus.DONE, by=staff)
    html = client.get(reverse("assurance:index")).content.decode()
    assert 'data-testid="followed-actions"' not in html
