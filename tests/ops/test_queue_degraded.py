"""ops.queue with the broker down: the job is kept in the database, never lost, and sent once Redis is back."""

import time

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from ops import queue
from ops.models import HeldTask

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(settings, monkeypatch):
    """A real broker as far as ops.queue can tell (not eager), whose sends are recorded or refused."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    state = {"up": True, "sent": []}

    def apply_async(self, args=None, kwargs=None, **options):
        if not state["up"]:
            raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        state["sent"].append((self.name, list(args or []), dict(kwargs or {})))

    for name in ("ops.tasks.ping", "measures.tasks.render_measure"):
        monkeypatch.setattr(queue.task(name), "apply_async", apply_async.__get__(queue.task(name)))
    return state


def test_a_job_the_broker_cannot_take_is_kept_in_the_database_not_raised(broker):
    broker["up"] = False
    with transaction.atomic():
        queue.after_commit("measures.tasks.render_measure", 42)
    held = HeldTask.objects.get()
    assert (held.name, held.args, held.kwargs) == ("measures.tasks.render_measure", [42], {})
    assert "Connection refused" in held.error
    assert broker["sent"] == []


def test_a_job_sent_straight_away_is_kept_too_when_the_broker_is_down(broker):
    broker["up"] = False
    queue.now("ops.tasks.ping", value="chunk 7")
    assert list(HeldTask.objects.values_list("name", "kwargs")) == [("ops.tasks.ping", {"value": "chunk 7"})]


def test_with_the_broker_up_nothing_is_held(broker):
    queue.now("ops.tasks.ping", "hello")
    assert broker["sent"] == [("ops.tasks.ping", ["hello"], {})]
    assert not HeldTask.objects.exists()


def test_held_jobs_are_sent_oldest_first_once_the_broker_answers_and_then_forgotten(broker):
    broker["up"] = False
    for i in range(3):
        queue.now("measures.tasks.render_measure", i)
    broker["up"] = True
    assert queue.send_held() == 3
    assert broker["sent"] == [("measures.tasks.render_measure", [i], {}) for i in range(3)]
    assert not HeldTask.objects.exists()
    assert queue.send_held() == 0


def test_a_sweep_while_the_broker_is_still_down_keeps_every_job_and_counts_the_attempt(broker):
    broker["up"] = False
    queue.now("ops.tasks.ping", "a")
    queue.now("ops.tasks.ping", "b")
    assert queue.send_held() == 0
    assert list(HeldTask.objects.order_by("pk").values_list("args", "attempts")) == [(["a"], 1), (["b"], 0)]


def test_a_held_job_naming_a_task_that_no_longer_exists_stays_and_never_blocks_the_others(broker):
    HeldTask.objects.create(name="measures.tasks.gone_in_this_release", args=[1])
    HeldTask.objects.create(name="ops.tasks.ping", args=["after it"])
    assert queue.send_held() == 1
    assert broker["sent"] == [("ops.tasks.ping", ["after it"], {})]
    gone = HeldTask.objects.get()
    assert (gone.name, gone.attempts, gone.error) == ("measures.tasks.gone_in_this_release", 1, "no such task")


def test_the_beat_schedule_sends_held_jobs_every_minute():
    entry = next(e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ops.tasks.send_held")
    assert entry["schedule"] == 60
    assert queue.task("ops.tasks.send_held").name == "ops.tasks.send_held"


def test_in_eager_mode_the_task_still_runs_here(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    queue.now("ops.tasks.ping", "here")  # runs in-process; nothing to hold
    assert not HeldTask.objects.exists()


def test_sending_to_a_redis_that_is_not_there_gives_up_within_about_a_second():
    """The settings' timeouts, with a real Celery app and real sockets to a port nothing listens on: Celery's
    defaults took ~21 s (20 reconnects of the result store) before raising, holding the page that long."""
    app = Celery("degraded", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url="redis://127.0.0.1:1/14", result_backend="redis://127.0.0.1:1/14",
                    task_always_eager=False)

    @app.task(name="degraded.ping")
    def ping() -> str:
        return "pong"

    started = time.monotonic()
    with pytest.raises((RuntimeError, BrokerUnreachable)):  # the result store, or the broker, refused
        ping.apply_async()
    assert time.monotonic() - started < 3
