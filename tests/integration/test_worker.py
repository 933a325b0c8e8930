"""Run only by .ci/run (--run-worker-tests): tasks through a real Celery worker on Redis."""


import pytest
from django.conf import settings

from ops.models import JobRun, JobStatus

pytestmark = pytest.mark.worker


@pytest.fixture(autouse=True)
def _needs_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("worker tests need REDIS_URL and a running worker")


def test_a_real_worker_answers_a_task():
    from ops.tasks import ping

    assert ping.delay("hello from CI").get(timeout=60) == "hello from CI"


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_runs_on_the_worker_and_is_recorded_in_the_database():
    from ops.tasks import nightly

    run_id = nightly.delay().get(timeout=120)
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobStatus.SUCCEEDED
    assert run.finished_at is not None
    # The worker is another process: the row was written there and read here.
    assert JobRun.objects.filter(pk=run_id).exists()


@pytest.mark.django_db(transaction=True)
def test_chart_rendering_chunks_run_on_the_worker_and_store_snapshots():
    import time

    from measures.models import ChartSnapshot, RenderRun
    from measures.rendering import render_all
    from tests.measures.conftest import add_points, make_measure

    measures = [make_measure(name=f"Worker measure {i}") for i in range(3)]
    for m in measures:
        add_points(m, [5, 7, 6, 8, 9, 4, 6, 7, 8, 5, 6, 7, 9, 12, 13, 14])
    run = render_all(force=True, chunk_size=2)
    assert run.chunks == 2
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = RenderRun.objects.get(pk=run.pk)
        if run.finished_at is not None:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not finish the rendering run within 120 s")
    assert (run.computed, run.failed) == (3, 0)
    assert ChartSnapshot.objects.filter(measure__in=measures).count() == 3
