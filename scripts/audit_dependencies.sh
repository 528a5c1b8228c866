#!/usr/bin/env bash
# Known vulnerabilities of the pinned dependencies (constraints.txt), with pip-audit (PyPI advisory data).
# Fails on a known vulnerability, and also — clearly — when the advisory data cannot be read: pip-audit
# without --strict reports "no known vulnerabilities" while it skipped every package it could not look
# up, which would be a silent pass.
set -u
SERVICE=${PIP_AUDIT_SERVICE:-pypi}
echo "Auditing constraints.txt with pip-audit (service: $SERVICE)..."
.venv/bin/pip-audit -r constraints.txt --no-deps --disable-pip --strict --vulnerability-service "$SERVICE" \
  --progress-spinner off 2> >(grep -v "encouraged to fully hash\|pip-compile" >&2)
status=$?
if [ $status -ne 0 ]; then
  echo "ERROR: pip-audit failed (exit $status): a known vulnerability above, or the advisory data of" \
       "$SERVICE could not be read for every package (see the messages above)." >&2
fi
exit $status
