#!/usr/bin/env bash
# The suite on SQLite and on PostgreSQL at the same time: each pytest process uses one core, and CI has
# two (sequentially the two runs took 8.5 + 9.8 minutes of the 20-minute budget). Each run has its own
# private-media folder and its own log; the logs are printed one after the other, and the step fails
# when either run fails.
set -u
. "$(dirname "$0")/lib/side_by_side.sh"
PG_URL=${1:-postgres://postgres@127.0.0.1:5432/fabrique_ci}
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
FABRIQUE_TEST_PRIVATE_MEDIA_ROOT="$PWD/var/test-private-media-sqlite" \
  .venv/bin/pytest -m "not browser" -q >"$LOGS/sqlite.log" 2>&1 &
SQLITE=$!
FABRIQUE_TEST_PRIVATE_MEDIA_ROOT="$PWD/var/test-private-media-postgres" \
  scripts/run_postgres_tests.sh "$PG_URL" >"$LOGS/postgres.log" 2>&1 &
POSTGRES=$!
report_both "the suite on SQLite" "$SQLITE" "$LOGS/sqlite.log" \
  "the suite on PostgreSQL" "$POSTGRES" "$LOGS/postgres.log"
