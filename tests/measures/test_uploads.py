"""Uploads: parse, preview every row's problems before anything is saved, then import in one go."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from measures.models import DataPoint, DataPointChange, UploadBatch, UploadStatus

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db


def upload(client, measure, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("measures:upload", args=[measure.pk]),
                               {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:2000]
    return UploadBatch.objects.latest("pk")


def confirm(client, batch, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("measures:upload_batch", args=[batch.pk]), data)


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def p_measure(ward):
    return make_measure(name="Checks within 72 hours", team=ward, chart_type="p", unit="%", multiplier=100,
                        improvement="increase", numerator="Checks", denominator="Admissions")


def test_preview_lists_every_kind_of_problem_and_saves_nothing(client, qiadmin, p_measure,
                                                              django_capture_on_commit_callbacks):
    add_points(p_measure, [5], denominators=[10], start=dt.date(2024, 5, 1))
    csv = ("Month,Numerator,Denominator,Comment\n"
           "2024-01-01,5,10,fine\n"
           "31/13/2024,5,10,bad date\n"
           "2024-02-01,five,10,not a number\n"
           "2024-03-01,5,0,zero denominator\n"
           "2024-04-01,5,-3,negative denominator\n"
           "2024-06-01,12,10,numerator above denominator\n"
           "2024-07-15,4,10,mid-month\n"
           "2024-07-01,3,10,duplicate of July\n"
           "2024-05-01,6,10,already there\n"
           "2099-01-01,1,10,future\n")
    client.force_login(qiadmin)
    batch = upload(client, p_measure, "checks.csv", csv.encode(), django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == UploadStatus.READY and batch.processed_rows == batch.total_rows == 10
    problems = {r["raw"]["comment"]: " ".join(r["problems"]) for r in batch.rows}
    assert problems["fine"] == ""
    assert "‘31/13/2024’ is not a date" in problems["bad date"]
    assert "‘five’ is not a number" in problems["not a number"]
    assert "must be more than zero (it is 0)" in problems["zero denominator"]
    assert "must be more than zero (it is -3)" in problems["negative denominator"]
    assert "more than the denominator" in problems["numerator above denominator"]
    assert "appears twice in the file (also on line 8)" in problems["duplicate of July"]
    assert "in the future" in problems["future"]
    mid = next(r for r in batch.rows if r["raw"]["comment"] == "mid-month")
    assert mid["period_start"] == "2024-07-01" and "counted as Jul 2024" in mid["notes"][0]
    assert next(r for r in batch.rows if r["raw"]["comment"] == "already there")["exists"]
    assert DataPoint.objects.filter(measure=p_measure).count() == 1  # nothing saved by the preview
    page = client.get(batch.get_absolute_url())
    assert "Every row of the file" in page.text and "is not a date we can read" in page.text
    assert "3</strong> rows ready to import" in page.text and "Periods that already have a value" in page.text


def test_existing_periods_are_skipped_or_overwritten_as_chosen(client, qiadmin, ward,
                                                               django_capture_on_commit_callbacks):
    m = make_measure(team=ward, chart_type="c")
    add_points(m, [4, 5], start=dt.date(2024, 1, 1))
    client.force_login(qiadmin)
    content = b"date,value\n2024-01-01,9\n2024-02-01,5\n2024-03-01,7\n"
    batch = upload(client, m, "a.csv", content, django_capture_on_commit_callbacks)
    response = confirm(client, batch, django_capture_on_commit_callbacks)
    assert "This field is required" in response.text  # a choice must be made when periods exist
    confirm(client, batch, django_capture_on_commit_callbacks, on_duplicate="skip")
    batch.refresh_from_db()
    assert batch.status == UploadStatus.IMPORTED and (batch.imported_count, batch.skipped_count) == (1, 2)
    assert DataPoint.objects.get(measure=m, period_start=dt.date(2024, 1, 1)).value == 4

    batch = upload(client, m, "b.csv", content, django_capture_on_commit_callbacks)
    confirm(client, batch, django_capture_on_commit_callbacks, on_duplicate="overwrite")
    batch.refresh_from_db()
    assert (batch.imported_count, batch.overwritten_count, batch.skipped_count) == (0, 1, 2)
    assert DataPoint.objects.get(measure=m, period_start=dt.date(2024, 1, 1)).value == 9
    change = DataPointChange.objects.get(measure=m)
    assert change.old["value"] == 4 and change.new["value"] == 9 and change.source == "upload"


def test_a_failing_import_leaves_nothing_half_imported(client, qiadmin, ward, django_capture_on_commit_callbacks):
    m = make_measure(team=ward, chart_type="i")
    client.force_login(qiadmin)
    batch = upload(client, m, "a.csv", b"date,value\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n",
                   django_capture_on_commit_callbacks)
    with mock.patch("measures.services.DataPointChange.objects.bulk_create", side_effect=RuntimeError("disk full")):
        confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == UploadStatus.FAILED and "disk full" in batch.error
    assert not DataPoint.objects.filter(measure=m).exists()
    page = client.get(batch.get_absolute_url())
    assert "nothing was saved" in page.text


def test_excel_upload_reads_dates_and_numbers(client, staff, ward, django_capture_on_commit_callbacks):
    m = make_measure(team=ward, chart_type="i", unit="%")
    client.force_login(staff)  # a member of the ward's team
    content = xlsx([["Period", "Value", "Notes"], [dt.datetime(2024, 1, 1), 91.5, None],
                    [dt.datetime(2024, 2, 1), "93%", "agency gap"], [None, None, None]])
    batch = upload(client, m, "fill.xlsx", content, django_capture_on_commit_callbacks)
    confirm(client, batch, django_capture_on_commit_callbacks)
    assert list(DataPoint.objects.filter(measure=m).values_list("period_start", "value", "comment")) == [
        (dt.date(2024, 1, 1), 91.5, ""), (dt.date(2024, 2, 1), 93.0, "agency gap")]


def test_a_file_that_cannot_be_read_is_refused_with_a_reason(client, qiadmin, ward):
    m = make_measure(team=ward)
    client.force_login(qiadmin)
    url = reverse("measures:upload", args=[m.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", b"when,how many\n2024-01-01,3\n")})
    assert "None of them is a date" in response.text
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert "Upload a CSV file" in response.text
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert "could not be read as Excel" in response.text
    assert not UploadBatch.objects.exists()


def test_cancelling_imports_nothing_and_a_batch_imports_once(client, qiadmin, ward,
                                                             django_capture_on_commit_callbacks):
    m = make_measure(team=ward)
    client.force_login(qiadmin)
    batch = upload(client, m, "a.csv", b"date,value\n2024-01-01,1\n", django_capture_on_commit_callbacks)
    confirm(client, batch, django_capture_on_commit_callbacks, cancel="1")
    batch.refresh_from_db()
    assert batch.status == UploadStatus.CANCELLED
    confirm(client, batch, django_capture_on_commit_callbacks)
    assert not DataPoint.objects.filter(measure=m).exists()


def test_progress_is_shown_while_rows_are_checked(client, qiadmin, ward):
    m = make_measure(team=ward)
    batch = UploadBatch.objects.create(measure=m, filename="big.csv", uploaded_by=qiadmin, total_rows=4000,
                                       processed_rows=1500, rows=[])
    client.force_login(qiadmin)
    page = client.get(batch.get_absolute_url())
    assert "Checking rows: 1500 of 4000" in page.text and 'http-equiv="refresh"' in page.text
