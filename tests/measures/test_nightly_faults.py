"""The nightly rendering run under faults: the database restarted mid-chunk, a commit whose answer was lost."""

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

from measures import rendering, tasks
from measures.models import ChartSnapshot, RenderChunk, RenderFailure, RenderRun
from measures.services import PointInput, save_points

from .conftest import START, add_points, make_measure

pytestmark = pytest.mark.django_db

STEADY = [10, 12, 9, 11, 10, 12, 8, 11, 10, 9, 11, 10, 12, 9, 10, 11]


@pytest.fixture
def measures(ward):
    ms = [make_measure(name=f"Measure {i}", team=ward, chart_type="i") for i in range(4)]
    for m in ms:
        add_points(m, STEADY)
    return ms


def hashes() -> dict[int, str]:
    return dict(ChartSnapshot.objects.values_list("measure_id", "input_hash"))


def test_the_database_going_away_mid_chunk_leaves_the_old_snapshots_and_the_retry_counts_once(measures, monkeypatch):
    rendering.render_all()
    old = hashes()
    for m in measures:
        save_points(m, [PointInput(period_start=START, value=40)], by=None)
    run = RenderRun.objects.create(total=4, chunks=1)
    chunk = RenderChunk.objects.create(run=run, index=0, measure_ids=[m.pk for m in measures])

    def restarted(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    # After the snapshots are written, before the chunk is marked done: the transaction must take all back.
    monkeypatch.setattr(rendering.signals, "record_new_signals", restarted)
    with pytest.raises(OperationalError):
        rendering.run_chunk(chunk)
    assert hashes() == old
    chunk.refresh_from_db()
    run.refresh_from_db()
    assert not chunk.done and (run.computed, run.chunks_done, run.finished_at) == (0, 0, None)

    monkeypatch.undo()
    rendering.run_chunk(chunk)  # the task's retry
    run.refresh_from_db()
    assert (run.computed, run.chunks_done) == (4, 1) and run.finished_at is not None
    assert all(h != old[k] for k, h in hashes().items())


def test_a_chunk_retried_after_its_commit_was_lost_counts_neither_its_measures_nor_its_failures_twice(
        measures, monkeypatch):
    broken = measures[0]
    real = rendering.chart_for

    def chart_for(measure, *args, **kwargs):
        if measure.pk == broken.pk:
            raise RuntimeError("bad data")
        return real(measure, *args, **kwargs)

    monkeypatch.setattr(rendering, "chart_for", chart_for)
    run = rendering.render_all(chunk_size=10)
    assert (run.computed, run.failed) == (3, 1)
    rendering.run_chunk(RenderChunk.objects.get(run=run))  # committed, but the worker saw the connection drop
    run.refresh_from_db()
    assert (run.computed, run.failed, run.chunks_done) == (3, 1, 1)
    assert RenderFailure.objects.filter(run=run).count() == 1


def test_a_chunk_keeps_retrying_a_database_outage_for_minutes_not_seconds():
    task = tasks.render_chunk
    assert OperationalError in task.autoretry_for and task.acks_late
    waits = [get_exponential_backoff_interval(task.retry_backoff, n, task.retry_backoff_max, task.retry_jitter)
             for n in range(task.max_retries)]
    assert waits[:3] == [2, 4, 8] and min(waits) > 0  # never jittered to nothing
    assert sum(waits) >= 300
