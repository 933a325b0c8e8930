"""ops.queue: services ask for background work by the task's name, queued when their transaction commits."""

import pytest
from django.db import transaction

from ops import queue


def test_a_task_is_found_by_its_name_without_importing_its_module():
    assert queue.task("measures.tasks.render_measure").name == "measures.tasks.render_measure"


def test_unknown_tasks_are_an_error_not_a_silent_loss():
    with pytest.raises(KeyError):
        queue.task("measures.tasks.no_such_task")


@pytest.mark.django_db(transaction=True)
def test_work_is_queued_only_when_the_transaction_commits(monkeypatch):
    sent = []
    monkeypatch.setattr(queue.task("ops.tasks.ping"), "delay", lambda *a, **k: sent.append(a))
    with transaction.atomic():
        queue.after_commit("ops.tasks.ping", "committed")
        assert sent == []
    assert sent == [("committed",)]
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.after_commit("ops.tasks.ping", "rolled back")
        raise RuntimeError
    assert sent == [("committed",)]
