"""The env-driven settings module, exercised in fresh interpreters."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROD_KEY = "k3y-for-tests-only-9f8e7d6c5b4a3210-abcdefghijklmnopqrstuvwxyz"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "QIPORTAL_TESTING",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="qiportal.settings")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_production_mode_refuses_to_start_without_secret_key():
    result = _run("import django; django.setup()", DEBUG="0", ALLOWED_HOSTS="qi.example.nhs.uk")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = _run("import django; django.setup()", DEBUG="0", SECRET_KEY=PROD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _run(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="0", SECRET_KEY=PROD_KEY, ALLOWED_HOSTS="qi.example.nhs.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_sqlite_and_eager_celery():
    result = _run("import django; django.setup(); from django.conf import settings as s;"
                  "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)")
    assert result.returncode == 0, result.stderr
    engine, eager, email = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert email.endswith("console.EmailBackend")


def test_database_url_and_redis_url_switch_to_postgres_and_a_real_broker():
    result = _run("import django; django.setup(); from django.conf import settings as s;"
                  "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)",
                  DATABASE_URL="postgres://postgres@127.0.0.1:5432/qiportal", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    engine, eager, broker = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"
    assert broker == "redis://127.0.0.1:6379/0"


def test_nightly_job_is_scheduled_at_two_in_the_morning():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["nightly"]["schedule"]
    assert schedule.hour == {2} and schedule.minute == {0}


def test_how_long_an_escalation_waits_before_the_forum_hears_of_it_comes_from_the_environment():
    code = ("import django; django.setup(); from assurance.huddles import ESCALATE_AFTER_DAYS;"
            "print(ESCALATE_AFTER_DAYS)")
    assert _run(code).stdout.strip() == "7"
    assert _run(code, ASSURANCE_ESCALATION_DAYS="3").stdout.strip() == "3"
