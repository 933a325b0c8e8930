"""Recording WalkRounds, following up their actions, and what owners are told."""

import datetime as dt

import pytest

from assurance.models import Action, ActionStatus, ActionUpdate, PlannedWalkRound
from assurance.services import (
    ACTION_ASSIGNED_KIND,
    ACTION_DUE_KIND,
    ActionError,
    PlanError,
    coverage,
    overdue_actions_of,
    plan_walkround,
    proposals,
    start_idea,
    tell_overdue,
    update_action,
)
from notifications.models import Notification
from projects.models import ProjectStatus

from ..factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_a_walkround_records_its_actions_and_tells_each_owner(make_walkround, ward, staff, executive, today):
    walkround = make_walkround(ward, actions=[("Print the falls checklist for agency staff", staff,
                                               today + dt.timedelta(days=14))])
    action = walkround.actions.get()
    assert (action.team, action.owner, action.status) == (ward, staff, ActionStatus.OPEN)
    assert list(action.updates.values_list("to_status", flat=True)) == [ActionStatus.OPEN]
    assert list(walkround.executives.all()) == [executive]
    note = Notification.objects.get(user=staff)
    assert note.kind == ACTION_ASSIGNED_KIND and "falls checklist" in note.text


def test_recording_the_walkround_completes_the_teams_plan(make_walkround, ward, executive, today):
    plan = plan_walkround(executive=executive, team=ward, week_of=today, by=executive)
    walkround = make_walkround(ward)
    plan.refresh_from_db()
    assert plan.walkround == walkround


def test_a_team_can_have_only_one_open_plan(ward, executive, other_executive, today):
    plan_walkround(executive=executive, team=ward, week_of=today, by=executive)
    with pytest.raises(PlanError, match="already has a WalkRound planned"):
        plan_walkround(executive=other_executive, team=ward, week_of=today, by=other_executive)
    assert PlannedWalkRound.objects.count() == 1


def test_status_changes_are_history_and_closing_dates_the_action(make_walkround, ward, staff, today):
    action = make_walkround(ward, actions=[("Fix the door", staff, today)]).actions.get()
    update_action(action, ActionStatus.IN_PROGRESS, by=staff, note="Estates called")
    done = update_action(action, ActionStatus.DONE, by=staff)
    assert done.closed_on == today
    assert list(ActionUpdate.objects.filter(action=action).values_list("from_status", "to_status")) == [
        ("", "open"), ("open", "in_progress"), ("in_progress", "done")]
    reopened = update_action(action, ActionStatus.OPEN, by=staff, note="Broken again")
    assert reopened.closed_on is None


def test_a_move_the_workflow_does_not_allow_is_refused(make_walkround, ward, staff, today):
    action = make_walkround(ward, actions=[("Fix the door", staff, today)]).actions.get()
    update_action(action, ActionStatus.DONE, by=staff)
    with pytest.raises(ActionError, match="cannot become"):
        update_action(action, ActionStatus.IN_PROGRESS, by=staff)


def test_someone_elses_change_first_is_not_overwritten(make_walkround, ward, staff, executive, today):
    action = make_walkround(ward, actions=[("Fix the door", staff, today)]).actions.get()
    update_action(action, ActionStatus.DONE, by=executive)
    with pytest.raises(ActionError, match="now “Done”"):
        update_action(action, ActionStatus.DROPPED, by=staff, expected_from=ActionStatus.OPEN)
    assert ActionUpdate.objects.filter(action=action).count() == 2


def test_overdue_owners_are_told_once_a_day_run_twice(make_walkround, ward, staff, today):
    make_walkround(ward, actions=[("Late one", staff, today - dt.timedelta(days=2)),
                                  ("Not yet due", staff, today + dt.timedelta(days=2))])
    assert tell_overdue(today) == 1
    assert tell_overdue(today) == 0
    note = Notification.objects.get(kind=ACTION_DUE_KIND)
    assert note.user == staff and "Late one" in note.text
    assert [a.description for a in overdue_actions_of(staff, today)] == ["Late one"]


def test_closed_actions_are_not_overdue(make_walkround, ward, staff, today):
    action = make_walkround(ward, actions=[("Late one", staff, today - dt.timedelta(days=2))]).actions.get()
    update_action(action, ActionStatus.DONE, by=staff)
    assert tell_overdue(today) == 0 and not overdue_actions_of(staff, today).exists()


def test_the_schedule_proposes_never_visited_teams_and_skips_planned_ones(
        make_walkround, ward, other_ward, executive, other_executive, today):
    visited_long_ago = TeamFactory(directorate=ward.directorate, name="Rowan Ward")
    make_walkround(visited_long_ago, date=today - dt.timedelta(days=400))
    make_walkround(ward, date=today - dt.timedelta(days=3))
    plan_walkround(executive=executive, team=other_ward, week_of=today, by=executive)
    rows = {p.executive: p for p in proposals(per_executive=2)}
    proposed = [t.name for p in rows.values() for t, _ in p.teams]
    assert "Hazel Ward" not in proposed  # already planned
    assert proposed[0] == "Rowan Ward" or "Rowan Ward" in proposed
    assert [plan.team for plan in rows[executive].planned] == [other_ward]


def test_coverage_counts_visited_never_and_lapsed_by_directorate(make_walkround, ward, other_ward, today):
    lapsed = TeamFactory(directorate=ward.directorate, name="Rowan Ward")
    make_walkround(ward, date=today - dt.timedelta(days=30))
    make_walkround(lapsed, date=today - dt.timedelta(days=500))
    rows = {r.directorate: r for r in coverage(today)}
    riverside = rows["Riverside Mental Health"]
    assert (riverside.teams, riverside.visited, riverside.never) == (2, 1, [])
    assert [name for _, name, _ in riverside.lapsed] == ["Rowan Ward"]
    assert [name for _, name in rows["Northgate Mental Health"].never] == ["Hazel Ward"]


def test_an_idea_draft_starts_from_the_barrier_for_the_team(make_walkround, ward, staff, executive):
    walkround = make_walkround(ward)
    project = start_idea(walkround, source="barrier", lead=staff, by=executive)
    assert project.status == ProjectStatus.DRAFT and project.team == ward and project.lead == staff
    assert project.problem == walkround.getting_in_the_way
    assert "WalkRound" in project.why_it_matters and executive.name in project.why_it_matters
    assert project.assurance_link.walkround == walkround
    assert Notification.objects.filter(user=staff, url=project.get_absolute_url()).exists()
    assert Action.objects.count() == 0
