"""Telling people: `notify` is the one call every app makes. Each person's choice per kind of notice
(kinds.Delivery, or the kind's default) decides whether they hear of it at all, and whether it is mailed at
once or in the daily digest.

E-mail at once is never lost: a notification wanting it stays due until a send succeeds. Sends are queued
after the notifying transaction commits, retried with backoff when the server refuses or is down, and swept
up every few minutes by the beat schedule (`send_due_emails`) in case a worker died mid-send.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ops import queue
from ops.mail import send_templated

from . import kinds
from .kinds import Delivery
from .models import Notification, Preference

logger = logging.getLogger(__name__)
# A send that claimed a notification and never finished (the worker died) is tried again after this long.
CLAIM_SECONDS = 10 * 60
SEND_BATCH = 200
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Notice:
    """One event to tell some people of. `key` names the event, so that nobody hears of it twice; `body` is
    the longer story an e-mail tells."""

    user_ids: frozenset[int]
    text: str
    url: str = ""
    key: str = ""
    body: str = ""


def notify(user_ids: Iterable[int], *, kind: str, text: str, url: str = "", key: str = "", body: str = "") -> int:
    """Tell each of these people (ids) of one event. Returns how many notifications are new."""
    return notify_each([Notice(frozenset(pk for pk in user_ids if pk), text, url, key, body)], kind=kind)


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's delivery for a kind: their choice, else the kind's default (one query)."""
    default = kinds.get(kind).default
    chosen = dict(Preference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", "delivery"))
    return defaultdict(lambda: default, chosen)


def notify_each(notices: Iterable[Notice], *, kind: str) -> int:
    """Tell people of many events of one kind in three queries (the nightly run finds hundreds of signals)."""
    notices = [n for n in notices if n.user_ids]
    everyone = {pk for n in notices for pk in n.user_ids if pk}
    if not everyone:
        return 0
    how = deliveries(everyone, kind)
    keys = {n.key[:120] for n in notices if n.key}
    told = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key")) if keys else set()
    now = timezone.now()
    rows = [Notification(user_id=pk, kind=kind, text=n.text[:300], body=n.body, url=n.url[:300], key=n.key[:120],
                         created_at=now, email_wanted=how[pk] == Delivery.IMMEDIATE)
            for n in notices for pk in sorted(pk for pk in n.user_ids if pk)
            if (pk, n.key[:120]) not in told and how[pk] != Delivery.OFF]
    # ignore_conflicts: the same event told twice at once (two workers) still leaves one notification.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.email_wanted for r in rows):
        queue.after_commit("notifications.tasks.send_due_emails")
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user).unread().count()


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications read, or all of them."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def preferences_for(user) -> list[tuple[kinds.Kind, str]]:
    """Every kind with the person's delivery for it."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(k, chosen.get(k.name, k.default)) for k in kinds.all_kinds()]


def save_preferences(user, choices: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


# --------------------------------------------------------------------------- e-mail


def send_due_emails(now: dt.datetime | None = None) -> tuple[int, int]:
    """Send every notification due by e-mail now: (sent, failed). Each is claimed first, so two senders at
    once mail it once; a failure releases the claim and counts the attempt, so the next sweep tries again."""
    now = now or timezone.now()
    due = list(Notification.objects.email_due(now - dt.timedelta(seconds=CLAIM_SECONDS))
               .select_related("user").order_by("created_at")[:SEND_BATCH])
    sent = failed = 0
    for n in due:
        claimed = (Notification.objects.email_due(now - dt.timedelta(seconds=CLAIM_SECONDS)).filter(pk=n.pk)
                   .update(email_claimed_at=now))
        if not claimed:
            continue
        if not (n.user.email and n.user.is_active):
            Notification.objects.filter(pk=n.pk).update(email_wanted=False, email_error="No e-mail address.")
            continue
        try:
            send_templated([n.user.email], "notifications/email/notification.txt",
                           {"user": n.user, "notification": n}, html_template="notifications/email/notification.html")
        except MAIL_ERRORS as e:
            logger.warning("e-mail of notification %s failed: %s", n.pk, e)
            Notification.objects.filter(pk=n.pk).update(email_claimed_at=None, email_attempts=n.email_attempts + 1,
                                                        email_error=str(e)[:300])
            failed += 1
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now(), email_error="")
        sent += 1
    return sent, failed


def digest_kinds_by_user(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """The kinds each person hears of in the daily digest (two small queries' worth of work)."""
    defaults = {k.name for k in kinds.all_kinds() if k.default == Delivery.DIGEST}
    out: dict[int, set[str]] = defaultdict(lambda: set(defaults))
    for user_id, kind, delivery in Preference.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "kind", "delivery"):
        chosen = out[user_id]
        (chosen.add if delivery == Delivery.DIGEST else chosen.discard)(kind)
    return out


def send_digest(now=None) -> int:
    """One e-mail per person listing their unread notifications not yet mailed, of the kinds they hear of by
    digest; never one per event."""
    now = now or timezone.now()
    # Only kinds someone hears of by digest: in-app notices nobody reads would otherwise be walked every day.
    by_digest = ({k.name for k in kinds.all_kinds() if k.default == Delivery.DIGEST}
                 | set(Preference.objects.filter(delivery=Delivery.DIGEST).values_list("kind", flat=True)))
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in (Notification.objects.awaiting_digest().filter(created_at__lte=now, kind__in=by_digest)
              .select_related("user").order_by("user_id", "created_at")):
        pending[n.user_id].append(n)
    wanted = digest_kinds_by_user(pending)
    sent = 0
    for user_id, items in pending.items():
        items = [n for n in items if n.kind in wanted[user_id]]
        if not items:
            continue
        user = items[0].user
        with transaction.atomic():
            # Claim them first, so that a digest sent twice at once mails each notification once.
            claimed = Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True).update(
                emailed_at=now)
            if not claimed:
                continue
            if user.email and user.is_active:
                sent += send_templated([user.email], "notifications/email/digest.txt",
                                       {"user": user, "notifications": items},
                                       html_template="notifications/email/digest.html")
    return sent
