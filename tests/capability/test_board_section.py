import datetime as dt

import pytest
from django.urls import reverse

from board.services import content_for, create_draft, publish
from capability import services

pytestmark = pytest.mark.django_db


def test_the_board_report_keeps_the_training_reach_it_was_published_with(client, board, qiadmin, targets,
                                                                         pocket_cohort, make_person):
    def complete():
        e = services.enrol(pocket_cohort, make_person())
        services.record_attendance(pocket_cohort, {(e.pk, pocket_cohort.session_set.get().pk): True})

    complete()
    report = create_draft(meeting_date=dt.date.today() - dt.timedelta(days=1), by=qiadmin)
    publish(report, by=qiadmin)
    report.refresh_from_db()
    pocket = next(r for r in content_for(report)["portfolio"]["training"]["rows"] if r["course"] == "Pocket QI")
    assert pocket["trained"] == 1
    complete()
    report.refresh_from_db()
    again = next(r for r in content_for(report)["portfolio"]["training"]["rows"] if r["course"] == "Pocket QI")
    assert again["trained"] == 1  # frozen as published
    client.force_login(board)
    page = client.get(reverse("board:portfolio")).content.decode()
    assert "Training reach" in page
