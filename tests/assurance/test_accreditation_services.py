"""Assessors judge a team against the framework version in force; the award is worked out, never typed."""

import datetime as dt

import pytest

from assurance.accreditation import (
    AccreditationError,
    add_months,
    awards_by_directorate,
    earlier_findings,
    latest_published,
    new_version,
    pareto,
    publish,
    save_judgements,
    start_assessment,
    start_idea,
    teams_due,
)
from assurance.models import Award, Framework
from projects.models import ProjectStatus

from ..factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("met", "award"), [(30, Award.GOLD), (27, Award.GOLD), (26, Award.SILVER),
                                             (23, Award.SILVER), (18, Award.BRONZE), (17, Award.NOT_ACCREDITED)])
def test_the_award_follows_the_thresholds(framework, met, award):
    assert framework.award_for(met) == award


def test_a_framework_has_thirty_standards_in_six_groups(framework):
    assert framework.standards.count() == 30
    assert len(set(framework.standards.values_list("group", flat=True))) == 6


def test_publishing_works_out_counts_award_and_due_date(framework, ward, assessor, lead, judge_all):
    assessment = start_assessment(team=ward, visit_date=dt.date(2026, 3, 31), assessors=[assessor], by=lead)
    judge_all(assessment, met=24, partly=4, by=assessor)
    published = publish(assessment, report="A warm welcome; evenings are long.", by=lead)
    assert (published.met, published.partly, published.not_met) == (24, 4, 2)
    assert published.award == Award.SILVER and published.due_on == dt.date(2028, 3, 31)


def test_not_accredited_is_reassessed_sooner(framework, ward, assessor, lead, judge_all):
    assessment = start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)
    judge_all(assessment, met=10, by=assessor)
    assert publish(assessment, report="Much to do.", by=lead).due_on == dt.date(2026, 7, 15)


def test_a_report_cannot_be_published_until_every_standard_is_judged(framework, ward, assessor, lead):
    assessment = start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)
    save_judgements(assessment, [(framework.standards.first(), "met", "Seen")], by=assessor)
    with pytest.raises(AccreditationError, match="29 of the 30 standards have no judgement"):
        publish(assessment, report="Too soon", by=lead)


def test_a_published_assessment_is_a_record(framework, ward, assessor, lead, judge_all):
    assessment = start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)
    judge_all(assessment, met=30, by=assessor)
    publish(assessment, report="Excellent", by=lead)
    with pytest.raises(AccreditationError, match="published"):
        save_judgements(assessment, [(framework.standards.first(), "not_met", "Changed my mind")], by=assessor)


def test_an_assessment_keeps_its_version_when_a_new_one_comes_into_force(framework, ward, assessor, lead):
    first = start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)
    second_version = new_version(framework)
    assert second_version.version == 2 and second_version.standards.count() == 30
    Framework.objects.filter(pk=second_version.pk).update(published_on=dt.date(2026, 2, 1))
    later = start_assessment(team=ward, visit_date=dt.date(2026, 2, 15), assessors=[assessor], by=lead)
    first.refresh_from_db()
    assert first.framework == framework and later.framework == second_version


def test_without_a_framework_in_force_no_assessment_starts(ward, assessor, lead):
    with pytest.raises(AccreditationError, match="No standards framework"):
        start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)


def test_an_area_for_improvement_starts_a_linked_idea_shown_next_time(framework, ward, staff, assessor, lead,
                                                                       judge_all):
    first = start_assessment(team=ward, visit_date=dt.date(2025, 1, 15), assessors=[assessor], by=lead)
    judge_all(first, met=20, by=assessor)
    publish(first, report="First visit", by=lead)
    unmet = first.judgements.filter(rating="not_met").select_related("standard", "assessment").first()
    project = start_idea(unmet, lead=staff, by=staff)
    assert project.status == ProjectStatus.DRAFT and project.team == ward
    assert unmet.standard.code in project.title and unmet.evidence in project.problem
    second = start_assessment(team=ward, visit_date=dt.date(2026, 1, 15), assessors=[assessor], by=lead)
    earlier = earlier_findings(second)
    assert earlier[unmet.standard.code]["rating"] == "Not met"
    assert earlier[unmet.standard.code]["ideas"] == [project]


def test_the_trust_view_reads_each_teams_latest_award(framework, ward, other_ward, assessor, lead, judge_all):
    for team, met, day in ((ward, 15, dt.date(2024, 6, 1)), (ward, 28, dt.date(2026, 6, 1)),
                           (other_ward, 20, dt.date(2024, 3, 1))):
        assessment = start_assessment(team=team, visit_date=day, assessors=[assessor], by=lead)
        judge_all(assessment, met=met, by=assessor)
        publish(assessment, report="Report", by=lead)
    TeamFactory(directorate=ward.directorate, name="Rowan Ward")
    latest = latest_published()
    assert sorted((a.team.name, a.award) for a in latest) == [("Hazel Ward", "bronze"), ("Willow Ward", "gold")]
    rows = {r.directorate: r for r in awards_by_directorate(latest)}
    assert rows["Riverside Mental Health"].counts["gold"] == 1 and rows["Riverside Mental Health"].never == 1
    bars = pareto(latest)
    assert bars[0].count == 2 and bars[-1].cumulative_pct == 100  # the last two standards: unmet at both
    assert sum(b.count for b in bars) == 12  # 2 not met at Willow, 10 at Hazel
    due = teams_due(latest, today=dt.date(2026, 7, 1))
    assert [a.team.name for a in due["due"]] == ["Hazel Ward"]  # due 2026-03-01, overdue
    assert [t.name for t in due["never"]] == ["Rowan Ward"]


def test_add_months_keeps_the_end_of_the_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_settings_changes_go_in_the_audit_log_and_a_board_links_secret_never_does(framework, ward, qiadmin):
    from assurance.huddles import issue_board_link
    from audit.models import AuditEntry

    framework.standards.filter(code="1.1").update(text="changed by update()")  # no signal: bulk
    standard = framework.standards.get(code="1.2")
    standard.text = "People are greeted by name."
    standard.save()
    link, _ = issue_board_link(ward, label="Office", by=qiadmin)
    entries = AuditEntry.objects.filter(content_type__app_label="assurance")
    assert entries.filter(object_pk=str(standard.pk), content_type__model="standard").exists()
    link_entry = entries.get(content_type__model="boardlink", object_pk=str(link.pk))
    assert "secret_hash" not in (link_entry.changes or {})
