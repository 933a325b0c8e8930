"""Huddles, escalations to the directorate and the forum agenda, and the ward's wall board."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance.huddles import NewIssue, issue_board_link, record_huddle, update_escalation
from assurance.models import BoardLink, Escalation, Huddle
from forums.services import ensure_next_meeting, forum_for
from measures import periods
from measures.models import DataPoint, Measure
from notifications.models import Notification

from ..factories import TeamFactory

pytestmark = pytest.mark.django_db

STABLE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10, 9, 10, 11, 12, 10, 11]


def _indicator(team, name="Incidents of restraint", values=STABLE):
    m = Measure.objects.create(name=name, definition="Counted from Datix.", measure_type="outcome", period="month",
                               chart_type="c", improvement="decrease", team=team, early_warning=True)
    DataPoint.objects.bulk_create([DataPoint(measure=m, period_start=periods.add_periods(dt.date(2024, 1, 1),
                                                                                         "month", i), value=v)
                                   for i, v in enumerate(values)])
    return m


def _huddle_post(**extra):
    data = {"date": dt.date.today().isoformat(), "attendance": "9", "issues-TOTAL_FORMS": "3",
            "issues-INITIAL_FORMS": "0", "issues-MIN_NUM_FORMS": "0", "issues-MAX_NUM_FORMS": "10"}
    data.update(extra)
    return data


def test_the_team_logs_a_huddle_and_escalates_an_issue_to_its_owner(client, staff, ward, sponsor):
    client.force_login(staff)
    response = client.post(reverse("assurance:team_huddles", args=[ward.pk]), _huddle_post(**{
        "issues-0-description": "Broken hoist in bathroom 2", "issues-0-outcome": "escalated",
        "issues-0-owner": sponsor.pk,
        "issues-1-description": "Rota gap on Saturday", "issues-1-outcome": "resolved"}))
    assert response.status_code == 302
    huddle = Huddle.objects.get()
    assert (huddle.team, huddle.attendance, huddle.issues.count()) == (ward, 9, 2)
    escalation = Escalation.objects.get()
    assert (escalation.owner, escalation.directorate) == (sponsor, ward.directorate)
    assert Notification.objects.filter(user=sponsor, kind="huddle_escalation").exists()


def test_an_escalation_without_an_owner_is_refused_beside_the_field(client, staff, ward):
    client.force_login(staff)
    response = client.post(reverse("assurance:team_huddles", args=[ward.pk]), _huddle_post(**{
        "issues-0-description": "Broken hoist", "issues-0-outcome": "escalated"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose who in the directorate owns the escalation." in html and "Broken hoist" in html
    assert not Huddle.objects.exists()


def test_another_team_cannot_log_or_read_a_huddle(client, outsider, ward):
    client.force_login(outsider)
    assert client.get(reverse("assurance:team_huddles", args=[ward.pk])).status_code == 403
    assert client.post(reverse("assurance:team_huddles", args=[ward.pk]), _huddle_post()).status_code == 403


def test_the_directorate_sponsor_reads_but_does_not_log(client, sponsor, ward, staff):
    other = TeamFactory(directorate=ward.directorate)
    client.force_login(sponsor)
    assert client.get(reverse("assurance:team_huddles", args=[other.pk])).status_code == 200
    assert client.post(reverse("assurance:team_huddles", args=[other.pk]), _huddle_post()).status_code == 403


@pytest.fixture
def escalation(ward, staff, sponsor):
    record_huddle(team=ward, date=dt.date.today(), attendance=8, by=staff,
                  issues=[NewIssue("Broken hoist", "escalated", sponsor)])
    return Escalation.objects.get()


def test_the_owner_resolves_an_escalation_with_history(client, escalation, sponsor):
    client.force_login(sponsor)
    response = client.post(reverse("assurance:escalation_update", args=[escalation.pk]),
                           {f"e{escalation.pk}-status": "resolved", f"e{escalation.pk}-note": "Hoist replaced"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "resolved" and escalation.resolved_at is not None
    assert list(escalation.updates.values_list("to_status", flat=True)) == ["open", "resolved"]


def test_a_team_member_cannot_resolve_the_directorates_escalation(client, escalation, staff):
    client.force_login(staff)
    response = client.post(reverse("assurance:escalation_update", args=[escalation.pk]),
                           {f"e{escalation.pk}-status": "resolved"})
    assert response.status_code == 403


def test_unresolved_escalations_go_on_the_forum_agenda_after_the_set_time(client, escalation, chair, staff):
    meeting = ensure_next_meeting(forum_for(escalation.directorate))
    client.force_login(staff)
    html = client.get(reverse("forums:meeting", args=[meeting.pk])).content.decode()
    assert "Broken hoist" not in html
    Escalation.objects.filter(pk=escalation.pk).update(raised_at=timezone.now() - dt.timedelta(days=8))
    html = client.get(reverse("forums:meeting", args=[meeting.pk])).content.decode()
    assert 'data-testid="section-escalations"' in html and "Broken hoist" in html
    update_escalation(escalation, by=chair, status="resolved")
    assert "Broken hoist" not in client.get(reverse("forums:meeting", args=[meeting.pk])).content.decode()


def test_the_directorate_page_flags_escalations_open_too_long(client, escalation, chair):
    Escalation.objects.filter(pk=escalation.pk).update(raised_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(chair)
    html = client.get(reverse("assurance:directorate", args=[escalation.directorate.slug])).content.decode()
    assert "Broken hoist" in html and "Open over 7 days" in html


@pytest.mark.parametrize("persona", ["coach", "serviceuser"], indirect=True)
def test_the_directorate_page_is_refused_outside_the_directorate(client, persona, other_directorate):
    client.force_login(persona)
    assert client.get(reverse("assurance:directorate", args=[other_directorate.slug])).status_code == 403


def test_a_qi_admin_issues_a_wall_link_that_shows_the_board_without_sign_in(client, qiadmin, ward, staff, today):
    _indicator(ward)
    client.force_login(qiadmin)
    response = client.post(reverse("assurance:board_link_new", args=[ward.pk]), {"label": "Nurses' station"})
    url = response.context["url"]
    assert response.status_code == 200 and "/assurance/wall/" in url
    client.logout()
    board = client.get(url)
    html = board.content.decode()
    assert board.status_code == 200 and "Incidents of restraint" in html and 'http-equiv="refresh"' in html
    assert board["Referrer-Policy"] == "no-referrer"
    assert staff.name not in html  # no person's details on the wall


def test_the_wall_board_shows_open_actions_without_who_owns_them(client, qiadmin, ward, staff, today,
                                                                 make_walkround):
    make_walkround(ward, actions=[("Put the falls checklist in the agency pack", staff,
                                   today + dt.timedelta(days=14))])
    link, secret = issue_board_link(ward, label="Nurses' station", by=qiadmin)
    html = client.get(reverse("assurance:wall_board", args=[secret])).content.decode()
    assert "Put the falls checklist in the agency pack" in html
    assert staff.name not in html and staff.username not in html  # what is to be done, never who


def test_a_revoked_link_shows_nothing(client, qiadmin, ward):
    link, secret = issue_board_link(ward, label="Office", by=qiadmin)
    client.force_login(qiadmin)
    client.post(reverse("assurance:board_link_revoke", args=[link.pk]))
    client.logout()
    assert client.get(reverse("assurance:wall_board", args=[secret])).status_code == 404
    assert client.get(reverse("assurance:wall_board", args=["made-up"])).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "chair", "sponsor", "board", "ia"], indirect=True)
def test_only_the_qi_department_issues_and_revokes_links(client, persona, ward, qiadmin):
    link, _ = issue_board_link(ward, label="Office", by=qiadmin)
    client.force_login(persona)
    assert client.post(reverse("assurance:board_link_new", args=[ward.pk]), {"label": "x"}).status_code == 403
    assert client.post(reverse("assurance:board_link_revoke", args=[link.pk])).status_code == 403
    assert BoardLink.objects.live().count() == 1


def test_the_wall_board_keeps_a_flat_query_count(client, qiadmin, ward, make_walkround, staff,
                                                  django_assert_max_num_queries):
    _, secret = issue_board_link(ward, label="Office", by=qiadmin)
    _indicator(ward)
    url = reverse("assurance:wall_board", args=[secret])
    client.get(url)  # snapshots computed once
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    baseline = len(small.captured_queries)  # now: a later request resets the log
    for i in range(4):
        _indicator(ward, name=f"Indicator {i}")
        make_walkround(ward, actions=[(f"Action {i}", staff, dt.date.today())])
        record_huddle(team=ward, date=dt.date.today(), attendance=5, by=staff, issues=[])
    client.get(url)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_huddle_log_and_directorate_keep_flat_query_counts(client, qiadmin, ward, staff, sponsor,
                                                           django_assert_max_num_queries):
    client.force_login(qiadmin)

    def grow(n):
        for _ in range(n):
            TeamFactory(directorate=ward.directorate)
            record_huddle(team=ward, date=dt.date.today(), attendance=5, by=staff,
                          issues=[NewIssue("Issue", "escalated", sponsor), NewIssue("Other", "resolved")])

    for name, args in (("assurance:team_huddles", [ward.pk]), ("assurance:directorate", [ward.directorate.slug]),
                       ("assurance:team", [ward.pk])):
        grow(2)
        with django_assert_max_num_queries(30) as small:
            assert client.get(reverse(name, args=args)).status_code == 200
        baseline = len(small.captured_queries)  # now: a later request resets the log
        grow(5)
        with django_assert_max_num_queries(baseline):
            client.get(reverse(name, args=args))


@pytest.mark.parametrize("persona", ["outsider", "other_chair"], indirect=True)
def test_the_team_quality_page_is_refused_outside_the_team_and_its_directorate(client, persona, ward):
    client.force_login(persona)
    assert client.get(reverse("assurance:team", args=[ward.pk])).status_code == 403


def test_the_team_sees_its_four_parts_of_quality(client, staff, ward, make_walkround):
    make_walkround(ward)
    _indicator(ward)
    client.force_login(staff)
    response = client.get(reverse("assurance:my_team"), follow=True)
    html = response.content.decode()
    for part in ("planning", "control", "assurance", "improvement"):
        assert f'data-testid="{part}"' in html
    assert "Incidents of restraint" in html and "Not accredited yet" in html


def test_the_team_page_links_only_the_walkrounds_the_reader_may_open(client, staff, ward, directorate,
                                                                     make_walkround):
    from organisation.models import Role
    from tests.factories import TeamFactory, UserFactory

    walkround = make_walkround(ward)
    elsewhere = TeamFactory(directorate=directorate)
    leader = UserFactory(username="dirsponsor", team=elsewhere, roles=[Role.STAFF, (Role.SPONSOR, directorate)])
    client.force_login(leader)  # sees the team's quality page as one of its directorate's leaders
    html = client.get(reverse("assurance:team", args=[ward.pk])).content.decode()
    assert walkround.get_absolute_url() not in html and f"{walkround.date:%-d %b %Y}" in html
    assert client.get(walkround.get_absolute_url()).status_code == 404  # so no link that leads there
    client.force_login(staff)
    assert walkround.get_absolute_url() in client.get(reverse("assurance:team", args=[ward.pk])).content.decode()


def test_the_directorate_reads_its_walkrounds_done_against_planned(client, chair, ward, directorate, executive,
                                                                   make_walkround, today):
    from assurance.models import PlannedWalkRound

    done = make_walkround(ward)
    PlannedWalkRound.objects.create(executive=executive, team=ward, week_of=done.date, walkround=done)
    PlannedWalkRound.objects.create(executive=executive, team=TeamFactory(directorate=directorate),
                                    week_of=today - dt.timedelta(days=3))  # planned, not yet done
    client.force_login(chair)
    html = client.get(reverse("assurance:directorate", args=[directorate.slug])).content.decode()
    assert ('<div class="fs-3 fw-bold">1/2</div><div class="small">planned WalkRounds done in 12 months (1 in all)'
            in html)


def test_the_team_page_shows_the_programmes_its_projects_take_part_in(client, staff, ward, chair, coach, sponsor,
                                                                      qiadmin):
    from programmes.models import Enrolment, Programme, Stage
    from tests.workflow import approved_project

    project = approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward)
    programme = Programme.objects.create(title="Violence reduction collaborative", topic="violence", lead=qiadmin,
                                         stage=Stage.DELIVER)
    Enrolment.objects.create(programme=programme, project=project, brought_in=True)
    client.force_login(staff)
    html = client.get(reverse("assurance:team", args=[ward.pk])).content.decode()
    assert 'data-testid="team-programmes"' in html and "Violence reduction collaborative</a> · Deliver" in html
