#!/usr/bin/env bash
# Builds authd and the unit tests with AddressSanitizer +
# UndefinedBehaviorSanitizer (g++, -O1 -g, Debug so asserts stay on, -Werror
# but for gcc's -Wmaybe-uninitialized, see CMakeLists.txt) into build-asan,
# then runs every unit test (CTest) and the whole e2e suite (scripts/e2e.sh:
# parallel workers, then the serial tests) against build-asan/authd, and, when
# AUTHD_TEST_POSTGRES_URL names a server (scripts/test.sh sets it), the
# PostgreSQL unit tests and tests/e2e/test_postgres.py too. Any
# sanitizer report fails the script:
#  - ASan/LSan/UBSan abort the process on the first report (halt_on_error,
#    abort_on_error, -fno-sanitize-recover=undefined), so a unit test fails
#    and an e2e server exits non-zero, which conftest asserts against after
#    SIGTERM (exit code 0 expected);
#  - every report is also written to $BUILD/sanitizer-reports/<tool>.<pid>
#    (log_path), which catches processes whose exit code no test checks
#    (kill -9 tests, `authd --bad-flag` runs expected to fail, ...); the
#    script fails if that directory is not empty at the end.
# Usage: scripts/sanitize.sh [BUILD_DIR]     (default ./build-asan)
# Env:   SANITIZE_SKIP_BUILD=1  reuse an existing build
#        SANITIZE_PYTEST_ARGS   extra pytest arguments (e.g. "-k cookie")
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build-asan}"
JOBS="$(nproc)"
t_start=$SECONDS

"$ROOT/scripts/install-deps.sh"

if [ "${SANITIZE_SKIP_BUILD:-0}" != 1 ]; then
  echo "== configure + build ($BUILD: g++, ASan+UBSan, -O1 -g)"
  GEN=()
  command -v ninja >/dev/null && GEN=(-G Ninja)
  # Re-run configure every time (cheap) so a stale cache cannot drop a flag.
  CC="${CC:-gcc}" CXX="${CXX:-g++}" cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DAUTHD_SANITIZE=ON -DAUTHD_BUILD_TESTS=ON -DAUTHD_FUZZ=OFF -DAUTHD_WERROR=ON >/dev/null
  # What this script runs: authd and the unit tests (the benchmarks are
  # built, not run, by the release build).
  cmake --build "$BUILD" -j"$JOBS" --target authd authd_tests
fi
t_built=$SECONDS

REPORTS="$BUILD/sanitizer-reports"
E2E_TMP="$BUILD/e2e-tmp"
rm -rf "$REPORTS" "$E2E_TMP"
mkdir -p "$REPORTS" "$E2E_TMP"

# abort_on_error: die by SIGABRT (never a plain exit code a test might
# expect); detect_leaks: LSan at exit, so a SIGTERM'd server with a leak
# fails conftest's exit-code check too.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1:\
detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:\
strict_string_checks=1:disable_coredump=1:\
log_path=$REPORTS/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:\
report_error_type=1:log_path=$REPORTS/ubsan"
export LSAN_OPTIONS="print_suppressions=0"

status=0
echo "== unit tests (ctest)"
if ! (cd "$BUILD" && ctest --output-on-failure -j"$JOBS" --timeout 300); then
  echo "sanitize: unit tests FAILED" >&2
  status=1
fi
t_unit=$SECONDS

echo "== end-to-end tests against $BUILD/authd"
# TMPDIR: conftest writes each server's combined stdout/stderr log there;
# AUTHD_E2E_KEEP_LOGS keeps them so they can be scanned afterwards.
# shellcheck disable=SC2086
if ! (cd "$ROOT" && TMPDIR="$E2E_TMP" AUTHD_E2E_KEEP_LOGS=1 AUTHD_BIN="$BUILD/authd" \
      "$ROOT/scripts/e2e.sh" tests/e2e ${SANITIZE_PYTEST_ARGS:-}); then
  echo "sanitize: e2e tests FAILED" >&2
  status=1
fi
if [ -n "${AUTHD_TEST_POSTGRES_URL:-}" ]; then
  echo "== end-to-end tests on PostgreSQL (test_postgres.py) against $BUILD/authd"
  if ! (cd "$ROOT" && TMPDIR="$E2E_TMP" AUTHD_E2E_KEEP_LOGS=1 AUTHD_BIN="$BUILD/authd" \
        AUTHD_E2E_POSTGRES_URL="$AUTHD_TEST_POSTGRES_URL" \
        "$ROOT/scripts/e2e.sh" tests/e2e/test_postgres.py); then
    echo "sanitize: e2e tests on PostgreSQL FAILED" >&2
    status=1
  fi
fi
t_e2e=$SECONDS

# Every report, wherever it went.
SIG='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer'
if compgen -G "$REPORTS/*" >/dev/null; then
  echo "sanitize: sanitizer reports:" >&2
  for f in "$REPORTS"/*; do echo "---- $f" >&2; cat "$f" >&2; done
  status=1
fi
if grep -lE "$SIG" "$E2E_TMP"/authd-e2e-*.log 2>/dev/null; then
  echo "sanitize: sanitizer output in the e2e server logs above" >&2
  status=1
fi

echo "sanitize: build $((t_built - t_start))s, unit $((t_unit - t_built))s," \
     "e2e $((t_e2e - t_unit))s, total $((SECONDS - t_start))s"
if [ "$status" -ne 0 ]; then
  echo "sanitize: FAILED" >&2
  exit 1
fi
rm -rf "$E2E_TMP"
echo "sanitize: OK (no sanitizer reports)"
