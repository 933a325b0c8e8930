import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.exports import neutralise
from measures.models import DataPoint

from .conftest import make_measure

pytestmark = pytest.mark.django_db
DANGEROUS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def measure_with_formulas(ward):
    m = make_measure(team=ward, name="=cmd|' /C calc'!A0", chart_type="c")
    for i, text in enumerate(DANGEROUS):
        DataPoint.objects.create(measure=m, period_start=dt.date(2024, i + 1, 1), value=-i if i else 3,
                                 comment=text, excluded=i == 1, exclusion_reason="=1+1" if i == 1 else "")
    return m


def test_neutralise_only_touches_text_that_would_run_as_a_formula():
    assert [neutralise(t) for t in DANGEROUS] == ["'" + t for t in DANGEROUS]
    assert neutralise("Huddle started") == "Huddle started" and neutralise(-3) == -3


def test_csv_export_neutralises_formulas(client, staff, measure_with_formulas):
    client.force_login(staff)
    response = client.get(reverse("measures:export_csv", args=[measure_with_formulas.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["period_start", "value", "comment", "excluded", "exclusion_reason"]
    assert [r[2] for r in rows[1:]] == ["'" + t for t in DANGEROUS]
    assert rows[2][4] == "'=1+1" and rows[1][1] == "3"


def test_xlsx_export_neutralises_formulas(client, staff, measure_with_formulas):
    client.force_login(staff)
    response = client.get(reverse("measures:export_xlsx", args=[measure_with_formulas.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    data = list(wb["Data"].iter_rows(values_only=True))
    # XML stores a lone CR as a line feed; what matters is the leading apostrophe.
    assert [r[2] for r in data[1:]] == ["'" + t.replace("\r", "\n") for t in DANGEROUS]
    assert all(c.data_type != "f" for row in wb["Data"].iter_rows() for c in row)
    about = dict(wb["Measure"].iter_rows(values_only=True))
    assert about["Measure"] == "'=cmd|' /C calc'!A0"
