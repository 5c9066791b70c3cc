#!/usr/bin/env bash
# Install Debian's Chromium and ChromeDriver for the browser tests, when missing and when we can.
# Without them the browser tests skip (and say why).
set -uo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "chromium not installed and cannot install it here (needs root and apt-get): browser tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
(apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null) \
    || echo "installing chromium failed: browser tests will skip" >&2
exit 0
