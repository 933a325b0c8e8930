from celery import shared_task

from ops.mail import send_templated

from .models import Allocation


@shared_task(name="coaching.tasks.send_allocation_email", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def send_allocation_email(allocation_id: int) -> int:
    allocation = (Allocation.objects.select_related("project", "project__team", "project__lead", "person")
                  .filter(pk=allocation_id).first())
    if allocation is None:
        return 0
    return send_templated([allocation.person.email], "coaching/email/allocated.txt", {"allocation": allocation})
