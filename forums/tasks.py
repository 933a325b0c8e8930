from celery import shared_task
from django.utils import timezone

from ops.mail import send_templated

from .models import Decision
from .services import meeting_reminders_due, send_meeting_reminder


@shared_task(name="forums.tasks.send_decision_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_email(decision_id: int) -> int:
    decision = (Decision.objects.select_related("project", "project__lead", "project__created_by", "meeting",
                                                "meeting__forum", "decided_by", "coach", "sponsor")
                .filter(pk=decision_id).first())
    if decision is None:
        return 0
    project = decision.project
    return send_templated([project.lead.email, project.created_by.email], "forums/email/decision.txt",
                          {"decision": decision, "project": project})


@shared_task(name="forums.tasks.send_meeting_reminders")
def send_meeting_reminders() -> int:
    """Daily: e-mail each chair and co-chair a few days before their forum meets, once per meeting."""
    sent = 0
    for meeting in meeting_reminders_due(timezone.localdate()):
        sent += send_meeting_reminder(meeting)
    return sent
