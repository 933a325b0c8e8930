"""The meeting page a chair runs in the room: sections, what each idea shows, and what it costs."""

import datetime as dt
from html import escape

import pytest
from django.urls import reverse

from forums.models import AgendaItem, AgendaKind, Decision, Meeting, Outcome
from forums.services import decide
from organisation.models import AnnualPriority
from projects.models import Involvement

from ..factories import ObjectiveFactory, ProjectFactory
from ..workflow import agenda_item, approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def sections(response) -> dict:
    return {s.kind: [i.project.title for i in s.items] for s in response.context["sections"]}


def test_agenda_sections_come_in_the_order_a_forum_works_through_them(login, chair, coach, sponsor, ward, meeting,
                                                                      meeting_url):
    new = submitted_idea(team=ward, title="New: protected mealtimes")
    returned = submitted_idea(team=ward, title="Resubmitted: safer handovers")
    decide(agenda_item(returned), outcome=Outcome.RETURN, by=chair, rationale="Say who agreed it.")
    last_month = Meeting.objects.create(forum=meeting.forum, date=meeting.date - dt.timedelta(days=28),
                                        starts_at=meeting.starts_at)
    AgendaItem.objects.filter(project=returned).update(meeting=last_month)
    Decision.objects.filter(project=returned).update(meeting=last_month)
    returned.refresh_from_db()
    from projects.services import submit_idea
    submit_idea(returned, by=returned.lead)
    deferred = submitted_idea(team=ward, title="Deferred: night-time noise")
    AgendaItem.objects.filter(project=deferred).update(kind=AgendaKind.DEFERRED)
    response = login(chair).get(meeting_url)
    assert response.status_code == 200
    assert sections(response) == {
        AgendaKind.NEW: [new.title], AgendaKind.RESUBMITTED: [returned.title], AgendaKind.DEFERRED: [deferred.title]}
    page = response.content.decode()
    assert page.index("1. New ideas") < page.index("2. Returned and resubmitted") < page.index(
        "3. Deferred from an earlier meeting")
    # The later sections appear only when something is in them.
    assert "Closure requests" not in page and "Progress needing attention" not in page
    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor, title="Closing: falls")
    AgendaItem.objects.create(meeting=meeting, project=project, kind=AgendaKind.CLOSURE, note="Aim met in May")
    page = login(chair).get(meeting_url).content.decode()
    assert "Closure requests" in page and "Closing: falls" in page and "Aim met in May" in page
    assert "Progress needing attention" not in page


def test_each_idea_shows_what_the_forum_needs_at_a_glance(login, staff, ward, meeting_url):
    objective = ObjectiveFactory(name="Experience of care")
    priority = AnnualPriority.objects.create(year=2026, name="Reducing restrictive practice")
    project = ProjectFactory(team=ward, title="Calmer evenings", involvement=Involvement.FULL,
                             condition_whole_team=True, matters_to_carers=True)
    project.objectives.set([objective])
    project.priorities.set([priority])
    from projects.services import submit_idea
    submit_idea(project, by=project.lead)
    page = login(staff).get(meeting_url).content.decode()
    assert reverse("projects:detail", args=[project.pk]) in page
    for fact in [project.problem, project.why_it_matters, project.aim_statement, "Willow Ward", project.lead.name,
                 "Matters to staff", "Matters to service users", "Matters to carers", "Experience of care",
                 "Reducing restrictive practice (2026/27)", "Full partners in the team", "First time at the forum"]:
        assert escape(fact) in page, fact
    assert page.count('<span class="tick" aria-hidden="true">✓</span>') == 3
    assert "Not aligned" not in page


def test_an_unaligned_idea_is_shown_as_not_aligned_neutrally(login, staff, ward, meeting_url):
    submitted_idea(team=ward)
    page = login(staff).get(meeting_url).content.decode()
    assert '<span class="chip chip-neutral">Not aligned</span>' in page
    assert "text-danger" not in page and "alert-danger" not in page


def test_a_resubmitted_idea_shows_the_feedback_it_was_returned_with(login, chair, ward, meeting_url):
    project = submitted_idea(team=ward)
    decide(agenda_item(project), outcome=Outcome.RETURN, by=chair, rationale="Involve service users in the aim.")
    project.refresh_from_db()
    from projects.services import submit_idea
    submit_idea(project, by=project.lead)
    response = login(chair).get(meeting_url)
    [item] = response.context["sections"][1].items
    assert [d.outcome for d in item.earlier_decisions] == [Outcome.RETURN]
    page = response.content.decode()
    assert "“Involve service users in the aim.”" in page and "Return for more work" in page


def test_drafts_never_appear_on_a_meeting_page(login, staff, ward, meeting, meeting_url):
    draft = ProjectFactory(team=ward, title="A private draft")
    AgendaItem.objects.create(meeting=meeting, project=draft, kind=AgendaKind.NEW)  # a stray row, never normal
    page = login(staff).get(meeting_url).content.decode()
    assert "A private draft" not in page
    printed = login(staff).get(reverse("forums:meeting_print", args=[meeting.pk])).content.decode()
    assert "A private draft" not in printed


def test_the_meeting_page_needs_a_login(client, meeting_url):
    response = client.get(meeting_url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_missing_meeting_is_404(login, staff):
    assert login(staff).get(reverse("forums:meeting", args=[999])).status_code == 404


def test_chair_sees_one_decision_form_per_undecided_idea(login, chair, ward, meeting_url):
    submitted_idea(team=ward)
    submitted_idea(team=ward)
    page = login(chair).get(meeting_url).content.decode()
    assert page.count('data-testid="decision-form"') == 2


def test_an_item_decided_at_another_meeting_shows_no_form(login, chair, ward, meeting, meeting_url):
    project = submitted_idea(team=ward)
    first = agenda_item(project)
    later = AgendaItem.objects.create(meeting=meeting, project=project, kind=AgendaKind.DEFERRED)
    decide(later, outcome=Outcome.DECLINE, by=chair, rationale="No")
    page = login(chair).get(reverse("forums:meeting", args=[first.meeting.pk])).content.decode()
    assert "No longer awaiting this forum" in page


def _agenda_of(n, ward):
    for _ in range(n):
        submitted_idea(team=ward)


@pytest.mark.parametrize("n", [2, 15])
def test_meeting_page_queries_do_not_grow_with_the_agenda(login, chair, coach, sponsor, ward, meeting_url,
                                                          django_assert_max_num_queries, n):
    _agenda_of(n, ward)
    project = submitted_idea(team=ward)
    decide(agenda_item(project), outcome=Outcome.APPROVE, by=chair, rationale="", coach=coach, sponsor=sponsor)
    client = login(chair)
    client.get(meeting_url)  # the first view ranks the trust's coaches by room, remembered for a minute
    with django_assert_max_num_queries(18):
        response = client.get(meeting_url)
    assert response.context["item_count"] == n + 1


@pytest.mark.parametrize("n", [2, 15])
def test_printable_agenda_queries_do_not_grow_with_the_agenda(login, staff, ward, meeting,
                                                              django_assert_max_num_queries, n):
    _agenda_of(n, ward)
    client = login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("forums:meeting_print", args=[meeting.pk]))
    assert response.context["item_count"] == n


def test_printable_agenda_lists_every_item_with_a_space_to_write_the_decision(login, staff, ward, meeting):
    submitted_idea(team=ward, title="Protected mealtimes")
    response = login(staff).get(reverse("forums:meeting_print", args=[meeting.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Protected mealtimes" in page and "1.1 Protected mealtimes" in page
    assert "Approve &nbsp; <span class=\"tickbox\"></span>Return for more work" in page
    assert "@media print" in page and "Ctrl+P" in page
    assert "<script>" not in page  # the CSP allows no inline scripts
    assert 'data-testid="decision-form"' not in page
