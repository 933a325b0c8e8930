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
