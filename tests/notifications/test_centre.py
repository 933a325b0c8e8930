"""The notification centre: every app notifies through notifications.services; one event tells a person once."""

import pytest
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification
from notifications.services import Notice, notify, notify_each, send_digest


def test_an_event_with_a_key_tells_each_person_once(staff, coach):
    assert notify([staff.pk, coach.pk, None], kind="forum_decision", text="Approved", key="decision:1") == 2
    assert notify([staff.pk], kind="forum_decision", text="Approved", key="decision:1") == 0
    assert Notification.objects.count() == 2


def test_many_events_are_told_in_a_constant_number_of_queries(staff, coach, django_assert_num_queries):
    """Preferences, who was told already, one insert (SQLite splits inserts past its 999 parameters)."""
    notices = [Notice(frozenset({staff.pk, coach.pk}), f"Signal {i}", key=f"signal:{i}") for i in range(20)]
    with django_assert_num_queries(3):
        assert notify_each(notices, kind="spc_signal") == 40


def test_the_digest_mails_only_the_kinds_sent_by_digest(staff, mailoutbox):
    kinds.register(kinds.Kind("test_digest", "Test digests", default=kinds.Delivery.DIGEST))
    notify([staff.pk], kind="test_digest", text="In the digest", key="a")
    notify([staff.pk], kind="test_in_app", text="Only in the portal", key="b")
    assert send_digest() == 1
    assert "In the digest" in mailoutbox[0].body and "Only in the portal" not in mailoutbox[0].body


@pytest.mark.parametrize("persona", ["staff", "serviceuser"], indirect=True)
def test_people_see_and_clear_only_their_own_notifications(client, persona, coach, django_assert_max_num_queries):
    notify([persona.pk], kind="forum_decision", text="Your idea was approved", url="/projects/1/", key="mine")
    notify([coach.pk], kind="forum_decision", text="Someone else's news", key="theirs")
    client.force_login(persona)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("notifications:index")).content.decode()
    assert "Your idea was approved" in page and "Someone else" not in page
    mine = Notification.objects.get(user=persona)
    client.post(reverse("notifications:index"), {"notification": Notification.objects.get(user=coach).pk})
    assert Notification.objects.get(user=coach).read_at is None  # another person's id marks nothing
    client.post(reverse("notifications:index"), {"notification": mine.pk})
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_signing_in_is_needed(client):
    assert client.get(reverse("notifications:index")).status_code == 302
