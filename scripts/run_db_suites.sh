#!/usr/bin/env bash
# The suite on SQLite and on PostgreSQL at the same time: each pytest process uses one core, and CI has
# two (sequentially the two runs took 8.5 + 9.8 minutes of the 20-minute budget). Each run has its own
# private-media folder and its own log; the logs are printed one after the other, and the step fails
# when either run fails.
set -u
PG_URL=${1:-postgres://postgres@127.0.0.1:5432/fabrique_ci}
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
FABRIQUE_TEST_PRIVATE_MEDIA_ROOT="$PWD/var/test-private-media-sqlite" \
  .venv/bin/pytest -m "not browser" -q >"$LOGS/sqlite.log" 2>&1 &
SQLITE=$!
FABRIQUE_TEST_PRIVATE_MEDIA_ROOT="$PWD/var/test-private-media-postgres" \
  scripts/run_postgres_tests.sh "$PG_URL" >"$LOGS/postgres.log" 2>&1 &
POSTGRES=$!
wait $SQLITE; SQLITE_RC=$?
wait $POSTGRES; POSTGRES_RC=$?
echo "=== the suite on SQLite (exit $SQLITE_RC) ==="
cat "$LOGS/sqlite.log"
echo "=== the suite on PostgreSQL (exit $POSTGRES_RC) ==="
cat "$LOGS/postgres.log"
if [ "$SQLITE_RC" -ne 0 ] || [ "$POSTGRES_RC" -ne 0 ]; then
  echo "ERROR: the SQLite suite exited $SQLITE_RC, the PostgreSQL suite $POSTGRES_RC" >&2
  exit 1
fi
