from celery import shared_task

from . import queue, services


@shared_task(name="ops.tasks.nightly", acks_late=True)
def nightly() -> int:
    return services.run_nightly().pk


@shared_task(name="ops.tasks.ping")
def ping(value: str = "pong") -> str:
    """A trivial task used by CI to prove a real worker consumes from the broker."""
    return value


@shared_task(name="ops.tasks.send_held")
def send_held() -> int:
    """Every minute (beat): jobs kept in the database while the broker was down, sent now it answers."""
    return queue.send_held()
