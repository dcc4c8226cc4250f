#!/usr/bin/env bash
# Browser tests: headless Chromium runs a page on the official client SDK
# (tests/browser) against build/authd. scripts/install-deps.sh installs the
# SDK with `npm ci` from tests/browser/package-lock.json; the tests
# themselves use loopback only. Needs chromium, chromium-driver, python3-selenium and npm
# (scripts/install-deps.sh). Usage: scripts/browser-test.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
"$ROOT/scripts/install-deps.sh"  # packages and the SDK (npm ci), if missing
cd "$ROOT"
AUTHD_BIN="$BUILD/authd" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/browser
