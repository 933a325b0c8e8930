import smtplib

from celery import shared_task

from . import services


class EmailsStillDue(Exception):
    """Some e-mails could not be sent yet (the server refused or was down): retried with backoff."""


@shared_task(name="notifications.tasks.send_due_emails", bind=True, autoretry_for=(EmailsStillDue,),
             retry_backoff=30, retry_backoff_max=30 * 60, max_retries=12)
def send_due_emails(self) -> int:
    """Send what is due at once. Also on the beat schedule every few minutes: after the retries run out the
    sweep goes on trying, so nothing is lost while the mail server is down."""
    try:
        sent, failed = services.send_due_emails()
    except smtplib.SMTPException as e:  # a broken connection mid-batch: what was claimed is released by time
        sent, failed = 0, str(e)
    if failed and not self.request.is_eager:
        raise EmailsStillDue(f"{failed} e-mail(s) not sent yet")
    # Eager (no broker): the web process does not wait out a mail outage; the nightly run sweeps again.
    return sent


@shared_task(name="notifications.tasks.send_digest")
def send_digest() -> int:
    return services.send_digest()
