from datetime import timedelta

import pytest
from django.utils import timezone

from ops import services
from ops.models import JobRun, JobStatus


@pytest.mark.django_db
def test_health_is_200_with_database_broker_and_recent_nightly(client):
    JobRun.objects.create(name="nightly", started_at=timezone.now(), finished_at=timezone.now(),
                          status=JobStatus.SUCCEEDED)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["nightly"]["last_success"] is not None


@pytest.mark.django_db
def test_health_is_503_when_the_nightly_job_has_not_succeeded_for_26_hours(client):
    long_ago = timezone.now() - timedelta(hours=27)
    JobRun.objects.create(name="nightly", started_at=long_ago, finished_at=long_ago, status=JobStatus.SUCCEEDED)
    JobRun.objects.create(name="nightly", started_at=timezone.now(), finished_at=timezone.now(),
                          status=JobStatus.FAILED)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["nightly"]["ok"] is False
    assert body["checks"]["nightly"]["last_status"] == "failed"


@pytest.mark.django_db
def test_new_install_is_healthy_before_its_first_nightly_run(client):
    assert client.get("/health/").status_code == 200


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from qiportal.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_health_is_503_when_the_database_fails(client, monkeypatch):
    monkeypatch.setattr(services, "check_database", lambda: {"ok": False, "error": "down"})
    assert client.get("/health/").status_code == 503


@pytest.mark.django_db
def test_nightly_task_runs_every_step_and_records_a_failure_without_stopping(monkeypatch):
    from ops import nightly
    from ops.tasks import nightly as nightly_task

    calls = []
    monkeypatch.setattr(nightly, "_steps", {
        "first": lambda: calls.append("first") or {"n": 1},
        "broken": lambda: 1 / 0,
        "last": lambda: calls.append("last"),
    })
    run_id = nightly_task.delay().get()
    run = JobRun.objects.get(pk=run_id)
    assert calls == ["first", "last"]
    assert run.status == JobStatus.FAILED
    assert "ZeroDivisionError" in run.error
    assert run.detail == {"first": {"n": 1}, "broken": "failed", "last": "done"}
