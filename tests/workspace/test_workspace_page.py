"""The workspace page: the stage, the three questions, panels from upper apps, and a bounded query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Stage
from workspace import panels
from workspace.models import AimVersion
from workspace.services import (
    add_change_idea,
    add_driver,
    change_aim,
    ensure_aim,
    record_progress,
    save_cycle,
    start_cycle,
)

pytestmark = pytest.mark.django_db


def test_first_opening_copies_the_approved_aim_as_version_one(client, board, project):
    client.force_login(board)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    aim = AimVersion.objects.get(project=project)
    assert aim.version == 1 and aim.statement == project.aim_statement
    assert project.aim_statement in body
    assert ensure_aim(project) == aim


def test_changing_the_aim_adds_a_version_and_keeps_the_history(client, staff, project):
    client.force_login(staff)
    url = reverse("workspace:aim_edit", args=[project.pk])
    assert project.aim_what in client.get(url).content.decode()
    when = timezone.localdate() + dt.timedelta(days=365)
    client.post(url, {"what": "Reduce incidents of violence", "how_much": "by 60%", "by_when": when.isoformat(),
                      "reason": "We met 40% early"})
    versions = list(AimVersion.objects.filter(project=project).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].statement == f"Reduce incidents of violence by 60% by {when:%-d %B %Y}"
    with pytest.raises(ValueError):
        versions[0].save()
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert f"by 60% by {when:%-d %B %Y}" in body and "Earlier versions (1)" in body and "We met 40% early" in body


def test_the_stage_and_what_is_expected_are_shown(client, staff, project):
    client.force_login(staff)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert 'aria-current="step"' in body and "Understanding the problem" in body
    assert "collect baseline data" in body
    assert '<option value="strategy" selected>' in body  # the next stage is offered


def test_without_panels_the_measures_section_explains_what_will_appear(client, staff, project, no_panels):
    client.force_login(staff)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert "How will we know that a change is an improvement?" in body
    assert "outcome</strong>, <strong>process</strong> and <strong>balancing</strong> measures" in body


def test_registered_panels_render_in_the_measures_section_in_order(client, staff, project, no_panels, tmp_path,
                                                                   settings):
    (tmp_path / "second.html").write_text("<p>SECOND {{ project.pk }} {{ colour }}</p>")
    (tmp_path / "first.html").write_text("<p>FIRST</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    panels.register("second", "second.html", lambda project, user: {"colour": "blue"}, order=20)
    panels.register("first", "first.html", lambda project, user: {}, order=10)
    panels.register("hidden", "first.html", lambda project, user: None, order=5)
    client.force_login(staff)
    body = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert body.index("FIRST") < body.index(f"SECOND {project.pk} blue")
    assert body.count("FIRST") == 1 and "will appear here as run charts" not in body


def _fill(project, lead, ideas: int, cycles: int) -> None:
    aim = ensure_aim(project)
    change_aim(project, what="Reduce violence", how_much="by 50%", by_when=None, reason="sharper", by=lead)
    assert aim.version == 1
    primaries = [add_driver(project, text=f"Primary {n}") for n in range(3)]
    secondaries = [add_driver(project, text=f"Secondary {n}", parent=primaries[n % 3]) for n in range(6)]
    made = [add_change_idea(project, title=f"Idea {n}", secondary_drivers=secondaries[n % 6:n % 6 + 2])
            for n in range(ideas)]
    for n in range(cycles):
        cycle = start_cycle(made[n % ideas], by=lead, what="x", planned_start=dt.date(2026, 1, 1))
        if n % 2:
            save_cycle(cycle, by=lead, learning="l", act_decision="adapt")
    for month in range(1, 4):
        record_progress(project, month=dt.date(2026, month, 1), score=Decimal("1.5"), narrative="n", by=lead)


def _count(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_30_ideas_and_100_cycles_as_for_one(
        client, staff, project, chair, coach, sponsor, ward, no_panels, django_assert_max_num_queries):
    from tests.workflow import approved_project

    small = project
    big = approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward, title="Big")
    _fill(small, staff, ideas=1, cycles=1)
    _fill(big, staff, ideas=30, cycles=100)
    client.force_login(staff)
    _count(client, small)  # warm the session and the role cache
    small_count, big_count = _count(client, small), _count(client, big)
    assert big_count <= small_count
    with django_assert_max_num_queries(20):
        client.get(reverse("workspace:project", args=[big.pk]))
    body = client.get(reverse("workspace:project", args=[big.pk])).content.decode()
    assert "Idea 29" in body and "PDSA 4" in body


def test_projects_at_each_stage_render(client, board, project):
    client.force_login(board)
    for stage in Stage.values:
        project.stage = stage
        project.save(update_fields=["stage"])
        assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 200
