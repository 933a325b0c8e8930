"""Whole pages remembered per person until anything in the database changes.

The pages people open most (home, the project list and page, the forum meeting, the
coaching pool) are read far more often than the data behind them changes: a forum
chair reopens the meeting page all through the meeting, a board member refreshes the
home page. `cached_page` serves a signed-in person the exact page it rendered for them
last time, as long as nothing has been written since.

"Nothing has been written" is one number, the data version, held in the "pages" cache.
Every INSERT, UPDATE or DELETE on this process's database connections changes it (an
execute wrapper sees the SQL itself, so bulk updates, raw SQL and deletes that send no
signals count too), once at once and once more after the transaction commits: a page
rendered from the data before the commit can then never be read under the version that
follows it. A page is keyed by that version, the person, the host and full path and
today's date, so a change anywhere (a decision, a new data point, a role granted or taken away)
makes everyone's next view render afresh, and so does midnight.

Only what varies from one request to the next is put back on a hit: the CSRF token in
forms. Pages with a message waiting are never served or kept from here; nor are requests
with query parameters the view does not read. A page that shows figures remembered for a
minute (ops.cache) is kept no longer than they are. If the cache cannot be reached, pages
are rendered as without it, and a write is never failed for it: the version change is owed
and made at the process's next chance.

The version must be shared by every process that writes or serves, so settings.PAGE_CACHE
is on by default only with a shared cache (CACHE_URL); with a cache per process one process
could not tell the others. The test suite runs with it on (one process).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

VERSION_KEY = "pages:version"
PAGE_SECONDS = 15 * 60
HEADER = "X-Page-Cache"
_FRESH = 10**18  # versions start from time.time_ns(); a smaller one was recreated from nothing by the cache

logger = logging.getLogger(__name__)
_bump_owed = False  # a write this process could not announce (the cache was unreachable): announced at the next chance
_lifetime: contextvars.ContextVar[float | None] = contextvars.ContextVar("page_lifetime", default=None)

# Writes that change no page: sessions, sign-in attempts, the beat scheduler's own bookkeeping.
IGNORED_TABLES = ("django_session", "axes_", "django_celery_beat_")
_WRITE = re.compile(r"\s*(?:(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"`]?(\w+)"
                    r"|TRUNCATE|ROLLBACK\s+TO)", re.IGNORECASE)
# Signing in writes the time of it and nothing else; no page shows it.
_SIGN_IN = re.compile(r'\s*UPDATE\s+"\w+"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE', re.IGNORECASE)
_CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_MARK = b"\x00csrf\x00"


def enabled() -> bool:
    return settings.PAGE_CACHE


def _pages():
    return caches["pages"]


def current_version() -> int:
    """The data version; a new, never-used number when the cache has lost it (restart, eviction)."""
    if _bump_owed:
        bump()
    pages = _pages()
    version = pages.get(VERSION_KEY)
    if version is None:
        pages.add(VERSION_KEY, time.time_ns(), None)
        version = pages.get(VERSION_KEY)
    return version


def bump() -> None:
    """Every page remembered so far is out of date.

    Never raises: a write has already happened and must not fail for the cache's sake. If the cache
    cannot be reached the bump is owed and paid at this process's next write or page."""
    global _bump_owed
    pages = _pages()
    try:
        try:
            if pages.incr(VERSION_KEY) < _FRESH:  # evicted between Redis's EXISTS and INCR: recreated at 1
                pages.set(VERSION_KEY, time.time_ns(), None)
        except ValueError:  # not there: any new number will do, pages are keyed by the old one
            pages.add(VERSION_KEY, time.time_ns(), None)
        _bump_owed = False
    except Exception:  # the cache is down (redis.ConnectionError and the like)
        _bump_owed = True
        logger.exception("page cache: could not change the data version; owed")


def lasts_at_most(seconds: float) -> None:
    """The page being rendered shows something remembered elsewhere for only `seconds` more (ops.cache)."""
    current = _lifetime.get()
    if current is not None:
        _lifetime.set(min(current, seconds))


def _writes(sql: str) -> bool:
    match = _WRITE.match(sql)
    return (bool(match) and not (match.group(1) or "").lower().startswith(IGNORED_TABLES)
            and not _SIGN_IN.match(sql))


def _watch(connection: BaseDatabaseWrapper) -> Callable:
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if enabled() and isinstance(sql, str) and _writes(sql):
            bump()
            if connection.in_atomic_block and not any(entry[1] is bump for entry in connection.run_on_commit):
                # Readers that took the new version before the commit may have rendered the old data.
                connection.on_commit(bump, robust=True)
        return result

    wrapper.page_cache = True
    return wrapper


def watch_writes(sender=None, connection: BaseDatabaseWrapper | None = None, **kwargs) -> None:
    """Install the write watcher on a connection (connection_created); once per connection object."""
    connection = connection or connections["default"]
    if not any(getattr(w, "page_cache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_watch(connection))


def _has_messages(request: HttpRequest) -> bool:
    return len(messages.get_messages(request)) > 0  # counts without marking them read


@functools.cache
def code_stamp() -> str:
    """Which code rendered a page: a release replaces templates without writing to the database."""
    if settings.RELEASE:
        return settings.RELEASE
    folders = [settings.BASE_DIR / "templates", settings.BASE_DIR / "static", *_app_folders()]
    newest = max((p.stat().st_mtime_ns for folder in folders for p in folder.rglob("*")
                  if p.suffix in (".py", ".html", ".txt", ".js", ".css")), default=0)
    return str(newest)


def _app_folders() -> list[Path]:
    return [Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(settings.BASE_DIR)]


def _key(request: HttpRequest, version: int) -> str:
    who = (f"{code_stamp()}|{request.user.pk}|{timezone.localdate().isoformat()}|{request.get_host()}"
           f"|{request.get_full_path()}")
    return f"page:{version}:{hashlib.sha256(who.encode()).hexdigest()}"


def _keep(request: HttpRequest, key: str, response: HttpResponse, seconds: float) -> None:
    if (response.status_code != 200 or response.streaming or response.cookies or response.has_header("Location")
            or _has_messages(request) or seconds < 1):
        return
    _pages().set(key, (_CSRF.sub(rb"\1" + _CSRF_MARK + rb"\2", response.content), response["Content-Type"]),
                 int(seconds))


def _serve(request: HttpRequest, entry: tuple[bytes, str]) -> HttpResponse:
    content, content_type = entry
    if _CSRF_MARK in content:
        content = content.replace(_CSRF_MARK, get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    response[HEADER] = "hit"
    return response


def cached_page(view: Callable[..., HttpResponse] | None = None, *, params: Iterable[str] = ()):
    """Serve a signed-in person's GET from the page they were last given, while no data has changed.

    Put it outside login_required: the data version is read before anything of the person is, so a
    change to them that commits meanwhile cannot be stored under the version that follows it. The
    view's own permission checks only run on a miss, which is safe because the key holds the person
    and the version, and roles are data. `params`: the query parameters the view reads; a request
    with any other is rendered and not kept, so made-up query strings cannot fill the cache."""
    if view is None:
        return functools.partial(cached_page, params=params)
    known = frozenset(params)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (enabled() and request.method == "GET") or not known.issuperset(request.GET):
            return view(request, *args, **kwargs)
        try:
            version = current_version()
        except Exception:  # the cache is down: the page is rendered, as with no cache
            logger.exception("page cache: unreachable")
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated or _has_messages(request):
            return view(request, *args, **kwargs)
        key = _key(request, version)
        entry = _pages().get(key)
        if entry is not None:
            return _serve(request, entry)
        token = _lifetime.set(PAGE_SECONDS)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            seconds = _lifetime.get()
        finally:
            _lifetime.reset(token)
        _keep(request, key, response, seconds)
        response[HEADER] = "miss"
        return response

    return wrapped
