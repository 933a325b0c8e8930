"""The report's measures by Triple Aim domain or by strategic objective, on the page and in the PDF; reports
published before measures had objectives are shown by domain and say the other grouping is not available."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from board import content as frozen
from board import pdf as board_pdf
from board import services
from board.models import BoardReport, ReportPDF
from measures.models import Domain
from tests.factories import ObjectiveFactory

from .conftest import MEETING, RISING, STABLE, make_wsm


@pytest.fixture
def objectives(db):
    return {"experience": ObjectiveFactory(name="Improved experience of care", order=0),
            "staff": ObjectiveFactory(name="Improved staff experience", order=1)}


@pytest.fixture
def linked(objectives, owner):
    """Five measures: two domains' worth linked to two objectives (one listed first by its order), two not
    linked; a concern in each of the first objective's and the unlinked group."""
    return {
        "z": make_wsm("Z worsening on the wards", values=RISING, owner=owner, objective=objectives["staff"]),
        "a": make_wsm("A stable experience", values=STABLE, objective=objectives["staff"]),
        "v": make_wsm("Value for money", domain=Domain.VALUE, values=STABLE, objective=objectives["experience"]),
        "u": make_wsm("Unlinked and rising", domain=Domain.VALUE, values=RISING),
        "b": make_wsm("B unlinked and stable", domain=Domain.STAFF_EXPERIENCE, values=STABLE,
                      improvement="increase"),
    }


@pytest.fixture
def report(linked, qiadmin):
    return services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)


def names_in(groups) -> list[tuple[str, list[str]]]:
    return [(g["label"], [m["name"] for m in g["measures"]]) for g in groups]


def test_the_report_holds_both_groupings_with_concerns_first_and_unlinked_measures_last(report, objectives):
    assert report.content["schema"] == services.CONTENT_SCHEMA >= 2
    assert names_in(frozen.grouped(report.content, "objective")) == [
        ("Improved experience of care", ["Value for money"]),
        ("Improved staff experience", ["Z worsening on the wards", "A stable experience"]),
        ("Not linked to a strategic objective", ["Unlinked and rising", "B unlinked and stable"]),
    ]
    assert names_in(frozen.grouped(report.content, "domain")) == [
        ("Experience of care", ["Z worsening on the wards", "A stable experience"]),
        ("Value", ["Unlinked and rising", "Value for money"]),
        ("Staff experience", ["B unlinked and stable"]),
    ]
    by_name = {m["name"]: m for m in report.content["measures"]}
    assert by_name["Value for money"]["objective"] == "Improved experience of care"
    assert by_name["Unlinked and rising"]["objective"] == ""
    # Frozen: relinking a measure later does not move it in the published report.
    objectives["staff"].measures.update(objective=objectives["experience"])
    report.refresh_from_db()
    assert names_in(frozen.grouped(report.content, "objective"))[1][0] == "Improved staff experience"


def summary_names(page: str) -> list[str]:
    table = page[page.index('data-testid="summary-table"'):page.index("</table>")]
    return re.findall(r'<a href="#measure-\d+">([^<]+)</a>', table)


def test_the_report_page_switches_grouping_and_keeps_its_anchors(client, report, linked, board):
    client.force_login(board)
    by_domain = client.get(report.get_absolute_url()).content.decode()
    by_objective = client.get(report.get_absolute_url(), {"group": "objective"}).content.decode()
    assert summary_names(by_objective) == ["Value for money", "Z worsening on the wards", "A stable experience",
                                           "Unlinked and rising", "B unlinked and stable"]
    assert summary_names(by_domain)[:2] == ["Z worsening on the wards", "A stable experience"]
    assert 'id="group-objective-none"' in by_objective and 'id="summary-group-objective-none"' in by_objective
    assert f'id="group-domain-{Domain.VALUE}"' in by_domain
    for page in (by_domain, by_objective):
        for anchor in ("summary", "measures", "portfolio", "stories", *(f"measure-{m.pk}" for m in linked.values())):
            assert f'id="{anchor}"' in page
        assert 'href="?group=domain#summary"' in page and 'href="?group=objective#summary"' in page
        assert note_of(page) == ""
    assert re.search(r'aria-current="page" href="\?group=objective#summary"', by_objective)
    assert re.search(r'aria-current="page" href="\?group=domain#summary"', by_domain)
    assert "Grouped by strategic objective" in by_objective and "Grouped by Triple Aim domain" in by_domain
    assert "Objective: Improved staff experience" in by_objective
    # Anything else is the default grouping.
    assert summary_names(client.get(report.get_absolute_url(), {"group": "team"}).content.decode()) == \
        summary_names(by_domain)


def test_a_draft_preview_groups_by_objective_too(client, linked, qiadmin):
    draft = services.create_draft(meeting_date=MEETING, by=qiadmin)
    client.force_login(qiadmin)
    page = client.get(draft.get_absolute_url(), {"group": "objective"}).content.decode()
    assert summary_names(page)[-2:] == ["Unlinked and rising", "B unlinked and stable"]


@pytest.fixture
def schema_1_report(report, qiadmin):
    """A report as it was frozen before measures had objectives: domain groups under "groups"."""
    content = {k: v for k, v in report.content.items() if k != "groupings"}
    content["schema"], content["groups"] = 1, report.content["groupings"]["domain"]
    content["measures"] = [{k: v for k, v in m.items() if k not in ("objective", "objective_id")}
                           for m in report.content["measures"]]
    return BoardReport.objects.create(meeting_date=MEETING.replace(month=2), title="February board",
                                      status="published", published_at=timezone.now(), published_by=qiadmin,
                                      content=content)


def note_of(page: str) -> str:
    """How the page says the objective grouping is missing: 'alert', 'quiet' or '' (it does not)."""
    match = re.search(r'<p class="small ([^"]*)" role="note" data-testid="grouping-unavailable">', page)
    return "" if match is None else "alert" if "alert" in match.group(1) else "quiet"


def test_a_report_published_before_objectives_is_shown_by_domain_and_says_so(client, schema_1_report, board):
    client.force_login(board)
    asked = client.get(schema_1_report.get_absolute_url(), {"group": "objective"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert note_of(page) == "alert"  # asked for, so said plainly
    assert "Grouping by strategic objective is not available for this report" in page
    assert 'href="?group=objective#summary"' not in page
    assert summary_names(page)[:2] == ["Z worsening on the wards", "A stable experience"]
    assert "Grouped by Triple Aim domain" in page and "Not linked to a strategic objective" not in page
    plain = client.get(schema_1_report.get_absolute_url()).content.decode()
    assert note_of(plain) == "quiet"  # not asked for: a quiet note beside the disabled choice


def test_the_pdf_of_a_report_published_before_objectives_is_made_by_domain(
        client, schema_1_report, board, django_capture_on_commit_callbacks):
    client.force_login(board)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("board:pdf_request", args=[schema_1_report.pk]), {"group": "objective"})
    assert list(ReportPDF.objects.values_list("grouping", "status")) == [("domain", "ready")]
    html = board_pdf.build_html(services.report_meta(schema_1_report), schema_1_report.content, grouping="objective")
    assert "Grouped by Triple Aim domain" in html


def test_the_pdf_is_made_in_the_grouping_chosen_on_the_page(client, report, board,
                                                             django_capture_on_commit_callbacks):
    client.force_login(board)
    page = client.get(report.get_absolute_url(), {"group": "objective"}).content.decode()
    assert 'name="group" value="objective"' in page
    status_url = reverse("board:pdf_status", args=[report.pk])
    assert f'data-status-url="{status_url}?group=objective"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("board:pdf_request", args=[report.pk]), {"group": "objective"})
    assert response.url == report.get_absolute_url() + "?group=objective#pdf"
    status = client.get(status_url, {"group": "objective"}).json()
    assert status["status"] == "ready" and status["download"].endswith("?group=objective")
    assert client.get(status_url).json() == {"status": "none"}  # the domain PDF is another document
    download = client.get(status["download"])
    assert download["Content-Disposition"].endswith('-v1-by-objective.pdf"')
    html = board_pdf.build_html(services.report_meta(report), report.content, grouping="objective")
    assert "Grouped by strategic objective" in html
    contents = html[html.index('class="contents"'):html.index("</nav>")]
    assert re.findall(r'href="#measure-\d+">([^<]+)<', contents) == [
        "Value for money", "Z worsening on the wards", "A stable experience", "Unlinked and rising",
        "B unlinked and stable"]
    assert html.index("Improved experience of care") < html.index("Improved staff experience") \
        < html.index("Not linked to a strategic objective")
