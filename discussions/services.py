"""Posting to a discussion and reading one. @mentions name people by their username (@sam.okafor); a
mention notifies the person when they may read the thread; everyone taking part hears of new comments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from notifications.services import Notice, notify_each

from . import targets
from .models import Comment

MENTION_KIND = "discussion_mention"
REPLY_KIND = "discussion_comment"
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+\w)")
MAX_MENTIONS = 20


class DiscussionError(ValueError):
    """The comment cannot be posted; the message says why."""


def mentioned_usernames(body: str) -> list[str]:
    return list(dict.fromkeys(MENTION.findall(body)))[:MAX_MENTIONS]


def post(obj: models.Model, *, author, body: str) -> Comment:
    """Add a comment to the object's thread; mentioned people who may read it and everyone taking part are
    told (in the same transaction, so a comment never exists without its notices)."""
    target = targets.for_object(obj)
    body = body.strip()
    if not body:
        raise DiscussionError("Write something before posting.")
    if not target.can_write(author, obj):
        raise DiscussionError("Only the team, its coach, sponsor and forum chair write here.")
    wanted = mentioned_usernames(body)
    named = {}
    if wanted:
        anyone = models.Q()
        for username in wanted:
            anyone |= models.Q(username__iexact=username)
        named = {u.pk: u for u in get_user_model().objects.filter(anyone, is_active=True)
                 if target.can_read(u, obj)}
    with transaction.atomic():
        comment = Comment.objects.create(target_type=targets.label(type(obj)), target_id=obj.pk, author=author,
                                         body=body)
        comment.mentioned.set(named.values())
        where = getattr(obj, "title", None) or str(obj)
        url = f"{obj.get_absolute_url()}#comment-{comment.pk}"
        excerpt = body if len(body) <= 140 else body[:138].rstrip() + "…"
        mentioned_ids = {u.pk for u in named.values()} - {author.pk}
        notify_each([Notice(frozenset(mentioned_ids), f"{author.name} mentioned you on “{where}”", url,
                            f"comment:{comment.pk}", f"{author.name} wrote:\n\n{body}")], kind=MENTION_KIND)
        others = set(participants(obj, target)) - mentioned_ids - {author.pk}
        notify_each([Notice(frozenset(others), f"{author.name} on “{where}”: {excerpt}", url,
                            f"comment:{comment.pk}")], kind=REPLY_KIND)
    return comment


def participants(obj: models.Model, target: targets.Target | None = None) -> set[int]:
    """Whom a new comment reaches: the target's own people and everyone who has written in the thread."""
    target = target or targets.for_object(obj)
    writers = Comment.objects.on(obj).values_list("author_id", flat=True).distinct()
    return {*target.participants(obj), *writers}


@dataclass
class Thread:
    comments: list[Comment]
    can_write: bool
    handles: list[tuple[str, str]]  # (username, name) of the people to mention


def thread(obj: models.Model, user, *, limit: int = 200) -> Thread:
    """The object's thread for this reader: two queries (comments with authors, the people to mention), and
    whatever the target needs to name its own people (nothing when its page prefetched them)."""
    target = targets.for_object(obj)
    comments = list(Comment.objects.on(obj).select_related("author").order_by("created_at", "pk")[:limit])
    around = {*target.participants(obj), *(c.author_id for c in comments)}
    people = get_user_model().objects.filter(pk__in=around, is_active=True)
    handles = sorted(((u.username, u.name) for u in people.only("username", *get_user_model().NAME_FIELDS)),
                     key=lambda h: h[1].lower())
    return Thread(comments, target.can_write(user, obj), handles)


def render_body(body: str) -> SafeString:
    """The comment's text, escaped, with @mentions marked and line breaks kept."""
    parts, last = [], 0
    for match in MENTION.finditer(body):
        parts.append(escape(body[last:match.start()]))
        parts.append(format_html('<strong class="mention">@{}</strong>', match.group(1)))
        last = match.end()
    parts.append(escape(body[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part is escaped above
