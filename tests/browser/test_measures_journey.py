"""A ward uploads a year of data from Excel, checks the preview, imports it and reads its chart."""

import datetime as dt

import pytest
from openpyxl import Workbook

from measures import periods
from measures.models import DataPoint, Measure
from organisation.models import Role
from tests.factories import PASSWORD, DirectorateFactory, TeamFactory, UserFactory

RESTRAINTS = [14, 11, 13, 12, 15, 10, 12, 13, 11, 6, 5, 4]


@pytest.fixture
def ward_indicator(transactional_db):
    directorate = DirectorateFactory(name="Riverside Mental Health", slug="riverside")
    ward = TeamFactory(directorate=directorate, name="Willow Ward")
    UserFactory(username="wardmanager", display_name="Sam Okafor", team=ward, roles=[Role.STAFF])
    return Measure.objects.create(
        name="Uses of restraint", definition="Every use of physical restraint on the ward.", measure_type="outcome",
        period="month", chart_type="c", improvement="decrease", unit="restraints", team=ward, early_warning=True)


def test_ward_uploads_a_year_from_excel_and_sees_its_chart(page, live_server, login, shot, axe_check, tmp_path,
                                                           ward_indicator):
    first = periods.add_periods(dt.date.today().replace(day=1), "month", -12)
    wb = Workbook()
    ws = wb.active
    ws.append(["Month", "Value", "Comment"])
    for i, v in enumerate(RESTRAINTS):
        ws.append([dt.datetime.combine(periods.add_periods(first, "month", i), dt.time()), v,
                   "Safety pods introduced" if i == 9 else None])
    path = tmp_path / "willow-restraint.xlsx"
    wb.save(path)

    login("wardmanager", PASSWORD)
    page.goto(f"{live_server.url}/measures/{ward_indicator.pk}/")
    page.get_by_role("link", name="Upload data").click()
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/measures/uploads/*/")
    assert "12 rows ready to import" in page.get_by_test_id("preview-summary").inner_text()
    assert page.locator("[data-testid=preview-table] tbody tr").count() == 12
    assert not DataPoint.objects.filter(measure=ward_indicator).exists()
    axe_check("upload preview")
    shot("measures-upload-preview")

    page.get_by_role("button", name="Import 12 rows").click()
    page.get_by_test_id("import-result").wait_for()
    assert "Imported: 12 new periods" in page.get_by_test_id("import-result").inner_text()
    page.get_by_role("link", name="See the chart").click()
    page.locator("#measure-chart .main-svg").first.wait_for()
    assert DataPoint.objects.filter(measure=ward_indicator).count() == 12
    assert page.locator("[data-testid=data-table] tbody tr").count() == 13  # 12 periods and the new row
    assert page.get_by_test_id("reading").inner_text()
    assert page.locator("[data-testid=icons] svg[role=img]").count() >= 1
    axe_check("measure page")
    shot("measures-ward-chart")

    page.locator("[data-nav=\"measures:summary\"]").click()
    page.get_by_test_id("summary-table").wait_for()
    assert "Uses of restraint" in page.get_by_test_id("summary-table").inner_text()
    axe_check("SPC summary")
    shot("measures-summary")
