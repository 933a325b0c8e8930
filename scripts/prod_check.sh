#!/usr/bin/env bash
# Start the production layout (`make prod`: gunicorn with DEBUG=0 and whitenoise, a Celery worker and beat,
# PostgreSQL, Redis) in a fresh database, and check it as a person would: /health/ is 200, a person signs in,
# a page loads with its static files, the nightly job runs through the worker. Then stop it all.
# Called by .ci/run; by hand: scripts/prod_check.sh (needs the local PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
REDIS_DB=${PROD_CHECK_REDIS_DB:-8}
PORT=${PROD_CHECK_PORT:-18480}
DB="qiportal_prodcheck_$$"
LOG=${PROD_CHECK_LOG:-/tmp/qiportal-prod-check-$$.log}

export DEBUG=0 DEMO_MODE=0 PORT
export SECRET_KEY; SECRET_KEY=$($PY -c "import secrets; print(secrets.token_urlsafe(60))")
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB" CACHE_URL="redis://127.0.0.1:6379/$REDIS_DB"
export ENV_FILE=/dev/null  # everything comes from here, not from a developer's .env
export PROD_CHECK_USER=prodcheck PROD_CHECK_PASSWORD; PROD_CHECK_PASSWORD=$($PY -c "import secrets; print(secrets.token_urlsafe(16))")

redis-cli -n "$REDIS_DB" ping >/dev/null
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
stop() {
  if [ -n "${PROD_PID:-}" ] && kill -0 "$PROD_PID" 2>/dev/null; then
    # The whole process group make prod started (setsid): honcho, gunicorn, the worker and beat.
    kill -TERM -- "-$PROD_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$PROD_PID" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$PROD_PID" 2>/dev/null || true
  fi
  dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$DB" || true
}
trap stop EXIT

make --no-print-directory venv >/dev/null
echo "prod check: starting make prod on port $PORT (database $DB, Redis DB $REDIS_DB; log $LOG)"
setsid make --no-print-directory prod > "$LOG" 2>&1 &
PROD_PID=$!

# The person who signs in: a QI admin made as an install's first admin would be.
up=""
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/" -H "X-Forwarded-Proto: https" 2>/dev/null && { up=1; break; }
  kill -0 "$PROD_PID" 2>/dev/null || { echo "make prod stopped:"; tail -40 "$LOG"; exit 1; }
  sleep 1
done
[ -n "$up" ] || { echo "FAIL gunicorn did not answer within 300 s:"; tail -40 "$LOG"; exit 1; }
DJANGO_SUPERUSER_PASSWORD=$PROD_CHECK_PASSWORD $PY manage.py createsuperuser --noinput \
  --username "$PROD_CHECK_USER" --email prodcheck@example.org >/dev/null

$PY - <<'PYEOF'
"""The checks a person would make, through gunicorn as the reverse proxy in front would send them (https)."""
import http.client
import os
import re
import sys
import time
import urllib.parse

PORT = int(os.environ["PORT"])
ORIGIN = f"https://127.0.0.1:{PORT}"
cookies: dict[str, str] = {}


def request(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    h = {"Host": f"127.0.0.1:{PORT}", "X-Forwarded-Proto": "https", **(headers or {})}
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, path, body=body, headers=h)
    response = conn.getresponse()
    data = response.read()
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return response, data


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


response, body = request("GET", "/health/")
check(response.status == 200, f"/health/ is 200 ({body.decode()[:160]})")

response, body = request("GET", "/login/")
check(response.status == 200, "the sign-in page loads")
token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": os.environ["PROD_CHECK_USER"],
                               "password": os.environ["PROD_CHECK_PASSWORD"]})
response, _ = request("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                "Origin": ORIGIN, "Referer": f"{ORIGIN}/login/"})
check(response.status == 302 and "sessionid" in cookies, "a person signs in (302, session cookie)")

response, body = request("GET", "/projects/")
check(response.status == 200 and b"Projects" in body, "a signed-in page loads (/projects/)")
assets = sorted(set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', body)))
check(len(assets) >= 2, f"the page names its static files ({len(assets)})")
for asset in assets:
    r, data = request("GET", asset.decode())
    hashed = re.search(rb"\.[0-9a-f]{12}\.", asset) is not None
    check(r.status == 200 and len(data) > 0 and hashed and "max-age" in (r.getheader("Cache-Control") or ""),
          f"{asset.decode()} 200 from whitenoise, hashed name, cached")

response, body = request("GET", "/audit/")
check(response.status == 200, "the audit log page loads")

PYEOF

echo "prod check: the nightly job through the worker"
$PY manage.py shell -c "
from ops.models import JobRun, JobStatus
from ops.tasks import nightly
run_id = nightly.delay().get(timeout=300)
run = JobRun.objects.get(pk=run_id)
assert run.status == JobStatus.SUCCEEDED, run.status
print('ok   nightly job', run_id, 'ran on the worker:', run.status)
"
curl -fsS "http://127.0.0.1:$PORT/health/" -H "X-Forwarded-Proto: https" | grep -q '"last_success": "' \
  && echo "ok   /health/ now reports the nightly job's success"
grep -q "celery@.* ready" "$LOG" && echo "ok   the worker was up" || { echo "FAIL no worker in the log"; exit 1; }
grep -qi "beat: Starting" "$LOG" && echo "ok   beat was up" || { echo "FAIL no beat in the log"; exit 1; }
echo "prod check: passed; stopping"
