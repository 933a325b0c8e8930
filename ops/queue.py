"""The one seam through which code asks for background work: services never import tasks.

A service says which task it wants, by the task's registered name, and the work is queued when the
current transaction commits (at once outside one), so a worker always finds the rows it is given. In
eager mode (no REDIS_URL) the task runs in this process at that moment. Tasks import services; this keeps
the arrow one way.

When the broker cannot be reached (Redis down), sending gives up within about a second (the timeouts are in
settings) and the job is kept in the database as a `HeldTask`; `send_held` (beat, every minute) sends them
once the broker answers again. Held rather than run here: the page that asked stays quick whatever the task
costs (an import of thousands of rows), and a held job outlives the web process that held it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import HeldTask

log = logging.getLogger(__name__)

SEND_BATCH = 100


def task(name: str):
    """The registered Celery task called `name` (e.g. "measures.tasks.render_measure")."""
    app = current_app
    if name not in app.tasks:
        # Outside a worker nothing has imported the apps' tasks modules yet: Celery's autodiscovery does.
        app.loader.import_default_modules()
    return app.tasks[name]


def send(name: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None) -> bool:
    """Hand the task to the broker, or keep it in the database when the broker cannot take it. True if sent.
    Eager mode has no broker: the task runs here and its errors are the caller's, as before."""
    kwargs = kwargs or {}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task(name).delay(*args, **kwargs)
        return True
    try:
        task(name).apply_async(list(args), kwargs)
        return True
    except Exception as exc:  # any failure to send (broker or result store unreachable): keep the job
        log.warning("broker unreachable, %s kept until it answers: %s", name, exc)
        HeldTask.objects.create(name=name, args=list(args), kwargs=kwargs, error=str(exc)[:500])
        return False


def after_commit(name: str, *args, **kwargs) -> None:
    """Queue the task once the current transaction commits. Robust: the work the caller did is committed, so
    a failure here (an eager task that fails, or the database gone as well as the broker) is logged, never
    turned into an error page; every task queued this way also has a sweep that catches up (the nightly run,
    the e-mail sweep)."""
    transaction.on_commit(lambda: send(name, args, kwargs), robust=True)


def now(name: str, *args, **kwargs) -> None:
    """Queue the task straight away (the caller has committed what the task reads)."""
    send(name, args, kwargs)


def send_held(limit: int = 10_000) -> int:
    """Send the jobs held while the broker was down, oldest first, and forget each once sent; stop at the first
    that still cannot be sent (the broker is still down: the next sweep tries again). Rows are locked as they
    are sent (skip_locked), so two sweeps at once never send the same job twice. A job naming a task this
    release no longer has stays, for a person to read in the admin. Returns how many were sent."""
    sent, after = 0, 0
    while sent < limit:
        with transaction.atomic():
            jobs = list(HeldTask.objects.select_for_update(skip_locked=True).filter(pk__gt=after)
                        .order_by("pk")[:SEND_BATCH])
            if not jobs:
                return sent
            done: list[int] = []
            for job in jobs:
                after = job.pk
                try:
                    found = task(job.name)
                except KeyError:
                    HeldTask.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1, error="no such task")
                    continue
                try:
                    found.apply_async(job.args, job.kwargs)
                except Exception as exc:  # still unreachable: keep this one and the rest for the next sweep
                    HeldTask.objects.filter(pk__in=done).delete()
                    HeldTask.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1, error=str(exc)[:500])
                    log.warning("held jobs: %d sent, the broker is still unreachable: %s", sent + len(done), exc)
                    return sent + len(done)
                done.append(job.pk)
            HeldTask.objects.filter(pk__in=done).delete()
            sent += len(done)
    return sent
