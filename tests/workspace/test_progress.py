"""Monthly progress scores on the IHI scale, and the attention flags the forum and home page read."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, ProjectStatus
from workspace.models import ProgressScore
from workspace.services import WorkspaceError, attention_reasons, needing_attention, record_progress

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def approved_in_january(project):
    Project.objects.filter(pk=project.pk).update(approved_on=dt.date(2026, 1, 10))
    project.refresh_from_db()
    return project


def score(project, month, value, recorded, by):
    return record_progress(project, month=month, score=Decimal(value), narrative="n", by=by, at=at(recorded))


def test_the_form_shows_each_level_with_its_meaning_and_records_the_score(client, staff, project):
    client.force_login(staff)
    url = reverse("workspace:progress", args=[project.pk])
    body = client.get(url).content.decode()
    for text in ("0.5 – Intent to participate", "1.0 – Charter and team established", "2.5 – Changes tested, but no "
                 "improvement", "5.0 – Outstanding sustainable results"):
        assert text in body
    month = timezone.localdate().replace(day=1)
    response = client.post(url, {"month": month.isoformat(), "score": "1.5", "narrative": "Process mapped",
                                 "help_needed": "Protected time"})
    assert response.status_code == 302
    row = ProgressScore.objects.get()
    assert row.score == Decimal("1.5") and row.meaning == "Planning for the project has begun"
    assert row.help_needed == "Protected time" and row.recorded_by == staff
    page = client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert "Planning for the project has begun" in page and "Protected time" in page


def test_scores_off_the_scale_are_refused(client, staff, project):
    client.force_login(staff)
    month = timezone.localdate().replace(day=1).isoformat()
    response = client.post(reverse("workspace:progress", args=[project.pk]),
                           {"month": month, "score": "5.5", "narrative": "x"})
    assert response.status_code == 200 and not ProgressScore.objects.exists()
    with pytest.raises(WorkspaceError):
        record_progress(project, month=dt.date(2026, 1, 1), score=Decimal("1.2"), narrative="x", by=staff)


def test_rescoring_a_month_keeps_the_history_and_the_latest_counts(staff, approved_in_january):
    project = approved_in_january
    score(project, dt.date(2026, 5, 1), "2.0", dt.date(2026, 5, 28), staff)
    score(project, dt.date(2026, 5, 1), "2.5", dt.date(2026, 6, 2), staff)
    assert ProgressScore.objects.count() == 2
    effective = ProgressScore.objects.effective()
    assert list(effective.values_list("score", flat=True)) == [Decimal("2.5")]
    assert project.events.filter(summary__startswith="Progress re-scored for May 2026").exists()


def test_no_score_for_more_than_45_days_needs_attention(staff, approved_in_january):
    project = approved_in_january
    # Approved 10 January, nothing recorded: 45 days later it is fine, 46 days later it is not.
    assert attention_reasons(project, dt.date(2026, 2, 24)) == []
    assert attention_reasons(project, dt.date(2026, 2, 25)) == ["No progress score since approval 46 days ago"]
    score(project, dt.date(2026, 3, 1), "1.0", dt.date(2026, 3, 30), staff)
    assert attention_reasons(project, dt.date(2026, 5, 14)) == []
    assert attention_reasons(project, dt.date(2026, 5, 15)) == ["No progress score for 46 days"]
    assert list(needing_attention(Project.objects.all(), dt.date(2026, 5, 15))) == [project]
    assert list(needing_attention(Project.objects.all(), dt.date(2026, 5, 14))) == []


def test_a_score_unchanged_for_three_months_needs_attention(staff, approved_in_january):
    project = approved_in_january
    for month, value in ((3, "2.0"), (4, "2.0"), (5, "2.0")):
        score(project, dt.date(2026, month, 1), value, dt.date(2026, month, 27), staff)
    assert attention_reasons(project, TODAY) == ["Score unchanged at 2.0 for 3 months"]
    assert list(needing_attention(Project.objects.all(), TODAY)) == [project]
    # Re-scoring May upwards clears it: the latest score for a month is the one that counts.
    score(project, dt.date(2026, 5, 1), "2.5", dt.date(2026, 6, 1), staff)
    assert attention_reasons(project, TODAY) == []
    assert list(needing_attention(Project.objects.all(), TODAY)) == []


def test_rising_or_sustained_scores_do_not_need_attention(staff, approved_in_january, chair, coach, sponsor, ward):
    from tests.workflow import approved_project

    rising = approved_in_january
    sustained = approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward)
    Project.objects.filter(pk=sustained.pk).update(approved_on=dt.date(2025, 6, 1))
    sustained.refresh_from_db()
    for month, (a, b) in zip((3, 4, 5), (("1.5", "4.5"), ("2.0", "4.5"), ("2.5", "4.5"))):
        score(rising, dt.date(2026, month, 1), a, dt.date(2026, month, 27), staff)
        score(sustained, dt.date(2026, month, 1), b, dt.date(2026, month, 27), staff)
    assert attention_reasons(rising, TODAY) == [] and attention_reasons(sustained, TODAY) == []
    assert not needing_attention(Project.objects.all(), TODAY).exists()


def test_only_running_active_projects_are_flagged(staff, approved_in_january, chair, coach, sponsor, ward):
    from tests.workflow import submitted_idea

    submitted_idea(team=ward)
    Project.objects.filter(pk=approved_in_january.pk).update(status=ProjectStatus.COMPLETED)
    assert not needing_attention(Project.objects.all(), TODAY).exists()


def test_needing_attention_takes_a_bounded_number_of_queries(staff, approved_in_january, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(needing_attention(Project.objects.all(), TODAY))


def test_the_workspace_page_shows_the_attention_flag(client, board, approved_in_january):
    client.force_login(board)
    body = client.get(reverse("workspace:project", args=[approved_in_january.pk])).content.decode()
    assert 'data-testid="attention"' in body and "No progress score since approval" in body
