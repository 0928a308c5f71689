#!/usr/bin/env bash
# The browser tests (test/browser.test.ts) drive Debian's Chromium through
# playwright-core, never a browser Playwright downloads: install it when missing.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "Chromium (/usr/bin/chromium) is required for the browser tests: as root, run apt-get update && apt-get install -y chromium" >&2
    exit 1
  }
  sudo=sudo
fi
echo "Chromium is not installed; installing it"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y chromium
