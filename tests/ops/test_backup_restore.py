"""scripts/backup.sh and scripts/restore.sh against the real PostgreSQL: a seeded trust is backed up,
restored into a fresh database, and found there. Runs when the suite runs on PostgreSQL (.ci/run's
second step, or DATABASE_URL=postgres://... locally); skipped on the embedded SQLite default."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from projects.models import Project

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (.ci/run does)"),
    pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"),
                       reason="needs pg_dump and pg_restore"),
]


def url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def admin_connection():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname="postgres", user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None,
                            host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432)
    conn.autocommit = True
    return conn


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    conn = admin_connection()  # not `with conn`: psycopg2 would open a transaction, and CREATE DATABASE refuses one
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    yield name
    conn = admin_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url(connection.settings_dict["NAME"])}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_a_seeded_trust_backed_up_and_restored_into_a_fresh_database_is_all_there(tmp_path, fresh_database):
    call_command("seed_demo", verbosity=0)
    projects = Project.objects.count()
    title = Project.objects.order_by("pk").values_list("title", flat=True).first()
    assert projects > 10

    backup = run("scripts/backup.sh", str(tmp_path / "trust.dump"))
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "trust.dump").stat().st_size > 10_000

    restore = run("scripts/restore.sh", str(tmp_path / "trust.dump"), url(fresh_database))
    assert restore.returncode == 0, restore.stderr
    db = settings.DATABASES["default"]
    with psycopg2.connect(dbname=fresh_database, user=db.get("USER") or "postgres",
                          password=db.get("PASSWORD") or None, host=db.get("HOST") or "127.0.0.1",
                          port=db.get("PORT") or 5432) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from projects_project")
        assert cur.fetchone()[0] == projects
        cur.execute("select title from projects_project order by id limit 1")
        assert cur.fetchone()[0] == title
        cur.execute("select count(*) from organisation_user where username = 'qiadmin'")
        assert cur.fetchone()[0] == 1
        cur.execute("select count(*) from django_migrations")
        assert cur.fetchone()[0] > 20  # the schema's history came along: the portal can migrate it onwards
    conn.close()

    # A second restore into the now-full database is refused: a mistyped name never overwrites an install.
    again = run("scripts/restore.sh", str(tmp_path / "trust.dump"), url(fresh_database))
    assert again.returncode == 3 and "new, empty database" in again.stderr
