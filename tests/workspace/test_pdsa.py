"""PDSA cycles: planned, filled in over days, chained, and the change idea's status follows the act decisions."""

import datetime as dt

import pytest
from django.urls import reverse

from workspace.models import ActDecision, IdeaStatus, PDSACycle
from workspace.services import add_change_idea, derived_idea_status, save_cycle, start_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(project):
    return add_change_idea(project, title="Safety huddle at 10:00 and 18:00")


def test_derived_status_follows_the_latest_cycle():
    assert derived_idea_status([]) == IdeaStatus.NOT_TESTED
    assert derived_idea_status([""]) == IdeaStatus.TESTING
    assert derived_idea_status(["adapt"]) == IdeaStatus.ADAPTED
    assert derived_idea_status(["adapt", ""]) == IdeaStatus.TESTING
    assert derived_idea_status(["adapt", "adopt"]) == IdeaStatus.ADOPTED
    assert derived_idea_status(["adapt", "abandon"]) == IdeaStatus.ABANDONED


def test_a_cycle_is_planned_then_filled_in_over_days(client, staff, idea):
    client.force_login(staff)
    new = reverse("workspace:cycle_new", args=[idea.pk])
    assert client.get(new).status_code == 200
    response = client.post(new, {"what": "Huddle on the late shift", "who": "Shift coordinator",
                                 "planned_start": "2026-03-02", "prediction": "It happens on most shifts"})
    cycle = PDSACycle.objects.get()
    assert response.status_code == 302 and response.url == reverse("workspace:cycle", args=[cycle.pk])
    assert cycle.number == 1 and cycle.phase == "do" and cycle.created_by == staff
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.TESTING

    edit = reverse("workspace:cycle_edit", args=[cycle.pk])
    data = {"what": cycle.what, "who": cycle.who, "planned_start": "2026-03-02", "prediction": cycle.prediction,
            "done_on": "2026-03-09", "what_happened": "Happened on 4 of 6 shifts"}
    response = client.post(edit, {**data, "action": "continue"})
    assert response.status_code == 302 and response.url == edit
    cycle.refresh_from_db()
    assert cycle.phase == "study" and cycle.done_on == dt.date(2026, 3, 9)

    refused = client.post(edit, {**data, "act_decision": "adopt"})
    assert refused.status_code == 200 and "Write down what you learnt" in refused.content.decode()
    client.post(edit, {**data, "learning": "Needs an owner", "act_decision": "adapt", "next_steps": "Name an owner"})
    cycle.refresh_from_db()
    idea.refresh_from_db()
    assert cycle.act_decision == ActDecision.ADAPT and idea.status == IdeaStatus.ADAPTED
    assert idea.project.events.filter(summary__contains="PDSA 1").filter(summary__endswith="adapt").exists()
    detail = client.get(reverse("workspace:cycle", args=[cycle.pk])).content.decode()
    assert "Needs an owner" in detail and "Adapt" in detail


def test_the_next_cycle_builds_on_the_previous_one_and_is_prefilled(client, staff, idea):
    first = start_cycle(idea, by=staff, what="Huddle on lates", who="Coordinator", where="Willow Ward",
                        question="Will it stick?", planned_start=dt.date(2026, 3, 2))
    save_cycle(first, by=staff, learning="Needs an owner", act_decision="adapt",
               next_steps="Huddle on every shift with a named owner")
    client.force_login(staff)
    page = client.get(reverse("workspace:cycle_new", args=[idea.pk])).content.decode()
    assert "Builds on" in page and "Huddle on every shift with a named owner" in page and "Will it stick?" in page
    client.post(reverse("workspace:cycle_new", args=[idea.pk]), {
        "builds_on": first.pk, "what": "Huddle on every shift with a named owner", "planned_start": "2026-03-16"})
    second = PDSACycle.objects.get(number=2)
    assert second.builds_on == first and second.change_idea == idea
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.TESTING
    save_cycle(second, by=staff, learning="It stuck", act_decision="adopt")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ADOPTED
    fresh = client.get(reverse("workspace:cycle_new", args=[idea.pk]) + "?fresh=1").content.decode()
    assert "Builds on" not in fresh


def test_cycle_numbers_count_per_change_idea(staff, project, idea):
    other = add_change_idea(project, title="Calm boxes")
    assert [start_cycle(idea, by=staff).number for _ in range(3)] == [1, 2, 3]
    assert start_cycle(other, by=staff).number == 1


def test_the_planned_end_comes_after_the_start(client, staff, idea):
    client.force_login(staff)
    response = client.post(reverse("workspace:cycle_new", args=[idea.pk]),
                           {"planned_start": "2026-03-10", "planned_end": "2026-03-01"})
    assert response.status_code == 200 and not PDSACycle.objects.exists()


def test_the_ramp_shows_cycles_in_order_with_their_decisions(client, board, staff, idea):
    for decision in ("adapt", "adopt"):
        cycle = start_cycle(idea, by=staff, what="x")
        save_cycle(cycle, by=staff, learning="l", act_decision=decision)
    client.force_login(board)  # anyone reads
    body = client.get(reverse("workspace:project", args=[idea.project_id])).content.decode()
    assert body.index("PDSA 1") < body.index("PDSA 2")
    assert "ramp-adapt" in body and "ramp-adopt" in body and "Adopted" in body
