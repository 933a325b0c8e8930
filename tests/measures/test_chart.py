"""chart_for: the engine, the figure and the words, from points, phases, configuration and annotations."""

import datetime as dt
import json

import numpy as np
import pytest

import spc
from measures.charts import chart_for, settings_for, summarise
from measures.marks import annotations_for
from measures.models import Annotation, DataPoint, MeasurePhase, SPCConfig
from measures.services import load_chart

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db
RNG = np.random.default_rng(7)
STABLE = [10, 12, 9, 11, 13, 10, 8, 12, 11, 10, 9, 12, 11, 10, 13, 9, 10, 11, 12, 10]


def points_of(measure):
    return list(measure.points.order_by("period_start"))


def test_chart_for_gives_result_figure_reading_and_icons(system_measure):
    add_points(system_measure, STABLE)
    out = chart_for(system_measure, points_of(system_measure), [], SPCConfig.current())
    assert len(out.result) == 20
    assert out.variation_icon == "common_cause"
    assert "Common cause variation" in out.reading
    assert out.latest_value == 10 and out.latest_period == dt.date(2024, 8, 1)
    names = [t["name"] for t in out.figure["data"]]
    assert "Mean" in names and "Upper process limit" in names
    assert out.figure["layout"]["template"] is None
    json.dumps(out.snapshot())  # a snapshot can keep it as it is


def test_rebase_phases_match_one_engine_call_with_phase_starts(system_measure):
    values = STABLE + [v - 5 for v in STABLE]
    add_points(system_measure, values)
    pts = points_of(system_measure)
    MeasurePhase.objects.create(measure=system_measure, starts_on=pts[20].period_start, kind="rebase")
    out = chart_for(system_measure, pts, list(system_measure.phases.all()), SPCConfig.current())
    direct = spc.analyse(values, chart="i", phase_starts=[20], improvement="decrease",
                         settings=settings_for(system_measure, SPCConfig.current()))
    np.testing.assert_allclose(out.result.cl, direct.cl)
    np.testing.assert_allclose(out.result.ucl, direct.ucl)
    assert out.result.point_type == direct.point_type
    assert [(p.start, p.stop) for p in out.result.phases] == [(0, 20), (20, 40)]
    assert "Limits recalculated from Sep 2024" in out.reading
    assert any("Limits recalculated" in a["hovertext"] for a in out.figure["layout"]["annotations"])


def test_frozen_baseline_carries_limits_from_its_first_points(system_measure):
    values = STABLE[:12] + [v + 6 for v in STABLE[:10]]
    add_points(system_measure, values)
    pts = points_of(system_measure)
    MeasurePhase.objects.create(measure=system_measure, starts_on=pts[0].period_start, kind="baseline", n_points=12)
    out = chart_for(system_measure, pts, list(system_measure.phases.all()), SPCConfig.current())
    assert out.result.cl[-1] == pytest.approx(np.mean(STABLE[:12]))
    assert out.variation_icon == "concern_high"  # lower is better, and it rose
    assert out.result.baseline.tolist() == [True] * 12 + [False] * 10


def test_frozen_baseline_and_rebase_coexist(system_measure):
    values = STABLE + STABLE[:14]
    add_points(system_measure, values)
    pts = points_of(system_measure)
    MeasurePhase.objects.create(measure=system_measure, starts_on=pts[5].period_start, kind="rebase")
    MeasurePhase.objects.create(measure=system_measure, starts_on=pts[20].period_start, kind="baseline", n_points=6)
    out = chart_for(system_measure, pts, list(system_measure.phases.all()), SPCConfig.current())
    assert [(p.start, p.stop) for p in out.result.phases] == [(0, 5), (5, 20), (20, 34)]
    assert out.result.cl[-1] == pytest.approx(np.mean(STABLE[:6]))
    assert out.result.phases[-1].n_baseline == 6 and out.result.phases[-1].trial_limits


def test_excluded_points_stay_on_the_chart_but_out_of_the_limits(system_measure):
    add_points(system_measure, STABLE[:15] + [60])
    DataPoint.objects.filter(measure=system_measure, value=60).update(excluded=True, exclusion_reason="Data error")
    out = chart_for(system_measure, points_of(system_measure), [], SPCConfig.current())
    assert out.result.cl[0] == pytest.approx(np.mean(STABLE[:15]))
    assert any(t["name"] == "Excluded from calculations" for t in out.figure["data"])
    assert "1 point is left out of the calculations" in out.reading


def test_fewer_than_twelve_points_gives_trial_limits(system_measure):
    add_points(system_measure, STABLE[:8])
    out = chart_for(system_measure, points_of(system_measure), [], SPCConfig.current())
    assert out.trial_limits
    assert "trial limits" in out.reading


def test_ratio_charts_use_numerators_and_denominators(ward):
    m = make_measure(team=ward, chart_type="u", multiplier=1000, unit="per 1,000 OBD", improvement="decrease")
    add_points(m, [6, 5, 7, 4, 6, 5, 6, 7, 5, 6, 4, 5, 6], denominators=[600] * 13)
    out = chart_for(m, points_of(m), [], SPCConfig.current())
    assert out.latest_value == pytest.approx(6 / 600 * 1000)


def test_no_data_and_bad_data_say_so(system_measure, ward):
    assert chart_for(system_measure, [], [], SPCConfig.current()).reading == "No data yet."
    m = make_measure(team=ward, chart_type="c")
    add_points(m, [3, -1, 2])
    assert "cannot be negative" in chart_for(m, points_of(m), [], SPCConfig.current()).error


def test_free_annotations_mark_the_point_of_their_period(system_measure):
    add_points(system_measure, STABLE)
    Annotation.objects.create(measure=system_measure, date=dt.date(2023, 3, 15), text="New huddle")
    Annotation.objects.create(measure=system_measure, date=dt.date(2030, 1, 1), text="After the data")
    out, *_ = load_chart(system_measure)
    notes = out.figure["layout"]["annotations"]
    assert [(a["x"], a["text"]) for a in notes] == [("2023-03-01", "New huddle")]


def test_pdsa_cycles_of_the_project_appear_as_annotations(project_measure, project):
    workspace = pytest.importorskip("workspace.models")
    if not hasattr(workspace, "PDSACycle"):
        pytest.skip("the workspace app has no PDSA cycles yet")
    idea = workspace.ChangeIdea.objects.create(project=project, title="Safety huddle at handover")
    workspace.PDSACycle.objects.create(change_idea=idea, number=1, planned_start=dt.date(2023, 4, 3))
    workspace.PDSACycle.objects.create(change_idea=idea, number=2, planned_start=dt.date(2023, 5, 2),
                                       done_on=dt.date(2023, 6, 20))
    add_points(project_measure, STABLE)
    marks = annotations_for(project_measure, [])
    assert (dt.date(2023, 4, 3), "PDSA 1: Safety huddle at handover") in marks
    out, *_ = load_chart(project_measure)
    notes = {a["x"]: a for a in out.figure["layout"]["annotations"]}
    assert notes["2023-04-01"]["hovertext"] == "PDSA 1: Safety huddle at handover"
    assert notes["2023-04-01"]["text"] == "PDSA 1: Safety huddle at…"  # short on the chart, in full on hover
    assert notes["2023-06-01"]["hovertext"] == "PDSA 2: Safety huddle at handover"  # done_on wins over the plan


def test_organisation_rules_and_the_measure_override_are_used(system_measure):
    config = SPCConfig.current()
    config.method, config.shift_length = "mdc", 6
    assert settings_for(system_measure, config).shift_length == 6
    system_measure.method = "anhoej"
    assert settings_for(system_measure, config).method == "anhoej"


@pytest.mark.parametrize("chart", ["i", "c", "p", "u", "run"])
def test_summary_batch_reading_agrees_with_the_measure_page(ward, chart):
    config = SPCConfig.current()
    measures, points = [], {}
    for k in range(12):
        m = make_measure(team=ward, chart_type=chart, improvement=["increase", "decrease"][k % 2],
                         target=[None, 12.0][k % 2] if chart in ("i", "c") else None)
        n = 24
        shift = np.where(np.arange(n) > 14, k % 3, 0)
        if chart in ("p", "u"):
            den = RNG.integers(40, 80, n).astype(float)
            num = np.minimum(RNG.binomial(den.astype(int), 0.3) + shift, den)
            pts = add_points(m, num.tolist(), denominators=den.tolist())
        else:
            pts = add_points(m, (RNG.poisson(10, n) + shift * 3).astype(float).tolist())
        measures.append(m)
        points[m.pk] = pts
    rows = summarise(measures, points, {}, config)
    for m, row in zip(measures, rows):
        one = chart_for(m, points[m.pk], [], config, with_figure=False)
        assert (row.variation_icon, row.assurance_icon) == (one.variation_icon, one.assurance_icon), m.pk
        assert row.latest_value == pytest.approx(one.latest_value)


def test_a_pdsa_change_makes_the_projects_chart_snapshots_stale(project_measure, project):
    """A PDSA cycle is drawn on the project's charts: starting, re-dating or removing one, or renaming its
    change idea, redraws them (workspace.services tells measures through on_cycles_changed)."""
    from measures.models import Measure
    from measures.rendering import is_fresh, render_measures
    from workspace import services as workspace

    add_points(project_measure, STABLE)
    render_measures([project_measure.pk])
    by = project.lead

    def fresh() -> bool:
        m = Measure.objects.select_related("snapshot").get(pk=project_measure.pk)
        return is_fresh(m.snapshot, m, SPCConfig.current())

    assert fresh()
    idea = workspace.add_change_idea(project, title="Safety huddle at handover")
    assert fresh()  # a new idea with no cycle draws nothing
    cycle = workspace.start_cycle(idea, by=by, planned_start=dt.date(2023, 4, 3))
    assert not fresh()
    render_measures([project_measure.pk])
    assert fresh()
    workspace.save_cycle(cycle, by=by, done_on=dt.date(2023, 6, 20))
    assert not fresh()
    render_measures([project_measure.pk])
    workspace.save_cycle(cycle, by=by, prediction="Fewer incidents at handover")
    assert fresh()  # the plan's text is not on the chart: no redraw
    workspace.update_change_idea(idea, title="Safety huddle at every handover", description="",
                                 secondary_drivers=[])
    assert not fresh()
    render_measures([project_measure.pk])
    workspace.remove_change_idea(idea, by=by)
    assert not fresh()
