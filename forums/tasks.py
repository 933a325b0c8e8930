from celery import shared_task
from django.utils import timezone

from .services import meeting_reminders_due, send_meeting_reminder


@shared_task(name="forums.tasks.send_meeting_reminders")
def send_meeting_reminders() -> int:
    """Daily: e-mail each chair and co-chair a few days before their forum meets, once per meeting."""
    sent = 0
    for meeting in meeting_reminders_due(timezone.localdate()):
        sent += send_meeting_reminder(meeting)
    return sent
