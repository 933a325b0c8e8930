"""A run-chart measure can be read with the IHI run-chart rules, chosen on its settings."""

import pytest
from django.urls import reverse

from measures.charts import chart_for, settings_for
from measures.models import Measure, MeasureMethod, SPCConfig
from measures.rendering import render_measures

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db
# Seven values of 1-2, one 4 (the median), then six above it around the 4: an IHI shift of six.
SHIFT = [1, 2, 1, 6, 2, 1, 2, 1, 5, 7, 4, 6, 5, 7, 6]


def test_a_run_chart_measure_set_to_ihi_is_read_with_the_ihi_rules(qiadmin):
    measure = make_measure(chart_type="run", method=MeasureMethod.IHI, improvement="increase", owner=qiadmin)
    config = SPCConfig.current()
    config.shift_length = 8  # the organisation's MDC lengths do not change the IHI rules
    config.save()
    settings = settings_for(measure, config)
    assert (settings.method, settings.shift_length, settings.trend_length) == ("ihi", 6, 5)
    add_points(measure, SHIFT)
    out = chart_for(measure, list(measure.points.order_by("period_start")), [], config)
    assert out.method == "ihi"
    assert out.variation_icon == "improvement_high"
    assert "points above the median" in out.reading
    assert "Read with the IHI run-chart rules" in out.reading


def test_the_snapshot_and_the_page_say_the_ihi_rules_were_used(client, qiadmin):
    measure = make_measure(chart_type="run", method=MeasureMethod.IHI, improvement="increase", owner=qiadmin)
    add_points(measure, SHIFT)
    render_measures([measure.pk])
    measure = Measure.objects.get(pk=measure.pk)  # the instance remembers it had no snapshot before the render
    assert measure.snapshot.method == "ihi"
    assert any(s["rule"].startswith("Shift: 6") for s in measure.snapshot.signals)
    client.force_login(qiadmin)
    page = client.get(reverse("measures:detail", args=[measure.pk])).content.decode()
    assert "IHI run-chart rules" in page


def test_choosing_ihi_for_a_control_chart_is_refused_beside_the_field(client, qiadmin, system_measure):
    client.force_login(qiadmin)
    data = {"name": "Agency spend £k", "measure_type": "outcome", "definition": "Spend", "period": "month",
            "chart_type": "i", "improvement": "decrease", "multiplier": "1", "domain": "value", "method": "ihi",
            "active": "on"}
    response = client.post(reverse("measures:edit", args=[system_measure.pk]), data)
    assert response.status_code == 200
    assert "The IHI rules read run charts only" in response.content.decode()
    assert response.context["form"].errors["method"]
    assert Measure.objects.get(pk=system_measure.pk).method == ""
    data["chart_type"] = "run"
    assert client.post(reverse("measures:edit", args=[system_measure.pk]), data).status_code == 302
    assert Measure.objects.get(pk=system_measure.pk).method == "ihi"


def test_an_ihi_measure_whose_chart_became_a_control_chart_falls_back_to_the_organisation_rules(qiadmin):
    measure = make_measure(chart_type="i", method=MeasureMethod.IHI, owner=qiadmin)
    assert settings_for(measure, SPCConfig.current()).method == "mdc"
