import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions.models import Comment
from measures.models import DataPoint
from measures.rendering import render_measures
from programmes import services
from programmes.models import Candidacy, EnrolledMeasure, Programme, RecruitKind, Stage
from tests.factories import TeamFactory

from .conftest import make_programme

PAGES = ["detail", "recruitment", "sessions", "package", "spread", "evaluation"]


def url(name, programme, *args):
    return reverse(f"programmes:{name}", args=[programme.pk, *args])


@pytest.mark.parametrize("page", PAGES)
def test_everyone_signed_in_reads_a_programme_past_scoping(client, recruiting, enrol_team, outsider, page):
    enrol_team()
    client.force_login(outsider)
    response = client.get(url(page, recruiting))
    assert response.status_code == 200
    assert recruiting.title in response.content.decode()


def test_a_programme_being_scoped_is_hidden_from_other_staff(client, programme, outsider, exec_sponsor, qiadmin):
    client.force_login(outsider)
    assert client.get(url("detail", programme)).status_code == 404
    assert programme.title not in client.get(reverse("programmes:index")).content.decode()
    client.force_login(exec_sponsor)
    assert client.get(url("detail", programme)).status_code == 200


def test_signed_out_people_are_sent_to_log_in(client, recruiting):
    response = client.get(url("detail", recruiting))
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_the_qi_department_starts_a_programme(client, staff, qiadmin, exec_sponsor):
    client.force_login(staff)
    assert client.get(reverse("programmes:create")).status_code == 403
    client.force_login(qiadmin)
    response = client.post(reverse("programmes:create"), {"title": "", "topic": "x", "lead": qiadmin.pk})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(reverse("programmes:create"), {
        "title": "Access collaborative", "topic": "shorter waits", "lead": qiadmin.pk, "planned_teams": 6,
        "sponsors": [exec_sponsor.pk]})
    programme = Programme.objects.get(title="Access collaborative")
    assert response.status_code == 302 and programme.stage == Stage.SCOPE
    assert list(programme.executive_sponsors.values_list("person", flat=True)) == [exec_sponsor.pk]


@pytest.mark.parametrize("who", ["staff", "exec_sponsor", "sponsor", "coach", "board"])
def test_people_who_do_not_manage_cannot_change_a_programme(client, recruiting, request, who):
    client.force_login(request.getfixturevalue(who))
    stage = recruiting.stage
    posts = [("move", {"to_stage": "deliver", "expected_from": stage}), ("add_driver", {"text": "x"}),
             ("add_package_idea", {"title": "x"}), ("add_wave", {"starts_on": "2027-01-01"}),
             ("add_template", {"name": "x"}), ("sessions", {"date": "2027-01-01"}),
             ("package", {"package_idea": "1", "change_idea": "1"}), ("recruitment", {"action": "invite"})]
    for name, data in posts:
        assert client.post(url(name, recruiting), data).status_code == 403, name
    assert client.get(url("add_template", recruiting)).status_code == 403
    assert client.get(url("edit", recruiting)).status_code == 403
    session = recruiting.sessions.first()
    assert client.post(url("session", recruiting, session.pk), {"shared": "x"}).status_code == 403
    recruiting.refresh_from_db()
    assert recruiting.stage == stage


def test_lead_moves_the_stage_and_an_unmet_checklist_is_explained(client, programme, qiadmin):
    client.force_login(qiadmin)
    response = client.post(url("move", programme), {"to_stage": "design", "expected_from": "scope"}, follow=True)
    assert "now in “Design”" in response.content.decode()
    response = client.post(url("move", programme), {"to_stage": "recruit", "expected_from": "design"}, follow=True)
    assert "Before moving on, the programme needs" in response.content.decode()


def test_a_bad_standard_measure_keeps_what_was_typed(client, programme, qiadmin):
    client.force_login(qiadmin)
    response = client.post(url("add_template", programme), {
        "name": "Incidents", "definition": "Incidents per bed day", "measure_type": "outcome", "period": "month",
        "chart_type": "u", "improvement": "decrease", "multiplier": "1000", "numerator": "", "denominator": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "A proportion or rate needs a numerator" in body and "Incidents per bed day" in body


def test_a_team_member_applies_and_the_lead_accepts_with_a_coach(client, recruiting, staff, qiadmin, coach, sponsor,
                                                                 ward):
    client.force_login(staff)
    response = client.post(url("recruitment", recruiting), {"action": "apply", "note": "Evenings are hard"})
    assert response.status_code == 302
    candidacy = Candidacy.objects.get(programme=recruiting, team=ward)
    assert candidacy.kind == RecruitKind.APPLIED
    assert client.get(url("accept", recruiting, candidacy.pk)).status_code == 403
    client.force_login(qiadmin)
    response = client.post(url("accept", recruiting, candidacy.pk), {"coach": coach.pk, "sponsor": sponsor.pk})
    assert response.status_code == 400 and "needs a lead" in response.content.decode()
    response = client.post(url("accept", recruiting, candidacy.pk), {
        "coach": coach.pk, "sponsor": sponsor.pk, "lead": staff.pk, "wave": recruiting.waves.first().pk})
    assert response.status_code == 302
    assert recruiting.enrolments.get().project.lead == staff


def test_sponsors_comment_on_the_programme_and_other_staff_may_not(client, recruiting, exec_sponsor, outsider):
    client.force_login(exec_sponsor)
    post = reverse("discussions:post", args=["programmes.programme", recruiting.pk])
    assert client.post(post, {"body": "Board wants the aggregate in March"}).status_code == 302
    client.force_login(outsider)
    assert client.post(post, {"body": "me too"}).status_code == 403
    assert Comment.objects.on(recruiting).count() == 1


def _data_for(enrolments, months=24):
    start = dt.date(2024, 1, 1)
    periods = [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
               for i in range(months)]
    rows = []
    for link in EnrolledMeasure.objects.filter(enrolment__in=enrolments).select_related("measure"):
        for i, period in enumerate(periods):
            if link.measure.chart_type in ("u", "p"):
                rows.append(DataPoint(measure=link.measure, period_start=period, numerator=3 + i % 4, denominator=900))
            else:
                rows.append(DataPoint(measure=link.measure, period_start=period, value=5 + i % 3))
    DataPoint.objects.bulk_create(rows)
    render_measures(list(EnrolledMeasure.objects.filter(enrolment__in=enrolments).values_list("measure_id",
                                                                                               flat=True)))


def test_the_programme_page_costs_the_same_with_60_teams_as_with_3(client, recruiting, qiadmin, enrol_team,
                                                                   directorate, django_assert_max_num_queries):
    services.add_template(recruiting, name="Restraints", definition="Physical restraints a month", chart_type="c")
    services.add_template(recruiting, name="Feeling safe", definition="Share who feel safe", chart_type="p",
                          numerator="yes", denominator="asked", improvement="increase", multiplier=100)
    first = [enrol_team(TeamFactory(directorate=directorate)) for _ in range(3)]
    _data_for(first)
    services.compute_aggregates([recruiting.pk])
    client.force_login(qiadmin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("detail", recruiting)).status_code == 200
    more = [enrol_team(TeamFactory(directorate=directorate)) for _ in range(57)]
    _data_for(more)
    services.compute_aggregates([recruiting.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("detail", recruiting))
    body = response.content.decode()
    assert body.count('class="sparkline"') >= 180
    assert 'data-testid="safety-table"' in body


@pytest.mark.parametrize("page", ["package", "spread", "evaluation", "recruitment", "sessions"])
def test_the_other_programme_pages_cost_the_same_however_many_teams(client, recruiting, qiadmin, enrol_team,
                                                                     directorate, page):
    [enrol_team(TeamFactory(directorate=directorate)) for _ in range(2)]
    client.force_login(qiadmin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(page, recruiting)).status_code == 200
    [enrol_team(TeamFactory(directorate=directorate)) for _ in range(8)]
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(page, recruiting)).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_index_lists_programmes_in_one_query_each_however_many(client, qiadmin, django_assert_max_num_queries):
    for i in range(5):
        make_programme(lead=qiadmin, title=f"Programme {i}")
    client.force_login(qiadmin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("programmes:index")).status_code == 200
