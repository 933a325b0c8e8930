#!/usr/bin/env bash
# `make prod`: the production layout on this machine, without Docker. gunicorn (DEBUG=0, static files
# by whitenoise), a Celery worker and beat, under honcho (Procfile), on PostgreSQL and Redis.
# Configured by the environment, or by the file named by ENV_FILE (default .env; see .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=${ENV_FILE:-.env}
PORT=${PORT:-8000}
honcho=(.venv/bin/honcho -e "$ENV_FILE")

"${honcho[@]}" run bash -c '
  : "${DATABASE_URL:?set DATABASE_URL (postgres://...): production runs on PostgreSQL}"
  : "${REDIS_URL:?set REDIS_URL (redis://...): the Celery broker}"
  [ "${DEBUG:-}" = "0" ] || { echo "DEBUG must be 0 for the production layout" >&2; exit 1; }'
"${honcho[@]}" run .venv/bin/python manage.py check --deploy --fail-level WARNING
"${honcho[@]}" run .venv/bin/python manage.py migrate --noinput -v0
"${honcho[@]}" run .venv/bin/python manage.py collectstatic --noinput -v0
# exec: honcho receives the stop signal and stops every process it started.
exec "${honcho[@]}" start -p "$PORT"
