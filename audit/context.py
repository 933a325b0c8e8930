"""Where a change came from: a person's request, a Celery task, or a management command.

django-auditlog records the person (its middleware, from the request); work with no person behind it is
the system's, and this says which part of the system, so "who changed this" always has an answer.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar

_origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)

MAX_LENGTH = 200


@contextlib.contextmanager
def origin(label: str) -> Iterator[None]:
    token = _origin.set(label[:MAX_LENGTH])
    try:
        yield
    finally:
        _origin.reset(token)


def enter(label: str):
    """For hooks that open and close in two calls (Celery's task_prerun / task_postrun)."""
    return _origin.set(label[:MAX_LENGTH])


def leave(token) -> None:
    # A hook closed in another context than it opened (a worker quirk) must not fail the task.
    with contextlib.suppress(ValueError):
        _origin.reset(token)


def current_origin() -> str:
    label = _origin.get()
    if label:
        return label
    argv = sys.argv or [""]
    if argv[0].endswith("manage.py") and len(argv) > 1:
        return f"command {argv[1]}"[:MAX_LENGTH]
    return "system"
