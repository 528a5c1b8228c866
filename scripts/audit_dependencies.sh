#!/usr/bin/env bash
# Known vulnerabilities of the pinned dependencies (constraints.txt), with pip-audit (PyPI advisory data).
# Fails on a known vulnerability, and also — clearly — when the advisory data cannot be read: pip-audit
# without --strict reports "no known vulnerabilities" while it skipped every package it could not look
# up, which would be a silent pass.
set -u
SERVICE=${PIP_AUDIT_SERVICE:-pypi}
# `--if-reachable` (what `make test` uses): when the advisory data cannot be reached at all (a machine
# whose network reaches the package index but not PyPI's JSON API or OSV), say so loudly and do not
# fail — nothing was audited, and the message says it. Anywhere the data is reachable the audit runs
# and fails on a known vulnerability. `make audit` (no flag) always fails when it cannot audit.
if [ "${1:-}" = "--if-reachable" ]; then
  if [ "$SERVICE" = "osv" ]; then probe=https://api.osv.dev/v1/vulns/PYSEC-2021-9; else probe=https://pypi.org/pypi/pip/24.0/json; fi  # the per-version JSON pip-audit reads
  code=$(.venv/bin/python - "$probe" <<'PY'
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=20).status)
except urllib.error.HTTPError as exc:
    print(exc.code)
except Exception:
    print(0)
PY
)
  if [ "$code" != "200" ]; then
    echo "############################################################################################" >&2
    echo "# DEPENDENCY AUDIT NOT RUN: the advisory data of '$SERVICE' is unreachable from this machine" >&2
    echo "# ($probe answered $code). Nothing was audited; run 'make audit' where it is reachable." >&2
    echo "############################################################################################" >&2
    exit 0
  fi
fi
echo "Auditing constraints.txt with pip-audit (service: $SERVICE)..."
.venv/bin/pip-audit -r constraints.txt --no-deps --disable-pip --strict --vulnerability-service "$SERVICE" \
  --progress-spinner off 2> >(grep -v "encouraged to fully hash\|pip-compile" >&2)
status=$?
if [ $status -ne 0 ]; then
  echo "ERROR: pip-audit failed (exit $status): a known vulnerability above, or the advisory data of" \
       "$SERVICE could not be read for every package (see the messages above)." >&2
fi
exit $status
