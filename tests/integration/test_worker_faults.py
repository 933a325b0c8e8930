"""Faults survived, through a real Celery worker on Redis (run with --run-worker-tests, as .ci/run does).

bench/fault_drills.py restarts PostgreSQL and stops Redis; here the same paths are driven without stopping a
service others may share: the worker's database connections are cut mid-run, and a job held while the
broker was down is sent and run."""

import time

import pytest
from django.conf import settings
from django.db import connection

from ops import queue
from ops.models import HeldTask

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("worker tests need REDIS_URL and a running worker")


@pytest.fixture(autouse=True)
def _rules_made_here():
    """The SPC rules row made by this process, not the worker: creating it is audited, and a worker that has
    looked up the audit's content types keeps their ids after the test database is flushed, so that the next
    test's audited write on the worker would name a content type that is gone."""
    from measures.models import SPCConfig

    SPCConfig.current()


def wait(test, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.2)
    return False


def test_a_job_held_while_the_broker_was_down_runs_on_the_worker_once_sent():
    from measures.models import ChartSnapshot
    from tests.measures.conftest import add_points, make_measure

    measure = make_measure(name="Held while Redis was down")
    add_points(measure, [5, 7, 6, 8, 9, 4, 6, 7, 8, 5, 6, 7])
    ChartSnapshot.objects.filter(measure=measure).delete()
    HeldTask.objects.create(name="measures.tasks.render_measure", args=[measure.pk])
    assert queue.send_held() == 1
    assert not HeldTask.objects.exists()
    assert wait(lambda: ChartSnapshot.objects.filter(measure=measure).exists()), "the worker never ran it"


def test_a_run_whose_worker_loses_its_database_connections_mid_chunk_finishes_and_counts_once():
    from measures.models import ChartSnapshot, RenderFailure, RenderRun
    from measures.rendering import render_all
    from tests.measures.conftest import add_points, make_measure

    measures = [make_measure(name=f"Cut off {i}") for i in range(24)]
    for m in measures:
        add_points(m, [5, 7, 6, 8, 9, 4, 6, 7, 8, 5, 6, 7, 9, 12, 13, 14])
    run = render_all(force=True, chunk_size=1)
    # What a PostgreSQL restart does to the worker, without restarting a server others share: every other
    # session on this database is cut, again and again, while the chunks run.
    cut = 0
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            cut += cursor.fetchone()[0]
        time.sleep(0.02)
    assert wait(lambda: RenderRun.objects.get(pk=run.pk).finished_at is not None, 300), (
        "the run did not finish: a chunk gave up on the database")
    run.refresh_from_db()
    assert (run.computed, run.failed, run.chunks_done) == (24, 0, 24)
    assert not RenderFailure.objects.filter(run=run).exists()
    assert ChartSnapshot.objects.filter(measure__in=measures, computed_at__gte=run.started_at).count() == 24
    assert cut > 0
