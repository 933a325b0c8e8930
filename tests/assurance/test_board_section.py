"""The board report's quality-system section: counted when built, frozen when published."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance.models import Action
from assurance.quality import board_figures
from board import services

pytestmark = pytest.mark.django_db


def test_figures_count_walkrounds_actions_awards_and_escalations(make_walkround, ward, staff, today):
    make_walkround(ward, actions=[("Late", staff, today - dt.timedelta(days=3)), ("Soon", staff, today)])
    figures = board_figures(today)
    assert (figures["walkrounds_done"], figures["actions_open"], figures["actions_overdue"]) == (1, 2, 1)
    assert [a["label"] for a in figures["awards"]] == ["Gold", "Silver", "Bronze", "Not accredited"]


def test_a_published_report_keeps_the_figures_it_was_published_with(client, make_walkround, ward, staff, qiadmin,
                                                                     board, today):
    make_walkround(ward, actions=[("Late", staff, today - dt.timedelta(days=3))])
    report = services.publish(services.create_draft(meeting_date=today, by=qiadmin), by=qiadmin)
    assert report.content["quality_system"]["actions_overdue"] == 1
    Action.objects.update(status="done", closed_on=timezone.localdate())
    client.force_login(board)
    html = client.get(reverse("board:report", args=[report.pk])).content.decode()
    section = html[html.index('data-testid="quality-system"'):]
    assert "1 <span" in section[:800]  # still the one overdue when it was published
