"""Moving in an old portfolio: map the columns, preview every row's problems, import once, re-import changes nothing."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from coaching.models import Allocation
from ingest import portfolio
from ingest.models import ImportedProject, PortfolioImport
from measures.models import DataPoint, Measure
from ops.models import ImportStatus
from projects.models import Project, ProjectEvent, ProjectStatus
from workspace.models import ProgressScore

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HEAD = ["Project ID", "Project title", "Directorate", "Team", "Project lead", "Lead email", "Status", "Stage",
        "Start date", "Approval date", "End date", "Description", "Aim", "Latest progress score", "Score date",
        "Coach email", "Sponsor email"]


def good_row(ref="LQI-1", title="Safer handovers", team="Willow Ward", email="priya.shah@example.nhs.uk",
             status="In progress", **extra):
    row = dict(zip(HEAD, [ref, title, "Riverside Mental Health", team, "Priya Shah", email, status,
                          "Testing changes", "2024-03-04", "2024-04-10", "", "Handover misses risk information.",
                          "Every handover covers the five risk items", "3.5", "2025-10-01", "coach@example.nhs.uk",
                          "Sponsor@example.nhs.uk"], strict=True))
    row.update(extra)
    return [row[h] for h in HEAD]


def workbook(projects, progress=None, measures=None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in (("Projects", [HEAD, *projects]), ("Progress", progress), ("Measures", measures)):
        if rows:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PROGRESS = [["Project ID", "Month", "Score", "Narrative"],
            ["LQI-1", "2025-08", "3", "Second PDSA adopted."],
            ["LQI-1", "2025-09", "3.5", "Early signs on the run chart."],
            ["LQI-1", "2025-10", "7", "Not on the scale."]]
MEASURES = [["Project ID", "Measure", "Type", "Chart", "Unit", "Definition", "Date", "Numerator", "Denominator"],
            *[["LQI-1", "Handovers covering all five risk items", "outcome", "p", "%", "Audited handovers.",
               f"2025-{m:02d}-01", str(10 + m), "30"] for m in range(1, 7)],
            ["LQI-1", "Handovers covering all five risk items", "outcome", "p", "%", "", "2025-07-01", "40", "30"]]


def upload(client, content, name="portfolio.xlsx"):
    return client.post(reverse("portfolio_import:start"), {"file": SimpleUploadedFile(name, content)})


def map_columns(client, batch, capture, **changes):
    data = {**batch.mapping, **changes}
    with capture(execute=True):
        return client.post(reverse("portfolio_import:columns", args=[batch.pk]), data)


def confirm(client, batch, capture):
    with capture(execute=True):
        return client.post(reverse("portfolio_import:batch", args=[batch.pk]))


@pytest.fixture
def admin_client(client, qiadmin, coach, sponsor):
    coach.email, sponsor.email = "coach@example.nhs.uk", "sponsor@example.nhs.uk"
    coach.save()
    sponsor.save()
    client.force_login(qiadmin)
    return client


def test_columns_are_guessed_from_life_qi_and_tracker_headings():
    guessed = portfolio.guess_mapping(HEAD)
    assert guessed["external_id"] == "Project ID"
    assert guessed["title"] == "Project title"
    assert guessed["lead_email"] == "Lead email"
    assert guessed["lead_name"] == "Project lead"
    assert guessed["progress_score"] == "Latest progress score"
    assert guessed["progress_date"] == "Score date"
    assert portfolio.guess_mapping(["Name", "Ward", "Owner email"]) == {
        **{c.field: "" for c in portfolio.FIELDS}, "title": "Name", "team": "Ward", "lead_email": "Owner email"}


def test_the_whole_journey_imports_projects_history_progress_and_measures(admin_client, ward, qiadmin, coach,
                                                                         sponsor, django_capture_on_commit_callbacks):
    UserFactory(username="tom", email="tom.reid@example.nhs.uk", team=ward)
    content = workbook([good_row(), good_row("LQI-2", "Fewer missed health checks", email="TOM.REID@example.nhs.uk",
                                             status="Completed", **{"End date": "2025-06-30"})],
                       PROGRESS, MEASURES)
    response = upload(admin_client, content)
    batch = PortfolioImport.objects.get()
    assert response.url == reverse("portfolio_import:columns", args=[batch.pk])
    page = admin_client.get(response.url).content.decode()
    assert "Project title" in page and "Progress" in page

    map_columns(admin_client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY
    page = admin_client.get(reverse("portfolio_import:batch", args=[batch.pk])).content.decode()
    assert "2</strong> projects ready to bring in" in page
    assert "priya.shah@example.nhs.uk (Priya Shah)" in page  # the unknown lead, listed before anything is made
    assert "tom.reid" not in page.split('data-testid="unknown-people"')[1].split("</ul>")[0]
    assert "not on the IHI scale" in page  # the progress row scored 7
    assert "more than the denominator" in page  # July's p-chart row
    assert not Project.objects.exists() and not get_user_model().objects.filter(email__startswith="priya").exists()

    confirm(admin_client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.error
    assert (batch.created_count, batch.people_created) == (2, ["priya.shah@example.nhs.uk"])
    handovers = Project.objects.get(title="Safer handovers")
    priya = get_user_model().objects.get(email="priya.shah@example.nhs.uk")
    assert (handovers.team, handovers.lead, handovers.status) == (ward, priya, ProjectStatus.ACTIVE)
    assert handovers.stage == "test" and handovers.approved_on == dt.date(2024, 4, 10)
    assert (handovers.coach, handovers.sponsor) == (coach, sponsor)
    assert Allocation.objects.current().filter(project=handovers).count() == 2
    coach.coach_profile.refresh_from_db()
    assert coach.coach_profile.current_teams == 1  # counted in the coach's load, as an allocation is
    assert not priya.has_usable_password()
    done = Project.objects.get(title="Fewer missed health checks")
    assert done.status == ProjectStatus.COMPLETED and done.lead.username == "tom"
    # Dated history: the portfolio as at a past meeting reads the project as it then stood.
    events = list(ProjectEvent.objects.filter(project=done).order_by("at").values_list("to_status", flat=True))
    assert events == ["submitted", "active", "completed", "completed"]
    assert ProjectEvent.objects.filter(project=done).order_by("at").first().at.date() == dt.date(2024, 3, 4)
    scores = {(s.month, s.score) for s in ProgressScore.objects.filter(project=handovers)}
    assert (dt.date(2025, 8, 1), 3) in scores and (dt.date(2025, 10, 1), 3.5) in scores and len(scores) == 3
    measure = Measure.objects.get(project=handovers)
    assert measure.chart_type == "p" and DataPoint.objects.filter(measure=measure).count() == 6
    assert ImportedProject.objects.count() == 2


def test_the_same_file_twice_changes_nothing(admin_client, ward, django_capture_on_commit_callbacks):
    content = workbook([good_row()], PROGRESS[:3], MEASURES[:4])
    for _ in range(2):
        upload(admin_client, content)
        batch = PortfolioImport.objects.latest("pk")
        map_columns(admin_client, batch, django_capture_on_commit_callbacks)
        confirm(admin_client, batch, django_capture_on_commit_callbacks)
    first, second = PortfolioImport.objects.order_by("pk")
    assert (first.created_count, second.created_count) == (1, 0)
    assert second.status == ImportStatus.IMPORTED
    assert Project.objects.count() == 1 and Measure.objects.count() == 1
    assert ProgressScore.objects.count() == 3 and DataPoint.objects.count() == 3
    assert get_user_model().objects.filter(email="priya.shah@example.nhs.uk").count() == 1
    page = admin_client.get(reverse("portfolio_import:batch", args=[second.pk])).content.decode()
    assert "Brought in 0 projects" in page


def test_a_csv_without_ids_is_known_again_by_team_and_title(admin_client, ward, django_capture_on_commit_callbacks):
    content = b"Title,Team,Lead email,Status\nQuieter nights,Willow Ward,sam@example.nhs.uk,Submitted\n"
    for _ in range(2):
        upload(admin_client, content, "tracker.csv")
        batch = PortfolioImport.objects.latest("pk")
        map_columns(admin_client, batch, django_capture_on_commit_callbacks)
        confirm(admin_client, batch, django_capture_on_commit_callbacks)
    assert Project.objects.filter(title="Quieter nights", team=ward).count() == 1


def test_preview_says_what_is_wrong_with_every_row_and_imports_only_the_good(admin_client, ward, other_ward,
                                                                            django_capture_on_commit_callbacks):
    TeamFactory(directorate=other_ward.directorate, name="Willow Ward")  # the same name in two directorates
    rows = [
        good_row("A1"),
        good_row("A2", title=""),
        good_row("A3", team="Nowhere Ward"),
        good_row("A4", email="not-an-address"),
        good_row("A5", status="Mothballed"),
        good_row("A6", **{"Start date": "2031-01-01"}),
        good_row("A7", **{"Latest progress score": "2.2"}),
        good_row("A1", title="Again"),
        good_row("A9", **{"Approval date": "31/31/2024"}),
        good_row("A10", **{"Coach email": ""}),
        good_row("A11", **{"Coach email": "sam@example.nhs.uk"}),
        good_row("A12", **{"Coach email": "sponsor@example.nhs.uk"}),
        good_row("A13", **{"Coach email": "", "Status": "Completed"}),
    ]
    upload(admin_client, workbook(rows))
    batch = PortfolioImport.objects.get()
    map_columns(admin_client, batch, django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("portfolio_import:batch", args=[batch.pk])).content.decode()
    for words in ("No title.", "There is no team ‘Nowhere Ward’", "‘not-an-address’ is not an e-mail address",
                  "The status ‘Mothballed’ is not one the portal knows", "is in the future",
                  "2.2 is not on the IHI scale", "The same project is on line 2 too",
                  "‘31/31/2024’ is not a date we can read", "A running project needs its QI coach and sponsor",
                  "The QI coach sam@example.nhs.uk is not in the portal",
                  "sponsor@example.nhs.uk is not in the coach pool"):
        assert words in page, words
    assert "2</strong> projects ready to bring in" in page and "11</strong> with problems" in page
    confirm(admin_client, batch, django_capture_on_commit_callbacks)
    assert sorted(Project.objects.values_list("title", "status")) == [("Safer handovers", "active"),
                                                                      ("Safer handovers", "completed")]


def test_a_team_name_in_two_directorates_needs_the_directorate(admin_client, ward, other_ward,
                                                               django_capture_on_commit_callbacks):
    TeamFactory(directorate=other_ward.directorate, name="Willow Ward")
    upload(admin_client, b"Title,Team,Lead email\nQuieter nights,Willow Ward,sam@example.nhs.uk\n", "t.csv")
    batch = PortfolioImport.objects.get()
    map_columns(admin_client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.rows[0]["problems"] == ["‘Willow Ward’ is the name of 2 teams: map a directorate column too."]


def test_the_mapping_form_keeps_the_choices_and_says_what_is_wrong(admin_client, ward):
    upload(admin_client, workbook([good_row()]))
    batch = PortfolioImport.objects.get()
    response = admin_client.post(reverse("portfolio_import:columns", args=[batch.pk]),
                                 {**batch.mapping, "title": "", "aim": "Description"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the column that holds this" in page
    assert "‘Description’ is already chosen for The problem" in page or "already chosen for Aim" in page
    assert '<option value="Description" selected>' in page
    batch.refresh_from_db()
    assert not batch.mapped and batch.status == ImportStatus.CHECKING


@pytest.mark.parametrize("name, content, words", [
    ("notes.txt", b"hello", "CSV"),
    ("portfolio.xlsx", b"not really a workbook", "could not be read"),
    ("empty.csv", b"Title,Team,Lead email\n", "no projects"),
])
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(admin_client, name, content, words):
    response = upload(admin_client, content, name)
    assert response.status_code == 200
    assert words.lower() in response.content.decode().lower()
    assert not PortfolioImport.objects.exists()


def test_cancel_brings_nothing_in(admin_client, ward, django_capture_on_commit_callbacks):
    upload(admin_client, workbook([good_row()]))
    batch = PortfolioImport.objects.get()
    map_columns(admin_client, batch, django_capture_on_commit_callbacks)
    admin_client.post(reverse("portfolio_import:batch", args=[batch.pk]), {"cancel": "1"})
    confirm(admin_client, batch, django_capture_on_commit_callbacks)  # a late click after cancelling
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and not Project.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board"],
                         indirect=True)
def test_only_qi_admins_import(client, persona, qiadmin, ward):
    batch = PortfolioImport.objects.create(filename="x.csv", uploaded_by=qiadmin, rows=[], headings=["Title"])
    client.force_login(persona)
    for url in (reverse("portfolio_import:start"), reverse("portfolio_import:sample"),
                reverse("portfolio_import:columns", args=[batch.pk]),
                reverse("portfolio_import:batch", args=[batch.pk])):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert upload(client, b"Title,Team,Lead email\nx,Willow Ward,a@b.cd\n", "t.csv").status_code == 403
    assert PortfolioImport.objects.count() == 1


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("portfolio_import:start"))
    assert response.status_code == 302 and "login" in response.url


def test_the_sample_downloads_and_imports_into_the_demo_shape(admin_client):
    response = admin_client.get(reverse("portfolio_import:sample"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('portfolio-sample.xlsx"')
    assert response.content[:2] == b"PK"


def test_preview_costs_the_same_queries_whatever_the_file_length(admin_client, ward,
                                                                 django_assert_max_num_queries,
                                                                 django_capture_on_commit_callbacks):
    counts = []
    for n in (3, 60):
        upload(admin_client, workbook([good_row(f"R{i}", title=f"Project {i}") for i in range(n)]))
        batch = PortfolioImport.objects.latest("pk")
        map_columns(admin_client, batch, django_capture_on_commit_callbacks)
        with django_assert_max_num_queries(12) as captured:
            assert admin_client.get(reverse("portfolio_import:batch", args=[batch.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("portfolio_import:start")).status_code == 200


def test_the_documented_sample_imports_cleanly(admin_client, directorate, other_ward,
                                               django_capture_on_commit_callbacks):
    TeamFactory(directorate=directorate, name="Rowan Ward")
    with open("docs/samples/portfolio.xlsx", "rb") as f:
        assert f.read() != b""  # the file the README links to is there
    upload(admin_client, portfolio.sample_workbook(), "portfolio-sample.xlsx")
    batch = PortfolioImport.objects.get()
    map_columns(admin_client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert [r["problems"] for r in batch.rows] == [[], []]
    assert all(not r["problems"] for kind in ("progress", "measures") for r in batch.sheets[kind]["checked"])
    confirm(admin_client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED and batch.created_count == 2
    assert Measure.objects.get().points.count() == 10
