#!/usr/bin/env bash
# Runs every test: installs the Debian packages, builds authd (release),
# runs the unit tests (GoogleTest via CTest) and the end-to-end tests
# (pytest against the real authd binary on loopback), a bounded soak, the
# same unit + e2e suites under ASan/UBSan, and bounded libFuzzer runs.
# Fails on any failure. Takes about 15 minutes on 2 cores (plus package installs).
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

echo "== unit + e2e under AddressSanitizer/UBSan"
"$ROOT/scripts/sanitize.sh"

echo "== fuzzing (libFuzzer, clang-16, bounded)"
"$ROOT/scripts/fuzz.sh" "${AUTHD_FUZZ_SECONDS:-60}"

echo "== all tests passed"
