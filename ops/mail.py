"""E-mail from templates: a plain-text part, and an HTML part when the caller names one; sent by Celery tasks
after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of a .txt template whose first line is `Subject: ...`."""
    text = render_to_string(template, {"site_url": settings.SITE_URL, **context})
    first, _, body = text.lstrip().partition("\n")
    return first.removeprefix("Subject:").strip(), body.strip() + "\n"


def send_templated(to: list[str], template: str, context: dict, *, html_template: str = "") -> int:
    """`template` names a .txt template whose first line is `Subject: ...`; `html_template` the HTML body."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    subject, body = render(template, context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    if html_template:
        message.attach_alternative(render_to_string(html_template, {**context, "subject": subject}), "text/html")
    return message.send()
