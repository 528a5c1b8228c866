# Sourced by the scripts that run two CI steps at the same time (scripts/run_db_suites.sh,
# scripts/run_deploy_and_browser.sh): waits for both, prints each log under its name, one after the other,
# and fails when either failed.
#   report_both "name 1" PID1 LOG1 "name 2" PID2 LOG2
report_both() {
  local rc1 rc2
  wait "$2"; rc1=$?
  wait "$5"; rc2=$?
  echo "=== $1 (exit $rc1) ==="
  cat "$3"
  echo "=== $4 (exit $rc2) ==="
  cat "$6"
  if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
    echo "ERROR: $1 exited $rc1, $4 $rc2" >&2
    return 1
  fi
}
