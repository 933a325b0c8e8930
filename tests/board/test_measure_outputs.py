"""The report reads each measure's chart from its nightly snapshot when the snapshot holds what the report
would compute (fresh, and no data on or after the cut-off), and computes the others from the data up to the
cut-off, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from board import services
from measures import rendering
from measures.models import ChartSnapshot, SPCConfig
from measures.services import touch

from .conftest import MEETING, RISING, STABLE, add_points, make_wsm

CUT_OFF = services.data_cut_off(MEETING)  # 1 March 2026; the conftest series end in December 2025
NIGHTLY_READING = "As the nightly run stored it."


def nightly(*measures) -> None:
    """The nightly rendering, then a stored reading no recomputation would give: which one the report shows
    says where it read the chart."""
    rendering.render_measures([m.pk for m in measures])
    ChartSnapshot.objects.filter(measure__in=measures).update(reading=NIGHTLY_READING, latest_value=99.0,
                                                               variation_icon="improvement_low")


@pytest.fixture
def violence(owner):
    return make_wsm("Inpatient violence per 1,000 OBD", values=RISING, owner=owner)


def test_a_fresh_snapshot_with_nothing_after_the_cut_off_is_what_the_report_shows(violence):
    nightly(violence)
    out = services.measure_outputs([violence], up_to=CUT_OFF)[violence.pk]
    assert out["chart_source"] == "snapshot"
    assert out["reading"] == NIGHTLY_READING and out["latest_value"] == 99.0 and out["latest_text"] == "99"
    assert out["variation_icon"] == "improvement_low" and out["reading_kind"] == "improvement"
    snapshot = ChartSnapshot.objects.get(measure=violence)
    assert out["figure"] == snapshot.figure and out["n_points"] == 24
    assert out["chart_computed_at"] == snapshot.computed_at.isoformat()


def test_publishing_freezes_the_snapshot_reading_into_the_report(violence, qiadmin):
    nightly(violence)
    report = services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)
    item = report.content["measures"][0]
    assert (item["reading"], item["latest_value"], item["chart_source"]) == (NIGHTLY_READING, 99.0, "snapshot")
    assert item["rank"] == 6  # ranked by the snapshot's icon: improvement comes last


def test_data_on_or_after_the_cut_off_forces_a_chart_of_the_data_before_it(violence):
    add_points(violence, [40, 41], start=CUT_OFF)  # March and April 2026: after the report's cut-off
    nightly(violence)  # a fresh snapshot, but of all 26 points
    out = services.measure_outputs([violence], up_to=CUT_OFF)[violence.pk]
    assert out["chart_source"] == "computed"
    assert out["reading"] != NIGHTLY_READING and out["n_points"] == 24
    assert out["latest_value"] == 18 and out["latest_period"] == "2025-12-01"
    assert out["variation_icon"] == "concern_high"
    # A later report's cut-off takes those points in, and the snapshot holds exactly that chart.
    later = services.measure_outputs([violence], up_to=CUT_OFF.replace(month=6))[violence.pk]
    assert later["chart_source"] == "snapshot" and later["reading"] == NIGHTLY_READING


def test_a_stale_or_missing_snapshot_is_computed_from_the_data(violence, owner):
    agency = make_wsm("Agency spend £k", values=STABLE, owner=owner)
    nightly(violence, agency)
    touch(agency)  # its data or settings changed since the nightly run
    config = SPCConfig.current()
    assert not rendering.is_fresh(ChartSnapshot.objects.get(measure=agency), agency, config)
    missing = make_wsm("Staff engagement", values=STABLE, improvement="increase")
    out = services.measure_outputs([violence, agency, missing], up_to=CUT_OFF)
    assert [out[m.pk]["chart_source"] for m in (violence, agency, missing)] == ["snapshot", "computed", "computed"]
    assert out[agency.pk]["reading"] != NIGHTLY_READING and out[agency.pk]["latest_value"] == 10

    # New rules for the whole organisation: every snapshot is stale until the nightly run.
    config.shift_length = 8
    config.save()
    assert {o["chart_source"] for o in services.measure_outputs([violence], up_to=CUT_OFF).values()} == {"computed"}


def test_points_written_without_touching_the_measure_are_not_hidden_by_its_snapshot(violence):
    nightly(violence)
    add_points(violence, [30], start=dt.date(2026, 1, 1))  # bulk-inserted, as an import script might
    out = services.measure_outputs([violence], up_to=CUT_OFF)[violence.pk]
    assert out["chart_source"] == "computed" and out["n_points"] == 25 and out["latest_value"] == 30


def outputs_queries(measures) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.measure_outputs(measures, up_to=CUT_OFF)
    return len(queries)


def test_reading_snapshots_and_computing_the_rest_costs_the_same_few_queries_for_3_or_30_measures(owner):
    SPCConfig.current()

    def grow(n: int) -> list:
        made = [make_wsm(f"WSM {i}", values=RISING if i % 2 else STABLE, owner=owner) for i in range(n)]
        rendering.render_measures([m.pk for m in made[::2]])  # every other measure has a fresh snapshot
        return made

    small = grow(3)
    large = small + grow(27)
    assert outputs_queries(small) == outputs_queries(large) == 5
    rendering.render_measures([m.pk for m in large])
    assert outputs_queries(large) == 2  # every chart from its snapshot: the configuration and the snapshots
