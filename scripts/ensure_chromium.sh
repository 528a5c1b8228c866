#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (as root).
# With CI=true a missing browser is a failure; elsewhere we say so and go on.
set -u
CHROMIUM=${1:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/fabrique-chromium-install.log 2>&1
fi
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: Chromium not found at $CHROMIUM and could not be installed (see /tmp/fabrique-chromium-install.log)." >&2
  exit 1
fi
echo "WARNING: Chromium not found at $CHROMIUM: the browser tests will be skipped. Install it with 'apt-get install chromium'."
