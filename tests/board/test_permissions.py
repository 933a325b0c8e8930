"""Drafts are the QI department's; published reports are read by the board, executives, the QI department
and IAs; the portfolio shows everyone their own directorate; the early-warning board is open to all."""

import pytest
from django.urls import reverse

from organisation.models import Role
from tests.factories import UserFactory

READERS = ["board", "qiadmin", "ia"]
OTHERS = ["staff", "serviceuser", "coach", "sponsor", "chair", "outsider"]


@pytest.mark.parametrize("persona", READERS, indirect=True)
def test_board_members_executives_and_qi_staff_read_published_reports(client, persona, published):
    client.force_login(persona)
    assert client.get(reverse("board:index")).status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(reverse("board:pdf_status", args=[published.pk])).status_code == 200


@pytest.mark.parametrize("persona", OTHERS, indirect=True)
def test_other_roles_do_not_read_the_board_report(client, persona, published):
    client.force_login(persona)
    assert client.get(reverse("board:index")).status_code == 403
    assert client.get(published.get_absolute_url()).status_code == 403
    assert client.get(reverse("board:pdf_download", args=[published.pk])).status_code == 403


@pytest.fixture
def persona(request, outsider):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("persona", ["board", "ia", "staff", "outsider"], indirect=True)
def test_drafts_are_visible_to_the_qi_department_only(client, persona, draft):
    client.force_login(persona)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("board:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("board:publish", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_qi_department_sees_drafts_in_the_list_and_the_board_does_not(client, draft, published, qiadmin, board):
    client.force_login(qiadmin)
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.force_login(board)
    listing = client.get(reverse("board:index")).content.decode()
    assert published.title in listing
    assert "Draft" not in listing


def test_only_the_qi_department_prepares_publishes_and_corrects(client, published, board, ia):
    for user in (board, ia):
        client.force_login(user)
        assert client.post(reverse("board:correct", args=[published.pk]), {"note": "x"}).status_code == 403
        assert client.post(reverse("board:index"), {"meeting_date": "2026-05-28"}).status_code == 403


def test_everyone_sees_the_portfolio_of_their_own_directorate_only(client, staff, outsider, directorate,
                                                                   other_directorate):
    client.force_login(outsider)
    page = client.get(reverse("board:portfolio"), {"directorate": directorate.pk}).content.decode()
    assert other_directorate.name in page and f"QI portfolio: {directorate.name}" not in page
    client.force_login(staff)
    assert f"QI portfolio: {directorate.name}" in client.get(reverse("board:portfolio")).content.decode()


def test_board_and_qi_department_see_every_directorate_and_can_choose(client, board, directorate):
    client.force_login(board)
    page = client.get(reverse("board:portfolio")).content.decode()
    assert "All directorates" in page
    chosen = client.get(reverse("board:portfolio"), {"directorate": directorate.pk}).content.decode()
    assert f"QI portfolio: {directorate.name}" in chosen


def test_a_person_without_a_directorate_is_told_why(client, db):
    partner = UserFactory(username="partner", team=None, directorate=None, roles=[Role.STAFF])
    client.force_login(partner)
    assert client.get(reverse("board:portfolio")).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "board", "outsider"], indirect=True)
def test_everyone_logged_in_reads_the_early_warning_board(client, persona):
    client.force_login(persona)
    assert client.get(reverse("board:early_warning")).status_code == 200


def test_logged_out_people_are_sent_to_log_in(client, published):
    for url in (reverse("board:index"), published.get_absolute_url(), reverse("board:portfolio"),
                reverse("board:early_warning")):
        assert client.get(url).status_code == 302


def test_navigation_offers_the_report_to_readers_only(client, board, staff):
    from organisation.navigation import flat_url_names

    assert "board:index" in flat_url_names(board)
    assert "board:index" not in flat_url_names(staff)
    assert {"board:early_warning", "board:portfolio"} <= set(flat_url_names(staff))
