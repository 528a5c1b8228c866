#!/usr/bin/env bash
# Runs the suite on PostgreSQL (pytest-django creates and drops a throw-away test_* database).
# With CI=true a missing server is a failure; elsewhere the suite is skipped with a message.
set -u
URL=${1:-postgres://postgres@127.0.0.1:5432/fabrique_ci}
if ! .venv/bin/python - "$URL" <<'PY'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  if [ "${CI:-}" = "true" ]; then
    echo "ERROR: PostgreSQL is not reachable at $URL (CI=true: this is a failure)." >&2
    exit 1
  fi
  echo "WARNING: PostgreSQL not reachable at $URL: PostgreSQL suite SKIPPED."
  exit 0
fi
echo "Running the suite on PostgreSQL ($URL)..."
# the Schemathesis run of the API schema (tests/api/test_schemathesis.py) runs once, in the SQLite step:
# it judges the schema and the answers, not the database, and a second run would cost the CI budget
DATABASE_URL="$URL" exec .venv/bin/pytest -m "not browser" -q --create-db --ignore=tests/api/test_schemathesis.py
