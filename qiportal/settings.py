"""QI Portal settings: one module, driven by the environment.

With nothing set, the app runs on an embedded default: a SQLite file beside
the code, Celery tasks run eagerly in the web process, e-mail printed to the
console. DATABASE_URL switches to PostgreSQL, REDIS_URL to a real Celery
broker with a worker and beat. DEBUG=0 is production mode, which refuses to
start without SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Development is the default so that `make run` needs no configuration; any
# deployment sets DEBUG=0 (docker-compose.yml does) and must then say who it is.
DEBUG = env_bool("DEBUG", True)
# pytest-django imports these settings before any conftest runs, so detect it here.
TESTING = env_bool("QIPORTAL_TESTING", "pytest" in sys.modules)

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-when-DEBUG-is-off"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("Production mode (DEBUG=0) needs a random SECRET_KEY of at least 50 characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production mode (DEBUG=0) needs ALLOWED_HOSTS (comma-separated host names).")

# The demo personas (password "demo") may only log in on a development or demo
# install; a real trust's install refuses them even if seed_demo was run.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

INSTALLED_APPS = [
    "organisation.adminconfig.QIAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "axes",
    "csp",
    "auditlog",
    # Our apps, bottom layer first: dependencies only ever point up this list.
    "organisation",
    "ops",
    "sso",
    "notifications",
    "discussions",
    "projects",
    "workspace",
    "measures",
    "coaching",
    "forums",
    "capability",
    "programmes",
    "assurance",
    "ingest",
    "board",
    "audit",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",  # the signed-in person is the actor of each audited change
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes must come last (STACK.md).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qiportal.urls"
WSGI_APPLICATION = "qiportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "organisation.context_processors.navigation",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the eager "worker" write while pages read; a busy timeout turns
    # brief lock contention into a short wait instead of "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, for the test database: concurrency tests then see SQLite's
    # real locking (a writer waits for the busy timeout) as the app does.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisation.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "sso.backends.PasswordBackend",
    "sso.backends.SSOBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Single sign-on with OpenID Connect (Microsoft Entra ID or any standard provider): README "Single sign-on".
# The provider's endpoints come from its discovery document; sso/config.py checks these at start.
SSO_ISSUER = env("SSO_ISSUER")  # e.g. https://login.microsoftonline.com/<tenant id>/v2.0
SSO_DISCOVERY_URL = env("SSO_DISCOVERY_URL")  # default: <issuer>/.well-known/openid-configuration
SSO_CLIENT_ID = env("SSO_CLIENT_ID")
SSO_CLIENT_SECRET = env("SSO_CLIENT_SECRET")
SSO_PROVIDER_NAME = env("SSO_PROVIDER_NAME", "single sign-on")  # the button reads "Sign in with <this>"
SSO_ALLOWED_EMAIL_DOMAINS = env_list("SSO_ALLOWED_EMAIL_DOMAINS")  # empty: any address the provider vouches for
SSO_TRUST_PROVIDER_EMAIL = env_bool("SSO_TRUST_PROVIDER_EMAIL", False)  # Entra ID sends no email_verified
SSO_CREATE_USERS = env_bool("SSO_CREATE_USERS", True)  # first sign-in makes the account (just in time)
SSO_GROUPS_CLAIM = env("SSO_GROUPS_CLAIM", "groups")
SSO_GROUP_ROLES = env_list("SSO_GROUP_ROLES")  # "<group id>=coach,<group id>=qi_admin"
SSO_SIGN_ALGO = env("SSO_SIGN_ALGO", "RS256")
SSO_TIMEOUT = env_int("SSO_TIMEOUT", 10)
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
# mozilla-django-oidc: PKCE on; state and nonce are its defaults.
OIDC_RP_SCOPES = env("SSO_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id token is the hint for the provider's end-session page
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_TIMEOUT = SSO_TIMEOUT

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = not TESTING

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.min.js ships inside the plotly package: served from there, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/plotly", Path(importlib.util.find_spec("plotly").origin).resolve().parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest storage fails in tests with no collectstatic (STACK.md).
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: no inline script anywhere; chart data travels in
# json_script blocks and is drawn by static JS. Plotly and Bootstrap set
# inline styles, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The audit log (the audit app, on django-auditlog) keeps its entries in its own model.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# django-auditlog's migrations would still create its own, unused entry table (they do not mark it swappable),
# whose foreign key to the user table stops PostgreSQL from flushing it; its only model is swapped out, so the
# app needs no migrations at all.
MIGRATION_MODULES = {"auditlog": None}

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "QI Portal <qi-portal@localhost>")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# The cache holds short-lived trust-wide figures (ops.cache) and pieces of pages keyed by the object they
# show. Per process by default; set CACHE_URL (a Redis URL, on a database of its own: the tests clear it) to
# share it between web workers, the Celery worker and beat.
# With Redis down every read is a miss and every write is dropped (ops.redis_cache), so pages still serve.
CACHE_URL = env("CACHE_URL")
CACHES = {"default": {"BACKEND": "ops.redis_cache.RedisCache", "LOCATION": CACHE_URL,
                      "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}
          if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager in the web process by default; a real broker when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis down: sending a task gives up within about a second (not the ~21 s of Celery's defaults, most of it the
# result store's 20 reconnects) and ops.queue keeps the job in the database until the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0,
                                                            "interval_step": 0.2, "interval_max": 0.2}}
# The whole schedule, in one place (django-celery-beat copies it into the database).
CELERY_BEAT_SCHEDULE = {
    "nightly": {
        "task": "ops.tasks.nightly",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 60 * 60 * 6},
    },
    "notification-emails": {
        # Sends what is due at once; after a mail outage it picks up whatever the retries gave up on.
        "task": "notifications.tasks.send_due_emails",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 60 * 4},
    },
    "queue-send-held": {
        # Jobs kept in the database while the broker could not be reached (ops.queue), sent once it answers.
        "task": "ops.tasks.send_held",
        "schedule": 60,
        "options": {"expires": 50},
    },
    "notification-digest": {
        "task": "notifications.tasks.send_digest",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 60 * 60 * 6},
    },
    "assurance-overdue-actions": {
        "task": "assurance.tasks.tell_overdue_actions",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 60 * 60 * 6},
    },
    "forum-meeting-reminders": {
        "task": "forums.tasks.send_meeting_reminders",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 60 * 60 * 6},
    },
}

# How stale the nightly job may be before /health/ turns unhealthy.
NIGHTLY_STALE_HOURS = env_int("NIGHTLY_STALE_HOURS", 26)
# Uploads checked but not confirmed within this many days expire at night and their rows are dropped.
STAGED_IMPORT_DAYS = env_int("STAGED_IMPORT_DAYS", 7)
# A huddle's escalation still open after this many days goes on its directorate forum's agenda.
ASSURANCE_ESCALATION_DAYS = env_int("ASSURANCE_ESCALATION_DAYS", 7)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
