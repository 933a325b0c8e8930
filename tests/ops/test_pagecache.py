"""Pages served again while nothing has changed (ops.pagecache): never stale, never someone else's."""

import datetime as dt
import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from ops import pagecache
from organisation.models import Role, RoleAssignment
from projects.models import Project

from ..factories import PASSWORD, ProjectFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _without_tokens(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def test_the_second_view_is_served_from_the_cache_with_a_working_csrf_token(staff, ward):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    first, second = client.get(reverse("home")), client.get(reverse("home"))
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert _without_tokens(first.content) == _without_tokens(second.content)
    token = TOKEN.search(second.content.decode()).group(1)
    assert "\x00" not in token
    # The sign-out form on the page served from the cache still works.
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_any_write_makes_the_next_view_render_afresh_even_a_bulk_update(client, staff, ward):
    client.force_login(staff)
    client.get(reverse("home"))
    project = ProjectFactory(team=ward, lead=staff, created_by=staff, title="Fewer missed doses")
    assert "Fewer missed doses" in client.get(reverse("home")).content.decode()
    Project.objects.filter(pk=project.pk).update(title="No missed doses")  # no signal is sent
    response = client.get(reverse("home"))
    assert response["X-Page-Cache"] == "miss" and "No missed doses" in response.content.decode()


def test_each_person_is_given_their_own_page(client, staff, chair):
    client.force_login(chair)
    assert 'data-testid="panel-chair"' in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert response["X-Page-Cache"] == "miss" and 'data-testid="panel-chair"' not in response.content.decode()


def test_a_role_taken_away_is_refused_at_once(client, qiadmin):
    client.force_login(qiadmin)
    assert client.get(reverse("coaching:index")).status_code == 200
    assert client.get(reverse("coaching:index"))["X-Page-Cache"] == "hit"
    RoleAssignment.objects.filter(user=qiadmin, role=Role.QI_ADMIN).delete()
    assert client.get(reverse("coaching:index")).status_code == 403


def test_the_query_string_is_part_of_the_page(client, staff):
    client.force_login(staff)
    client.get(reverse("projects:list"))
    assert client.get(reverse("projects:list"), {"status": "submitted"})["X-Page-Cache"] == "miss"
    assert client.get(reverse("projects:list"), {"status": "submitted"})["X-Page-Cache"] == "hit"


def test_made_up_query_strings_are_rendered_and_never_kept(client, staff):
    client.force_login(staff)
    for _ in range(2):
        response = client.get(reverse("projects:list"), {"status": "submitted", "x": "made-up"})
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert client.get(reverse("projects:detail", args=[1]), {"utm": "1"}).get("X-Page-Cache") is None


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_page_showing_figures_is_not_kept_past_their_minute(client, qiadmin, monkeypatch):
    kept = {}
    monkeypatch.setattr(pagecache, "_keep", lambda request, key, response, seconds: kept.update(seconds=seconds))
    client.force_login(qiadmin)
    client.get(reverse("home"))  # the pipeline panel: figures counted once a minute (ops.cache)
    assert 0 < kept["seconds"] <= 60


def test_an_unreachable_cache_never_fails_a_write_and_the_change_is_announced_later(ward, monkeypatch):
    version = pagecache.current_version()
    pages = pagecache.caches["pages"]

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    with monkeypatch.context() as m:
        m.setattr(pages, "incr", down)
        ward.name = "Willow"
        ward.save()  # the write stands
        assert pagecache._bump_owed
    assert pagecache.current_version() > version and not pagecache._bump_owed


def test_an_unreachable_cache_renders_the_page(client, staff, monkeypatch):
    client.force_login(staff)
    pages = pagecache.caches["pages"]
    monkeypatch.setattr(pages, "get", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "X-Page-Cache" not in response


@pytest.mark.django_db(transaction=True)
def test_a_transaction_changes_the_version_at_each_write_and_once_more_when_it_commits(ward):
    before = pagecache.current_version()
    with transaction.atomic():
        ward.name = "Willow"
        ward.save()
        ward.save()
        during = pagecache.current_version()
        assert [e[2] for e in connection.run_on_commit if e[1] is pagecache.bump] == [True]  # once, robust
    assert (during, pagecache.current_version()) == (before + 2, before + 3)


@pytest.mark.parametrize(("sql", "writes"), [
    ('INSERT INTO "projects_project" ("title") VALUES (%s)', True),
    ('INSERT OR IGNORE INTO "measures_notification" ("user_id") VALUES (%s)', True),  # SQLite's ignore_conflicts
    ('UPDATE "organisation_team" SET "name" = %s', True),
    ('DELETE FROM "forums_agendaitem" WHERE "id" = %s', True),
    ("ROLLBACK TO SAVEPOINT \"s1\"", True),
    ('TRUNCATE "django_session", "projects_project";', True),
    ('SELECT "projects_project"."id" FROM "projects_project"', False),
    ('UPDATE "django_session" SET "session_data" = %s', False),
    ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
    ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = %s', False),
    ('UPDATE "organisation_user" SET "last_login" = %s WHERE "organisation_user"."id" = %s', False),
    ('UPDATE "organisation_user" SET "last_login" = %s, "is_active" = %s WHERE "id" = %s', True),
])
def test_the_writes_that_count(sql, writes):
    assert pagecache._writes(sql) is writes


def test_signing_in_keeps_everyones_pages(staff, client):
    version = pagecache.current_version()
    assert client.login(username="staff", password=PASSWORD)  # a session saved and last_login written
    assert pagecache.current_version() == version
    assert any(getattr(w, "page_cache", False) for w in connection.execute_wrappers)


def _view_counting(calls: list):
    @pagecache.cached_page
    def view(request):
        calls.append(request)
        return HttpResponse("<p>page</p>")

    return view


def test_a_page_with_a_message_waiting_is_neither_served_nor_kept(staff):
    calls = []
    view = _view_counting(calls)

    def request(message: str = ""):
        req = RequestFactory().get("/")
        req.user, req.session = staff, SessionStore()
        req._messages = FallbackStorage(req)
        if message:
            messages.success(req, message)
        return req

    view(request("Idea submitted"))
    view(request())
    view(request())
    assert len(calls) == 2  # the page with the message was not kept; the next one was, and then served


def test_tomorrow_every_page_renders_afresh(client, staff, monkeypatch):
    client.force_login(staff)
    client.get(reverse("home"))
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
    assert client.get(reverse("home"))["X-Page-Cache"] == "miss"


def test_another_release_renders_afresh(client, staff, settings):
    client.force_login(staff)
    client.get(reverse("home"))
    settings.RELEASE = "2027.1"
    pagecache.code_stamp.cache_clear()
    try:
        assert client.get(reverse("home"))["X-Page-Cache"] == "miss"
    finally:
        pagecache.code_stamp.cache_clear()


def test_a_lost_version_is_never_reused(settings):
    version = pagecache.current_version()
    pagecache.caches["pages"].clear()
    assert pagecache.current_version() != version


def test_off_every_view_renders(client, staff, settings):
    settings.PAGE_CACHE = False
    client.force_login(staff)
    client.get(reverse("home"))
    assert "X-Page-Cache" not in client.get(reverse("home"))


def test_a_version_recreated_from_nothing_is_replaced_by_a_fresh_one():
    pagecache.caches["pages"].set(pagecache.VERSION_KEY, 1, None)  # Redis's INCR after the key was evicted
    pagecache.bump()
    assert pagecache.current_version() >= pagecache._FRESH
