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


def _file(people, cohort="Wave 8", sessions=(1, 2, 3, 4, 5), attended=lambda person, n: "yes") -> bytes:
    lines = ["Email,Staff number,Cohort,Session,Attended"]
    for i, person in enumerate(people):
        # Every other person by staff number, as an L&D export that lacks some addresses would name them.
        who = f",{person.staff_number}" if i % 2 else f"{person.email},"
        lines += [f"{who},{cohort},{n},{attended(person, n)}" for n in sessions]
    return ("\n".join(lines) + "\n").encode()


def _staged(course, data: bytes) -> AttendanceImport:
    from capability import imports

    rows = imports.read_file(data, "export.csv")
    return AttendanceImport.objects.create(course=course, filename="export.csv", rows=rows, total_rows=len(rows))


def _people(ward, n, start=0):
    return [UserFactory(team=ward, staff_number=f"E{start + i:06d}") for i in range(n)]


def test_checking_and_importing_cost_the_same_queries_for_ten_rows_or_two_hundred(
        wave, ward, django_assert_max_num_queries):
    from capability import imports

    small, large = _people(ward, 2), _people(ward, 40, start=100)
    counts = []
    for people in (small, large):
        batch = _staged(wave.course, _file(people))
        with django_assert_max_num_queries(12) as check:
            imports.check_import(batch)
        batch.refresh_from_db()
        assert not batch.problem_rows and len(batch.valid_rows) == 5 * len(people)
        with django_assert_max_num_queries(24) as run:
            imports.run_import(batch)
        counts.append((len(check.captured_queries), len(run.captured_queries)))
    assert counts[0] == counts[1]
    assert Enrolment.objects.filter(cohort=wave).count() == 42 and Attendance.objects.count() == 210


def test_checking_saves_its_progress_after_each_chunk(wave, ward, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capability import imports

    monkeypatch.setattr(imports, "CHUNK", 4)
    batch = _staged(wave.course, _file(_people(ward, 2)))  # ten rows: chunks of 4, 4 and 2
    with CaptureQueriesContext(connection) as queries:
        imports.check_import(batch)
    progress = [q["sql"] for q in queries if "processed_rows" in q["sql"]]
    assert len(progress) == 4  # after each of three chunks, then with the checked rows
    batch.refresh_from_db()
    assert (batch.status, batch.processed_rows) == ("ready", 10)


def test_a_corrected_file_changes_only_the_marks_it_corrects(wave, ward):
    from capability import imports
    from capability.models import EnrolmentEvent

    people = _people(ward, 3)
    batch = _staged(wave.course, _file(people))
    imports.check_import(batch)
    batch.refresh_from_db()
    imports.run_import(batch)
    batch.refresh_from_db()
    assert (batch.enrolled_count, batch.changed_count) == (3, 15)
    before = set(Attendance.objects.values_list("pk", "attended", "recorded_at"))

    corrected = _staged(wave.course, _file(people, attended=lambda p, n: "no" if p == people[0] and n <= 2 else "yes"))
    imports.check_import(corrected)
    corrected.refresh_from_db()
    imports.run_import(corrected)
    corrected.refresh_from_db()
    assert (corrected.status, corrected.enrolled_count, corrected.changed_count) == ("imported", 0, 2)
    after = set(Attendance.objects.values_list("pk", "attended", "recorded_at"))
    assert len(before - after) == 2 and len(after) == 15
    absent = Attendance.objects.filter(attended=False)
    assert {(a.enrolment.person, a.session.number, a.imported) for a in absent} == {
        (people[0], 1, True), (people[0], 2, True)}
    assert EnrolmentEvent.objects.filter(kind="enrolled", note="From the L&D system").count() == 3


def test_the_progress_page_does_not_read_the_rows(client, qiadmin, wave, ward, django_assert_max_num_queries):
    batch = _staged(wave.course, _file(_people(ward, 2)))
    AttendanceImport.objects.filter(pk=batch.pk).update(processed_rows=4)
    client.force_login(qiadmin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(batch.get_absolute_url()).content.decode()
    assert "Checking rows: 4 of 10" in page
    read = [q["sql"] for q in queries if "capability_attendanceimport" in q["sql"]]
    assert read and all('"rows"' not in sql for sql in read)
