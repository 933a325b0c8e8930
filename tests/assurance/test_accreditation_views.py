"""Assessors accredit a team and it sees its award; everyone else is refused."""

import datetime as dt

import pytest
from django.urls import reverse

from assurance.accreditation import publish, start_assessment
from assurance.models import AccreditationRole, Assessment, Judgement

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(framework, ward, assessor, lead):
    return start_assessment(team=ward, visit_date=dt.date(2026, 3, 2), assessors=[assessor], by=lead)


def _judgements(visit, *, met, skip_evidence_for=None, leave=0):
    data = {}
    standards = list(visit.framework.standards.all())
    for i, s in enumerate(standards[: len(standards) - leave]):
        data[f"rating_{s.pk}"] = "met" if i < met else "not_met"
        data[f"evidence_{s.pk}"] = "" if s.pk == skip_evidence_for else f"Heard from two carers about {s.code}"
    return data


def test_a_lead_arranges_a_visit_with_assessors(client, lead, assessor, framework, ward):
    client.force_login(lead)
    page = client.get(reverse("assurance:assessment_new", args=[ward.pk]))
    assert page.status_code == 200 and assessor.name in page.content.decode()
    response = client.post(reverse("assurance:assessment_new", args=[ward.pk]),
                           {"visit_date": "2026-03-02", "assessors": [assessor.pk]})
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and list(assessment.assessors.all()) == [assessor]
    assert assessment.framework == framework


def test_only_people_with_lived_experience_are_offered_as_assessors(client, lead, assessor, framework, ward, staff):
    AccreditationRole.objects.create(user=staff, kind="assessor")  # not a service user or carer
    client.force_login(lead)
    response = client.post(reverse("assurance:assessment_new", args=[ward.pk]),
                           {"visit_date": "2026-03-02", "assessors": [staff.pk]})
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()


def test_the_assessor_records_judgements_and_a_lead_publishes_the_award(client, visit, assessor, lead, staff):
    client.force_login(assessor)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200 and "0 of 30 standards judged" in page.content.decode()
    response = client.post(reverse("assurance:assessment_judge", args=[visit.pk]), _judgements(visit, met=28))
    assert response.status_code == 302 and Judgement.objects.filter(assessment=visit).count() == 30

    client.force_login(staff)
    assert client.get(visit.get_absolute_url()).status_code == 404  # the team reads it once published

    client.force_login(lead)
    response = client.post(reverse("assurance:assessment_publish", args=[visit.pk]),
                           {"report": "People feel welcome; evenings need more to do."})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.award == "gold" and visit.met == 28

    client.force_login(staff)
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "Gold" in html and "evenings need more to do" in html and "Start an idea draft" in html


def test_a_rating_without_evidence_is_refused_beside_it_and_nothing_typed_is_lost(client, visit, assessor):
    client.force_login(assessor)
    first = visit.framework.standards.first()
    data = _judgements(visit, met=5, skip_evidence_for=first.pk)
    response = client.post(reverse("assurance:assessment_judge", args=[visit.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the evidence for this rating." in html and "Heard from two carers about 1.2" in html
    assert not Judgement.objects.exists()


def test_publishing_with_standards_unjudged_says_how_many(client, visit, assessor, lead):
    client.force_login(assessor)
    client.post(reverse("assurance:assessment_judge", args=[visit.pk]), _judgements(visit, met=20, leave=3))
    client.force_login(lead)
    response = client.post(reverse("assurance:assessment_publish", args=[visit.pk]), {"report": "Draft report"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "3 of the 30 standards have no judgement yet" in html and "Draft report" in html


def test_an_assessor_records_only_their_own_visits(client, visit, framework):
    other = UserFactory(team=None, lived_experience="service_user")
    AccreditationRole.objects.create(user=other, kind="assessor")
    client.force_login(other)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.post(reverse("assurance:assessment_judge", args=[visit.pk]),
                       _judgements(visit, met=30)).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board"],
                         indirect=True)
def test_other_roles_may_not_arrange_judge_or_publish(client, persona, visit, ward):
    client.force_login(persona)
    assert client.get(reverse("assurance:assessment_new", args=[ward.pk])).status_code == 403
    judged = client.post(reverse("assurance:assessment_judge", args=[visit.pk]), _judgements(visit, met=30))
    published = client.post(reverse("assurance:assessment_publish", args=[visit.pk]), {"report": "x"})
    assert judged.status_code in (403, 404) and published.status_code in (403, 404)


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair"], indirect=True)
def test_the_trust_view_is_refused_to_other_roles(client, persona):
    client.force_login(persona)
    assert client.get(reverse("assurance:accreditation_trust")).status_code == 403


def test_another_team_cannot_read_the_report(client, visit, assessor, lead, outsider, judge_all):
    judge_all(visit, met=30, by=assessor)
    publish(visit, report="Fine", by=lead)
    client.force_login(outsider)
    assert client.get(visit.get_absolute_url()).status_code == 404


def test_the_team_starts_an_idea_from_an_area_for_improvement(client, visit, assessor, lead, staff, judge_all):
    judge_all(visit, met=25, by=assessor)
    publish(visit, report="Good", by=lead)
    unmet = visit.judgements.filter(rating="not_met").first()
    client.force_login(staff)
    response = client.post(reverse("assurance:judgement_idea", args=[unmet.pk]), {"lead": staff.pk})
    project = unmet.ideas.get().project
    assert response.status_code == 302 and response.url == reverse("projects:idea_edit", args=[project.pk])
    met = visit.judgements.filter(rating="met").first()
    assert client.post(reverse("assurance:judgement_idea", args=[met.pk]), {"lead": staff.pk}).status_code == 403


def test_a_lead_agrees_an_action_from_the_report(client, visit, assessor, lead, staff, judge_all):
    judge_all(visit, met=25, by=assessor)
    publish(visit, report="Good", by=lead)
    client.force_login(lead)
    response = client.post(reverse("assurance:assessment_action", args=[visit.pk]), {
        "action-description": "Evening activity timetable", "action-owner": staff.pk,
        "action-due": (dt.date.today() + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    assert visit.actions.get().owner == staff
    bad = client.post(reverse("assurance:assessment_action", args=[visit.pk]), {"action-description": "No owner"})
    assert bad.status_code == 400 and "Choose who owns the action." in bad.content.decode()


def _grow(lead, assessor, judge_all, n):
    for _ in range(n):
        team = TeamFactory()
        a = start_assessment(team=team, visit_date=dt.date(2025, 5, 1), assessors=[assessor], by=lead)
        judge_all(a, met=20, by=assessor)
        publish(a, report="Report", by=lead)


@pytest.mark.parametrize("name", ["assurance:accreditation", "assurance:accreditation_trust"])
def test_accreditation_lists_keep_a_flat_query_count(client, framework, lead, assessor, judge_all, name,
                                                     django_assert_max_num_queries):
    client.force_login(lead)
    _grow(lead, assessor, judge_all, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(name)).status_code == 200
    baseline = len(small.captured_queries)  # now: a later request resets the log
    _grow(lead, assessor, judge_all, 5)
    with django_assert_max_num_queries(baseline):
        client.get(reverse(name))


def test_the_assessment_page_keeps_a_flat_query_count(client, visit, assessor, lead, judge_all,
                                                       django_assert_max_num_queries):
    client.force_login(assessor)
    with django_assert_max_num_queries(25) as empty:
        client.get(visit.get_absolute_url())
    baseline = len(empty.captured_queries)  # now: a later request resets the log
    judge_all(visit, met=20, by=assessor)
    with django_assert_max_num_queries(baseline + 1):
        client.get(visit.get_absolute_url())


def test_an_assessor_may_not_agree_actions_or_start_the_teams_ideas(client, visit, assessor, lead, judge_all,
                                                                     outsider):
    judge_all(visit, met=25, by=assessor)
    publish(visit, report="Good", by=lead)
    unmet = visit.judgements.filter(rating="not_met").first()
    client.force_login(assessor)
    assert client.post(reverse("assurance:assessment_action", args=[visit.pk]),
                       {"action-description": "x"}).status_code == 403
    assert client.post(reverse("assurance:judgement_idea", args=[unmet.pk]), {"lead": assessor.pk}).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("assurance:judgement_idea", args=[unmet.pk]), {"lead": outsider.pk}).status_code == 404
