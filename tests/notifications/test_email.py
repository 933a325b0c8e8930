"""Notifications by e-mail through a real SMTP server (aiosmtpd, started by the test): a plain-text and an
HTML part with a link back; a server that refuses or is down loses nothing: the e-mail stays due and goes
when the server takes it, once."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification, Preference
from notifications.services import notify, send_due_emails
from notifications.tasks import send_due_emails as send_task

IMMEDIATE = "test_immediate"
kinds.register(kinds.Kind(IMMEDIATE, "Test notices mailed at once", default=kinds.Delivery.IMMEDIATE))


class Inbox:
    """An aiosmtpd handler: keeps what it is sent, or refuses every recipient while `refusing`."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refusing = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(Inbox):
    """The SMTP server on one port, which a test can take down and bring back."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port, self.controller = port, None

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)  # a stopped one cannot restart
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = Server(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    server.start()
    yield server
    server.stop()


def parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
            if not p.is_multipart()}


def test_an_immediate_notice_arrives_with_text_and_html_and_a_link_back(staff, smtp,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff.pk], kind=IMMEDIATE, text="Your idea was approved", body="The forum's reasons: it's good.",
               url="/projects/7/", key="t1")
    [message] = smtp.messages
    assert message["To"] == staff.email and message["Subject"] == "Your idea was approved"
    body = parts(message)
    assert "The forum's reasons: it's good." in body["text/plain"]
    assert "http://127.0.0.1:8000/projects/7/" in body["text/plain"]
    assert 'href="http://127.0.0.1:8000/projects/7/"' in body["text/html"]
    assert Notification.objects.get().emailed_at is not None


def test_a_refusing_server_keeps_the_email_due_until_it_accepts(staff, smtp, django_capture_on_commit_callbacks):
    smtp.refusing = True
    with django_capture_on_commit_callbacks(execute=True):  # eager: the web request is never failed for it
        notify([staff.pk], kind=IMMEDIATE, text="Allocated as coach", key="t2")
    notice = Notification.objects.get()
    assert notice.emailed_at is None and notice.email_attempts == 1 and "550" in notice.email_error
    assert smtp.messages == []
    smtp.refusing = False
    assert send_due_emails() == (1, 0)
    assert send_due_emails() == (0, 0)  # once
    [message] = smtp.messages
    assert message["Subject"] == "Allocated as coach"


def test_a_server_that_is_down_loses_nothing_and_the_worker_task_asks_to_be_retried(staff, smtp):
    smtp.stop()
    notify([staff.pk], kind=IMMEDIATE, text="Closure confirmed", key="t3")
    with pytest.raises(Exception, match="not sent yet"):
        send_task()  # as a worker runs it (not eager): it raises, so that Celery retries it with backoff
    notice = Notification.objects.get()
    assert notice.emailed_at is None and notice.email_attempts >= 1
    smtp.start()
    assert send_due_emails() == (1, 0)
    assert [m["Subject"] for m in smtp.messages] == ["Closure confirmed"]


def test_a_send_that_died_mid_way_is_tried_again_after_its_claim_lapses(staff, smtp):
    import datetime as dt

    from django.utils import timezone

    notify([staff.pk], kind=IMMEDIATE, text="Stale claim", key="t4")
    Notification.objects.update(email_claimed_at=timezone.now())  # a worker claimed it and was killed
    assert send_due_emails() == (0, 0)
    assert send_due_emails(now=timezone.now() + dt.timedelta(minutes=11)) == (1, 0)


def test_each_person_chooses_how_they_hear_of_each_kind(client, staff, coach, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    client.force_login(staff)
    page = client.get(reverse("notifications:settings"))
    assert "Test notices mailed at once" in page.content.decode()
    response = client.post(reverse("notifications:settings"), {IMMEDIATE: kinds.Delivery.OFF})
    assert response.status_code == 302
    assert Preference.objects.get(user=staff, kind=IMMEDIATE).delivery == kinds.Delivery.OFF
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff.pk, coach.pk], kind=IMMEDIATE, text="Only the coach hears", key="t5")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["coach"]
    assert [m.to for m in mailoutbox] == [[coach.email]]


def test_a_bad_choice_is_refused_beside_the_field_and_nothing_is_saved(client, staff):
    client.force_login(staff)
    response = client.post(reverse("notifications:settings"), {IMMEDIATE: "sometimes"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_settings_page_needs_signing_in(client):
    assert client.get(reverse("notifications:settings")).status_code == 302
