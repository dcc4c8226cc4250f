#!/usr/bin/env bash
# Runs every test: installs the Debian packages, builds authd (release),
# runs the unit tests (GoogleTest via CTest) and the end-to-end tests
# (pytest against the real authd binary on loopback). Fails on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" "$ROOT/build"

echo "== layer rule"
"$ROOT/scripts/check-deps.sh"

echo "== unit tests"
(cd "$ROOT/build" && ctest --output-on-failure -j"$(nproc)")

echo "== end-to-end tests"
cd "$ROOT"
AUTHD_BIN="$ROOT/build/authd" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e

echo "== soak (bounded)"
"$ROOT/scripts/soak.sh" "${AUTHD_SOAK_SECONDS:-120}"
