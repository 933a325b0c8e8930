from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.send_digest")
def send_digest() -> int:
    return services.send_digest()
