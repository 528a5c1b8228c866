#!/usr/bin/env bash
# The web server and the task worker together (make demo). Ctrl+C stops both; if either stops,
# the other is stopped too.  Usage: scripts/serve_with_worker.sh BIN_DIR ADDRESS:PORT
set -u
BIN="${1:-.venv/bin}"
ADDR="${2:-127.0.0.1:8000}"

"$BIN/fabrique" worker --verbosity 1 &
WORKER=$!
"$BIN/fabrique" runserver "$ADDR" &
WEB=$!

stop() {
  trap - INT TERM
  kill -TERM "$WORKER" "$WEB" 2>/dev/null
  wait "$WORKER" "$WEB" 2>/dev/null
}
trap 'stop; exit 130' INT TERM
wait -n "$WORKER" "$WEB"
status=$?
stop
exit "$status"
