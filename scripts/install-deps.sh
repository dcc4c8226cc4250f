#!/usr/bin/env bash
# Installs the Debian 12 packages authd needs to build, run and test. Idempotent.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
# postgresql (server + psql) is only for the tests: scripts/pg-cluster.sh runs
# throw-away clusters from its binaries; the system cluster is not used.
# chromium, chromium-driver, python3-selenium and npm are only for the browser
# tests (scripts/browser-test.sh). clang-format-16 and clang-tidy-16 are for
# the style checks (scripts/check-format.sh, scripts/lint.sh).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libargon2-dev libsqlite3-dev libpq-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev
  libqrencode-dev zlib1g-dev
  python3 python3-pytest python3-pytest-xdist python3-aiosmtpd curl
  chromium chromium-driver python3-selenium
  postgresql
  clang-format-16 clang-tidy-16
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (browser tests: tests/browser/package-lock.json); any Node.js that
# brings npm will do, Debian's only if there is none.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The official client SDK for the browser tests, exactly as locked; the
# tests themselves then need no network beyond loopback.
BROWSER="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ ! -f "$BROWSER/node_modules/.package-lock.json" ] ||
   [ "$BROWSER/package-lock.json" -nt "$BROWSER/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in tests/browser" >&2
  (cd "$BROWSER" && npm ci --no-audit --no-fund --loglevel=error)
fi
