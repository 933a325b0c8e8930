"""The nightly run reads simple series many at a time; its snapshots are the ones read one by one."""

import numpy as np
import pytest

from measures.charts import analyse_simple
from measures.models import MeasurePhase, SPCConfig
from measures.rendering import _load, build_snapshot, compute

from .conftest import add_points, make_measure

pytestmark = pytest.mark.django_db
FIELDS = ("reading", "variation_icon", "assurance_icon", "latest_value", "latest_period", "trial_limits", "n_points",
          "points", "signals", "latest_signal", "phases", "figure", "error", "method")


def test_batched_snapshots_are_the_snapshots_of_one_measure_at_a_time(ward):
    rng = np.random.default_rng(3)
    measures = []
    for chart, target, multiplier in (("i", 50, 1), ("run", None, 1), ("c", 6, 1), ("p", 20, 100), ("u", None, 1000)):
        for k in range(4):
            m = make_measure(name=f"{chart} {k}", team=ward, chart_type=chart, target=target, multiplier=multiplier,
                             improvement=("increase", "decrease")[k % 2])
            if chart in ("p", "u"):
                n = rng.integers(20, 80, 24 + 5 * k).astype(float)
                add_points(m, rng.binomial(n.astype(int), 0.2 + 0.01 * np.arange(n.size)).astype(float).tolist(),
                           denominators=n.tolist())
            else:  # lengths apart: a batch pads them in front
                values = np.round(rng.normal(50, 5, 24 + 5 * k) + (k == 1) * np.arange(24 + 5 * k) * 0.6, 0)
                add_points(m, values.tolist())
            measures.append(m)
    twelfth = measures[0].points.order_by("period_start")[12].period_start
    MeasurePhase.objects.create(measure=measures[0], kind="rebase", starts_on=twelfth)  # read one by one: a phase
    ids = [m.pk for m in measures]
    config = SPCConfig.current()
    loaded, points, phases, marks = _load(ids)
    assert len(analyse_simple(loaded, points, phases, config)) == len(ids) - 1
    batched = {s.measure_id: s for s in compute(ids, config)[0]}
    for m in loaded:
        alone, _ = build_snapshot(m, points[m.pk], phases[m.pk], marks[m.pk], config)
        for f in FIELDS:
            assert getattr(batched[m.pk], f) == getattr(alone, f), (m.name, f)
