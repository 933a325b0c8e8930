import datetime as dt

import pytest

from coaching.models import Allocation, AllocationKind
from measures.models import DataPoint, Measure
from organisation.models import CoachProfile
from programmes import services
from programmes.models import (
    Aggregate,
    EnrolledMeasure,
    Programme,
    RecruitKind,
    RecruitStatus,
    SessionAttendance,
    Stage,
    StageMove,
)
from programmes.services import ProgrammeError
from projects.models import ProjectEvent, ProjectStatus
from tests.factories import TeamFactory
from tests.workflow import approved_project
from workspace.services import add_change_idea

from .conftest import design_ready, make_programme


def test_new_programme_starts_in_scope_with_a_history_row(programme, qiadmin):
    assert programme.stage == Stage.SCOPE
    assert list(programme.moves.values_list("to_stage", flat=True)) == [Stage.SCOPE]


def test_scope_checklist_blocks_design_until_aim_and_sponsor_exist(qiadmin):
    bare = make_programme(lead=qiadmin, title="Bare", aim="", baseline="")
    with pytest.raises(ProgrammeError, match="executive sponsor.*Baseline data.*aim"):
        services.move_stage(bare, Stage.DESIGN, by=qiadmin)
    assert bare.stage == Stage.SCOPE
    assert StageMove.objects.filter(programme=bare).count() == 1


def test_design_checklist_asks_for_measures_and_sessions_before_recruitment(programme, qiadmin):
    services.move_stage(programme, Stage.DESIGN, by=qiadmin)
    with pytest.raises(ProgrammeError, match="measurement plan.*learning-session schedule"):
        services.move_stage(programme, Stage.RECRUIT, by=qiadmin)
    design_ready(programme, qiadmin)
    services.move_stage(programme, Stage.RECRUIT, by=qiadmin)
    assert programme.stage == Stage.RECRUIT
    assert list(programme.moves.values_list("from_stage", "to_stage")) == [
        ("", "scope"), ("scope", "design"), ("design", "recruit")]


def test_moves_outside_the_sequence_are_refused(programme, qiadmin):
    with pytest.raises(ProgrammeError, match="cannot move"):
        services.move_stage(programme, Stage.DELIVER, by=qiadmin)


def test_going_back_a_stage_needs_a_reason(programme, qiadmin):
    services.move_stage(programme, Stage.DESIGN, by=qiadmin)
    with pytest.raises(ProgrammeError, match="why"):
        services.move_stage(programme, Stage.SCOPE, by=qiadmin)
    services.move_stage(programme, Stage.SCOPE, by=qiadmin, note="The aim needs the board's view")
    assert programme.moves.last().note == "The aim needs the board's view"


def test_a_second_person_acting_on_an_old_page_changes_nothing(programme, qiadmin):
    services.move_stage(programme, Stage.DESIGN, by=qiadmin)
    stale = Programme.objects.get(pk=programme.pk)
    stale.stage = Stage.SCOPE
    with pytest.raises(ProgrammeError, match="now in"):
        services.move_stage(stale, Stage.DESIGN, by=qiadmin, expected_from=Stage.SCOPE)


def test_history_rows_are_never_edited(programme):
    move = programme.moves.first()
    move.note = "rewritten"
    with pytest.raises(ValueError):
        move.save()


def test_enrolling_a_team_makes_an_approved_project_with_support_and_standard_measures(
        enrol_team, recruiting, coach, sponsor):
    before = CoachProfile.objects.get(user=coach).current_teams
    enrolment = enrol_team()
    project = enrolment.project
    assert project.status == ProjectStatus.ACTIVE
    assert (project.coach, project.sponsor) == (coach, sponsor)
    assert CoachProfile.objects.get(user=coach).current_teams == before + 1
    assert Allocation.objects.current().filter(project=project, kind=AllocationKind.COACH, person=coach).exists()
    link = EnrolledMeasure.objects.get(enrolment=enrolment)
    assert link.measure.project == project
    assert (link.measure.chart_type, link.measure.multiplier) == ("u", 1000)
    assert "Enrolled in the programme" in " ".join(project.events.values_list("summary", flat=True))


def test_an_existing_project_brought_in_keeps_its_history(recruiting, qiadmin, chair, coach, sponsor, ward):
    project = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    history = list(ProjectEvent.objects.filter(project=project).values_list("pk", flat=True))
    enrolment = services.enrol(recruiting, team=ward, project=project, by=qiadmin, coach=coach, sponsor=sponsor)
    assert enrolment.brought_in and enrolment.project == project
    assert set(history) < set(ProjectEvent.objects.filter(project=project).values_list("pk", flat=True))
    assert Measure.objects.filter(project=project, programme_link__enrolment=enrolment).count() == 1


def test_a_closed_or_other_teams_project_cannot_be_brought_in(recruiting, qiadmin, chair, coach, sponsor, ward,
                                                              other_ward):
    project = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    with pytest.raises(ProgrammeError, match="team's own"):
        services.enrol(recruiting, team=other_ward, project=project, by=qiadmin, coach=coach, sponsor=sponsor)


def test_a_template_added_later_reaches_every_enrolled_team(enrol_team, recruiting):
    enrolments = [enrol_team(), enrol_team(override_reason="x")]
    services.add_template(recruiting, name="Restraints", definition="Physical restraints a month", chart_type="c")
    for enrolment in enrolments:
        assert enrolment.measures.count() == 2


def test_teams_are_invited_or_apply_and_the_qi_department_decides(recruiting, qiadmin, staff, ward, coach, sponsor,
                                                                   directorate):
    applied = services.propose(recruiting, team=ward, by=staff, kind=RecruitKind.APPLIED, note="We want in")
    with pytest.raises(ProgrammeError, match="already invited or has applied"):
        services.propose(recruiting, team=ward, by=qiadmin, kind=RecruitKind.INVITED)
    enrolment = services.accept(applied, by=qiadmin, coach=coach, sponsor=sponsor, lead=staff)
    applied.refresh_from_db()
    assert applied.status == RecruitStatus.ACCEPTED and enrolment.project.lead == staff
    with pytest.raises(ProgrammeError, match="already takes part"):
        services.propose(recruiting, team=ward, by=staff, kind=RecruitKind.APPLIED)
    other = services.propose(recruiting, team=TeamFactory(directorate=directorate), by=qiadmin,
                             kind=RecruitKind.INVITED)
    with pytest.raises(ProgrammeError, match="Say why"):
        services.decline(other, by=qiadmin, note=" ")
    services.decline(other, by=qiadmin, note="Not this year: new ward manager")
    with pytest.raises(ProgrammeError, match="already been decided"):
        services.accept(other, by=qiadmin, coach=coach, sponsor=sponsor)


def test_teams_apply_only_while_recruiting(programme, staff, ward):
    with pytest.raises(ProgrammeError, match="recruiting"):
        services.propose(programme, team=ward, by=staff, kind=RecruitKind.APPLIED)


def test_learning_session_records_attendance_and_each_teams_plan(enrol_team, recruiting):
    enrolment = enrol_team()
    session = recruiting.sessions.first()
    services.record_session(session, shared="Huddle scripts from two wards", attendance=[
        {"enrolment": enrolment, "attended": True, "who": "Ward manager, two nurses", "next_plan": "Huddle daily"}])
    row = SessionAttendance.objects.get(session=session, enrolment=enrolment)
    assert row.next_plan == "Huddle daily"
    future = services.schedule_session(recruiting, date=dt.date.today() + dt.timedelta(days=30))
    with pytest.raises(ProgrammeError, match="not happened yet"):
        services.record_session(future, shared="Too early", attendance=[])


def test_only_enrolled_teams_change_ideas_join_the_package(enrol_team, recruiting, qiadmin, chair, coach, sponsor,
                                                           other_ward):
    enrolment = enrol_team()
    idea = add_change_idea(enrolment.project, title="Morning huddle")
    package = recruiting.package_ideas.first()
    services.link_idea(package, idea, by=qiadmin)
    services.link_idea(package, idea, by=qiadmin)  # twice is once
    assert package.links.count() == 1
    outsider = approved_project(chair=chair, coach=coach, sponsor=sponsor, override_reason="x")
    with pytest.raises(ProgrammeError, match="teams in the programme"):
        services.link_idea(package, add_change_idea(outsider, title="Other"), by=qiadmin)


def test_aggregate_sums_numerators_and_denominators_across_teams(enrol_team, recruiting):
    first, second = enrol_team(), enrol_team(override_reason="x")
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    for enrolment, incidents in ((first, 4), (second, 10)):
        measure = enrolment.measures.get().measure
        DataPoint.objects.bulk_create(DataPoint(measure=measure, period_start=m, numerator=incidents,
                                                denominator=1000) for m in months)
    assert services.compute_aggregates([recruiting.pk]) == 1
    aggregate = Aggregate.objects.get(template__programme=recruiting)
    assert aggregate.teams == 2
    assert aggregate.latest_value == pytest.approx(7.0)  # (4 + 10) / 2000 × 1000
    assert aggregate.figure and not aggregate.error


def test_an_enrolled_project_goes_to_its_forum_for_information_not_for_a_decision(enrol_team, client, chair):
    from forums.models import DECIDABLE_KINDS, AgendaItem, AgendaKind

    enrolment = enrol_team()
    item = AgendaItem.objects.get(project=enrolment.project)
    assert item.kind == AgendaKind.PROGRAMME and item.kind not in DECIDABLE_KINDS
    assert "Violence reduction collaborative" in item.note
    client.force_login(chair)
    body = client.get(item.meeting.get_absolute_url()).content.decode()
    assert "Teams joining improvement programmes" in body and enrolment.project.title in body


def test_a_team_s_lead_and_sponsor_hear_it_joined_and_everyone_in_hears_of_the_next_session(enrol_team, recruiting,
                                                                                            sponsor, qiadmin):
    from notifications.models import Notification

    enrolment = enrol_team()
    lead = enrolment.project.lead
    told = Notification.objects.filter(kind=services.NEWS_KIND)
    assert set(told.filter(key=f"programme-enrolment-{enrolment.pk}").values_list("user_id", flat=True)) == {
        lead.pk, sponsor.pk}
    session = services.schedule_session(recruiting, date=dt.date.today() + dt.timedelta(days=40),
                                        title="Spreading huddles")
    heard = set(told.filter(key=f"programme-session-{session.pk}").values_list("user_id", flat=True))
    assert heard == {lead.pk, sponsor.pk, recruiting.lead_id}
    past = services.schedule_session(recruiting, date=dt.date.today() - dt.timedelta(days=3))
    assert not told.filter(key=f"programme-session-{past.pk}").exists()  # a session already held is news to no one


def test_sponsors_and_the_teams_hear_of_a_stage_move_and_the_one_who_moved_it_does_not(enrol_team, recruiting,
                                                                                        exec_sponsor, qiadmin):
    from notifications.models import Notification

    lead = enrol_team().project.lead
    move = services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)
    told = Notification.objects.filter(kind=services.NEWS_KIND, key=f"programme-stage-{move.pk}")
    assert set(told.values_list("user_id", flat=True)) == {exec_sponsor.pk, lead.pk} - {qiadmin.pk}
    assert told.first().text == "Violence reduction collaborative moved to “Deliver”."
