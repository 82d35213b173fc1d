#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright; Playwright never downloads a
# browser of its own. Install it when it is missing and this machine can (Debian, as root).
set -euo pipefail
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium is not at $CHROMIUM_PATH and cannot be installed here: the browser tests will be skipped."
echo "Install Chromium (e.g. 'sudo apt-get install chromium') or set CHROMIUM_PATH."
