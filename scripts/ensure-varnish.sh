#!/usr/bin/env bash
# The Varnish services test (test/edge-varnish.services.test.ts) and the edge
# benchmark run the generated VCL in Debian's Varnish (7.1 on bookworm):
# install it when varnishd is missing. Only the binary is used; the system
# service the package enables is left as the package sets it up.
set -euo pipefail
command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "Varnish (varnishd) is required for the edge's Varnish tests: as root, run apt-get update && apt-get install -y varnish" >&2
    exit 1
  }
  sudo=sudo
fi
echo "Varnish is not installed; installing it"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y varnish
