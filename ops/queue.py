"""The one seam through which code asks for background work: services never import tasks.

A service says which task it wants, by the task's registered name, and the work is queued when the
current transaction commits (at once outside one), so a worker always finds the rows it is given. In
eager mode (no REDIS_URL) the task runs in this process at that moment. Tasks import services; this keeps
the arrow one way.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def task(name: str):
    """The registered Celery task called `name` (e.g. "measures.tasks.render_measure")."""
    app = current_app
    if name not in app.tasks:
        # Outside a worker nothing has imported the apps' tasks modules yet: Celery's autodiscovery does.
        app.loader.import_default_modules()
    return app.tasks[name]


def after_commit(name: str, *args, **kwargs) -> None:
    """Queue the task once the current transaction commits. Robust: the work the caller did is committed, so
    a broker that cannot be reached (or an eager task that fails) is logged, never turned into an error
    page; every task queued this way has a sweep that catches up (the nightly run, the e-mail sweep)."""
    transaction.on_commit(lambda: task(name).delay(*args, **kwargs), robust=True)


def now(name: str, *args, **kwargs) -> None:
    """Queue the task straight away (the caller has committed what the task reads)."""
    task(name).delay(*args, **kwargs)
