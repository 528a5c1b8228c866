#!/usr/bin/env bash
# Follows the README's "Déployer sur PostgreSQL" section word for word, on this machine's PostgreSQL
# and Redis, and ends with pages served by gunicorn (scripts/deploy_smoke.py checks them).
#
# The README's commands block (between <!-- deploy:commands --> and the end of its code fence) is
# executed as written; the configuration file it reads is written here with the variables of the
# README's example file (same names, local values): a fresh database with two roles, the Redis
# cache, gunicorn on 127.0.0.1:$DEPLOY_CHECK_PORT, files under var/deploy-check/.
# With CI=true a missing PostgreSQL or Redis is a failure; elsewhere the check is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_ADMIN_URL=${DEPLOY_CHECK_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${DEPLOY_CHECK_REDIS_URL:-redis://127.0.0.1:6379/0}
PORT=${DEPLOY_CHECK_PORT:-8765}
DB=${DEPLOY_CHECK_DB:-fabrique_deploy_check}
WORK=$ROOT/var/deploy-check
PY=$ROOT/.venv/bin/python

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "ERROR: $1 (CI=true: this is a failure)." >&2
    exit 1
  fi
  echo "WARNING: $1: deployment check SKIPPED."
  exit 0
}
"$PY" - "$PG_ADMIN_URL" <<'PY' || skip_or_fail "PostgreSQL not reachable at $PG_ADMIN_URL"
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
"$PY" - "$REDIS" <<'PY' || skip_or_fail "Redis not reachable at $REDIS"
import socket, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
with socket.create_connection((url.hostname, url.port or 6379), timeout=3) as s:
    s.sendall(b"PING\r\n")
    assert s.recv(16).startswith(b"+PONG")
PY

# A fresh database and fresh roles at each run (the README's first installation).
"$PY" - "$PG_ADMIN_URL" "$DB" <<'PY'
import sys, psycopg
from psycopg import sql
admin_url, db = sys.argv[1:3]
with psycopg.connect(admin_url, autocommit=True) as admin:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    for role in (f"{db}_app", f"{db}_owner"):
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
PY
mkdir -p "$WORK"
rm -rf "$WORK/var"
SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')
cat > "$WORK/fabrique.env" <<ENV
FABRIQUE_VENV=$WORK/venv
FABRIQUE_VAR_DIR=$WORK/var
DJANGO_SETTINGS_MODULE=fabrique.settings.production
SECRET_KEY=$SECRET
DATABASE_URL=postgres://${DB}_app:app-$SECRET@127.0.0.1:5432/$DB
MIGRATION_DATABASE_URL=postgres://${DB}_owner:owner-$SECRET@127.0.0.1:5432/$DB
REDIS_URL=$REDIS
ALLOWED_HOSTS=127.0.0.1
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$PORT
FABRIQUE_SITE_URL=https://fabrique.example.org
FABRIQUE_BIND=127.0.0.1:$PORT
WEB_CONCURRENCY=2
FABRIQUE_DEPARTEMENTS=44
EMAIL_HOST=
EMAIL_HOST_USER=
EMAIL_HOST_PASSWORD=
DEFAULT_FROM_EMAIL="Fabrique <ne-pas-repondre@127.0.0.1>"
ENV
# the README's example configuration and this one define the same variables
"$PY" - README.md "$WORK/fabrique.env" <<'PY'
import re, sys
readme = open(sys.argv[1], encoding="utf-8").read()
block = readme.split("<!-- deploy:env -->", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
names = lambda text: {m for m in re.findall(r"^([A-Z_]+)=", text, re.M)}
documented, used = names(block), names(open(sys.argv[2], encoding="utf-8").read())
used.discard("WEB_CONCURRENCY")  # optional (documented in docs/operations.md); 2 workers on a CI machine
if documented != used:
    sys.exit(f"README example configuration and deploy check differ: {sorted(documented ^ used)}")
PY
"$PY" - README.md > "$WORK/commands.sh" <<'PY'
import sys
readme = open(sys.argv[1], encoding="utf-8").read()
print(readme.split("<!-- deploy:commands -->", 1)[1].split("```sh", 1)[1].split("```", 1)[0])
PY
echo "Deployment check: the README's commands, as written ($WORK/commands.sh):"
sed 's/^/    /' "$WORK/commands.sh"

LOG=$WORK/deploy.log
started=$(date +%s)
FABRIQUE_ENV=$WORK/fabrique.env PG_ADMIN_URL=$PG_ADMIN_URL setsid bash -euo pipefail "$WORK/commands.sh" >"$LOG" 2>&1 &
DEPLOY_PID=$!
stop() {
  kill -TERM -- "-$DEPLOY_PID" 2>/dev/null || true
  wait "$DEPLOY_PID" 2>/dev/null || true
}
trap stop EXIT
# wait until gunicorn listens (or the commands failed)
while ! grep -q "Listening at" "$LOG"; do
  if ! kill -0 "$DEPLOY_PID" 2>/dev/null; then
    echo "ERROR: the README's deployment commands failed:" >&2
    tail -40 "$LOG" >&2
    exit 1
  fi
  if [ $(( $(date +%s) - started )) -gt 900 ]; then
    echo "ERROR: gunicorn did not start within 15 minutes" >&2; tail -40 "$LOG" >&2; exit 1
  fi
  sleep 1
done
echo "README commands done in $(( $(date +%s) - started )) s; gunicorn listening on 127.0.0.1:$PORT"
if ! (set -a && . "$WORK/fabrique.env" && set +a && PG_ADMIN_URL=$PG_ADMIN_URL \
      "$WORK/venv/bin/python" scripts/deploy_smoke.py); then
  echo "--- deployment log (tail) ---" >&2
  tail -40 "$LOG" >&2
  exit 1
fi
if grep -q "Traceback" "$LOG"; then
  echo "ERROR: an exception was logged while serving:" >&2; grep -A20 "Traceback" "$LOG" | head -60 >&2; exit 1
fi
echo "deploy check passed in $(( $(date +%s) - started )) s"
