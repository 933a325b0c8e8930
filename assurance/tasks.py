from celery import shared_task

from . import services


@shared_task(name="assurance.tasks.tell_overdue_actions")
def tell_overdue_actions() -> int:
    """Daily: owners hear of actions past their due date (once per action and due date; safe to run twice)."""
    return services.tell_overdue()
