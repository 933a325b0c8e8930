"""Telling people: `notify` is the one call every app makes; the digest mails what is waiting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ops.mail import send_templated

from . import kinds
from .models import Notification


@dataclass(frozen=True)
class Notice:
    """One event to tell some people of. `key` names the event, so that nobody hears of it twice."""

    user_ids: frozenset[int]
    text: str
    url: str = ""
    key: str = ""


def notify(user_ids: Iterable[int], *, kind: str, text: str, url: str = "", key: str = "") -> int:
    """Tell each of these people (ids) of one event. Returns how many notifications are new."""
    return notify_each([Notice(frozenset(pk for pk in user_ids if pk), text, url, key)], kind=kind)


def notify_each(notices: Iterable[Notice], *, kind: str) -> int:
    """Tell people of many events of one kind in two queries (the nightly run finds hundreds of signals)."""
    notices = [n for n in notices if n.user_ids]
    keys = {n.key[:120] for n in notices if n.key}
    told = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key")) if keys else set()
    now = timezone.now()
    rows = [Notification(user_id=pk, kind=kind, text=n.text[:300], url=n.url[:300], key=n.key[:120],
                         created_at=now)
            for n in notices for pk in sorted(pk for pk in n.user_ids if pk) if (pk, n.key[:120]) not in told]
    # ignore_conflicts: the same event told twice at once (two workers) still leaves one notification.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user).unread().count()


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications read, or all of them."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def send_digest(now=None) -> int:
    """One e-mail per person listing their unread notifications not yet mailed, of the kinds sent by digest;
    never one per event."""
    now = now or timezone.now()
    digest_kinds = [k.name for k in kinds.all_kinds() if k.default == kinds.Delivery.DIGEST]
    sent = 0
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in (Notification.objects.awaiting_digest().filter(created_at__lte=now, kind__in=digest_kinds)
              .select_related("user").order_by("user_id", "created_at")):
        pending[n.user_id].append(n)
    for items in pending.values():
        user = items[0].user
        with transaction.atomic():
            # Claim them first, so that a digest sent twice at once mails each notification once.
            claimed = Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True).update(
                emailed_at=now)
            if not claimed:
                continue
            if user.email and user.is_active:
                sent += send_templated([user.email], "notifications/email/digest.txt",
                                       {"user": user, "notifications": items})
    return sent
