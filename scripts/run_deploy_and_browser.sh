#!/usr/bin/env bash
# The deployment check and the browser suite at the same time. The browser suite keeps about one of CI's
# two cores busy (Chromium waits on the live server and the other way round) and the deployment check is
# mostly installing, migrating and waiting on gunicorn, so side by side they take the time of the longer
# (one after the other they took 101 s + 349 s, up to 159 s + 390 s on a slower machine, of the 20-minute
# budget). The check has its own PostgreSQL database, roles, port (8765) and var/ folder; the browser
# suite runs on SQLite with a live server on a free port. What they share is the project's node_modules
# and vendored files, which the README's first command reinstalls (`npm ci`, then vendor_assets.py): the
# browser suite starts once that command is done (axe-core is read from node_modules, the pages load the
# vendored files). Each has its own log, printed one after the other; the step fails when either fails.
set -u
. "$(dirname "$0")/lib/side_by_side.sh"
CHROMIUM=${1:-/usr/bin/chromium}
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
# the check's own log of the README's commands (deploy_check.sh starts it afresh; an old one is removed
# so that its "vendored" line is not taken for this run's)
README_LOG=var/deploy-check/deploy.log
rm -f "$README_LOG"
scripts/deploy_check.sh >"$LOGS/deploy.log" 2>&1 &
DEPLOY=$!
waited=0
while ! grep -qs "^vendored " "$README_LOG" && kill -0 $DEPLOY 2>/dev/null && [ $waited -lt 600 ]; do
  sleep 1; waited=$((waited + 1))
done
scripts/run_browser_tests.sh "$CHROMIUM" >"$LOGS/browser.log" 2>&1 &
BROWSER=$!
report_both "the deployment check" "$DEPLOY" "$LOGS/deploy.log" \
  "the browser suite" "$BROWSER" "$LOGS/browser.log"
