import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capability.models import Attendance, AttendanceImport, Enrolment

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _run_queued_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """The check and the import are queued on commit (eager in tests): run them as they are queued."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


def upload(client, course, text, name="export.csv"):
    return client.post(reverse("capability:import_new", args=[course.slug]),
                       {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_the_preview_lists_every_row_problem_and_saves_nothing(client, qiadmin, wave, ward):
    known = UserFactory(team=ward, staff_number="100234")
    client.force_login(qiadmin)
    text = ("Email,Staff number,Wave,Session,Attended\n"
            f"{known.email.upper()},,Wave 8,1,yes\n"
            ",100234,Wave 8,2,Y\n"
            "nobody@example.nhs.uk,,Wave 8,1,yes\n"
            f"{known.email},,Wave 99,1,yes\n"
            f"{known.email},,Wave 8,7,yes\n"
            f"{known.email},,Wave 8,3,perhaps\n"
            f"{known.email},,Wave 8,1,yes\n")
    response = upload(client, wave.course, text)
    batch = AttendanceImport.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    for words in ("Nobody has the e-mail address nobody@example.nhs.uk", "no cohort called ‘Wave 99’",
                  "has no session ‘7’", "‘perhaps’ does not say", "also on line 2"):
        assert words in page, words
    assert "2</strong> rows ready" in page and "Not enrolled on this cohort" in page
    assert not Enrolment.objects.exists() and not Attendance.objects.exists()


def test_confirming_imports_the_good_rows_and_completion_follows_and_a_second_import_changes_nothing(
        client, qiadmin, pocket_cohort, ward):
    people = [UserFactory(team=ward) for _ in range(3)]
    client.force_login(qiadmin)
    text = "email,cohort,attended\n" + "".join(f"{p.email},January,completed\n" for p in people)
    for round_ in range(2):
        upload(client, pocket_cohort.course, text)
        batch = AttendanceImport.objects.latest("pk")
        client.post(batch.get_absolute_url(), {"confirm": "1"})
        batch.refresh_from_db()
        assert batch.status == "imported"
        if round_ == 0:
            assert (batch.enrolled_count, batch.changed_count, batch.completed_count) == (3, 3, 3)
        else:
            assert (batch.enrolled_count, batch.changed_count, batch.completed_count) == (0, 0, 0)
    assert Enrolment.objects.completed().count() == 3 and Attendance.objects.count() == 3
    assert set(Enrolment.objects.values_list("route", flat=True)) == {"import"}


def test_cancelling_saves_nothing(client, qiadmin, pocket_cohort, ward):
    person = UserFactory(team=ward)
    client.force_login(qiadmin)
    upload(client, pocket_cohort.course, f"email,cohort,session\n{person.email},January,1\n")
    batch = AttendanceImport.objects.get()
    client.post(batch.get_absolute_url(), {"cancel": "1"})
    batch.refresh_from_db()
    assert batch.status == "cancelled" and not Enrolment.objects.exists()


def test_a_file_without_the_columns_needed_says_which(client, qiadmin, pocket_qi):
    client.force_login(qiadmin)
    page = upload(client, pocket_qi, "name,score\nSam,3\n")
    assert page.status_code == 200 and "needs an &#x27;email&#x27; or a &#x27;staff number&#x27;" in \
        page.content.decode()
    assert not AttendanceImport.objects.exists()


def test_an_excel_export_is_read_too(client, qiadmin, pocket_cohort, ward):
    import io

    import openpyxl

    person = UserFactory(team=ward)
    book = openpyxl.Workbook()
    book.active.append(["E-mail address", "Cohort", "Session date", "Attendance"])
    book.active.append([person.email, "January", pocket_cohort.session_set.get().date, "Attended"])
    data = io.BytesIO()
    book.save(data)
    client.force_login(qiadmin)
    client.post(reverse("capability:import_new", args=[pocket_cohort.course.slug]),
                {"file": SimpleUploadedFile("export.xlsx", data.getvalue())})
    batch = AttendanceImport.objects.get()
    assert batch.status == "ready" and len(batch.valid_rows) == 1, batch.rows


@pytest.mark.parametrize("persona", ["staff", "coach", "ia", "board", "chair"], indirect=True)
def test_only_the_qi_department_imports(client, persona, pocket_cohort, qiadmin):
    batch = AttendanceImport.objects.create(course=pocket_cohort.course, filename="x.csv", uploaded_by=qiadmin)
    client.force_login(persona)
    assert client.get(reverse("capability:import_new", args=[pocket_cohort.course.slug])).status_code == 403
    assert client.get(batch.get_absolute_url()).status_code == 403
    assert client.post(batch.get_absolute_url(), {"confirm": "1"}).status_code == 403
