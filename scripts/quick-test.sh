#!/usr/bin/env bash
# The developer's fast check (about a minute on two cores, after a build):
# builds everything in BUILD_DIR (default ./build), runs every unit test
# (CTest; PostgreSQL ones skip without AUTHD_TEST_POSTGRES_URL) and a few
# end-to-end files against the real binary. The full run (PostgreSQL,
# browser, soak, sanitizers, fuzzing; about 30 minutes) is scripts/test.sh.
# Usage: scripts/quick-test.sh [BUILD_DIR] [E2E_FILE...]
# Default e2e files: the error catalogue, input validation and refresh
# rotation (the wire contract most changes can break).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"; shift || true
E2E=("$@")
[ ${#E2E[@]} -eq 0 ] && E2E=(tests/e2e/test_errors.py tests/e2e/test_validation_table.py
                             tests/e2e/test_refresh_rotation.py)
"$ROOT/scripts/build.sh" "$BUILD"
(cd "$BUILD" && ctest -j"$(nproc)" --output-on-failure)
cd "$ROOT"
AUTHD_BIN="$BUILD/authd" /usr/bin/python3 -m pytest -q -p no:cacheprovider "${E2E[@]}"
