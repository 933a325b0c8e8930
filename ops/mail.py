"""Plain-text e-mail from templates; sent by Celery tasks after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send_templated(to: list[str], template: str, context: dict) -> int:
    """`template` names a .txt template whose first line is `Subject: ...`."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    text = render_to_string(template, {"site_url": settings.SITE_URL, **context})
    first, _, body = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return send_mail(subject, body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, recipients)
