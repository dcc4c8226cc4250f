#!/usr/bin/env bash
# Runs every test: installs the Debian packages, builds authd (release,
# -Werror), checks the formatting (clang-format) and lints (clang-tidy),
# starts a throw-away PostgreSQL cluster (scripts/pg-cluster.sh, in a temp
# dir, destroyed on exit), runs the unit tests (GoogleTest via CTest; the
# store contract suite also on that cluster: AUTHD_TEST_POSTGRES_URL, with
# AUTHD_REQUIRE_POSTGRES=1 so it fails rather than skips), the end-to-end
# tests (pytest against the real authd binary on loopback) on SQLite, the
# same e2e suite again with authd on PostgreSQL, where test_postgres.py
# (two instances, database restart) also runs (AUTHD_E2E_POSTGRES_URL: a
# schema per server; tests that read the SQLite file skip), the browser tests
# (scripts/browser-test.sh: headless Chromium, the official client SDK from another
# origin), a bounded soak, the same
# unit + e2e suites under ASan/UBSan (the PostgreSQL unit tests and
# test_postgres.py included), and bounded libFuzzer runs.
# The e2e suites run on pytest-xdist workers, then their `serial` tests alone
# (scripts/e2e.sh); fuzzing is bounded to 30 s per target (AUTHD_FUZZ_SECONDS).
# Prints each stage's duration and, at the end (also on a failure), a table
# of every stage's time. Fails on any failure. Takes about 30 minutes on 2
# cores (plus package installs): the last clean-clone run took 35 (release
# build 4, format and lint 3, e2e SQLite 2.3, browser 0.3, e2e PostgreSQL
# 2.5, soak 2, sanitizers 12.5, fuzzing 7.5); parallel e2e workers halve the
# three e2e runs and fuzzing at 30 s per target saves 2 minutes (estimated
# from per-stage runs, not yet timed as one clean-clone run).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# stage NAME CMD...: runs CMD as one named stage and prints its duration;
# the EXIT trap prints every finished stage's time again as one table.
STAGES=()
CURRENT=""; CURRENT_T0=0
stage() {
  local name="$1"; shift
  echo "== $name"
  CURRENT="$name"; CURRENT_T0=$SECONDS
  "$@"
  echo "== $name: $((SECONDS - CURRENT_T0)) s"
  STAGES+=("$(printf '%6d s  %s' "$((SECONDS - CURRENT_T0))" "$name")")
  CURRENT=""
}
summary() {
  echo "== stage times"
  printf '%s\n' "${STAGES[@]}"
  printf '%6d s  total\n' "$SECONDS"
}
PG_DIR=""
on_exit() {
  local rc=$?
  [ -n "$PG_DIR" ] && { "$ROOT/scripts/pg-cluster.sh" destroy "$PG_DIR" || true; }
  if [ "$rc" -ne 0 ] && [ -n "$CURRENT" ]; then
    STAGES+=("$(printf '%6d s  %s (FAILED)' "$((SECONDS - CURRENT_T0))" "$CURRENT")")
  fi
  summary
  [ "$rc" -eq 0 ] || echo "== FAILED (exit code $rc)" >&2
}
trap on_exit EXIT

stage "install packages" "$ROOT/scripts/install-deps.sh"
stage "build (release)" "$ROOT/scripts/build.sh" "$ROOT/build" -DAUTHD_WERROR=ON
format_and_lint() {
  "$ROOT/scripts/check-format.sh"
  "$ROOT/scripts/lint.sh" "$ROOT/build"
}
stage "format and lint" format_and_lint
stage "layer rule" "$ROOT/scripts/check-deps.sh"

echo "== PostgreSQL test cluster"
PG_DIR="$(mktemp -d -t authd-pg.XXXXXX)"
PG_URL="$("$ROOT/scripts/pg-cluster.sh" start "$PG_DIR")"
echo "PostgreSQL at $PG_URL (cluster in $PG_DIR)"

unit_tests() {
  (cd "$ROOT/build" && AUTHD_TEST_POSTGRES_URL="$PG_URL" AUTHD_REQUIRE_POSTGRES=1 \
    ctest --output-on-failure -j"$(nproc)")
}
e2e_sqlite() {
  AUTHD_BIN="$ROOT/build/authd" "$ROOT/scripts/e2e.sh" tests/e2e
}
e2e_postgres() {
  AUTHD_E2E_POSTGRES_URL="$PG_URL" AUTHD_BIN="$ROOT/build/authd" "$ROOT/scripts/e2e.sh" tests/e2e
}
sanitized() {
  AUTHD_TEST_POSTGRES_URL="$PG_URL" AUTHD_REQUIRE_POSTGRES=1 "$ROOT/scripts/sanitize.sh"
}

cd "$ROOT"
stage "unit tests" unit_tests
stage "end-to-end tests (SQLite)" e2e_sqlite
stage "browser tests (headless Chromium, official client SDK, CORS + cookie mode)" \
  "$ROOT/scripts/browser-test.sh" "$ROOT/build"
stage "end-to-end tests (PostgreSQL: the whole suite again, plus test_postgres.py)" e2e_postgres
stage "soak (bounded)" "$ROOT/scripts/soak.sh" "${AUTHD_SOAK_SECONDS:-120}"
stage "unit + e2e under AddressSanitizer/UBSan" sanitized
stage "fuzzing (libFuzzer, clang-16, bounded)" "$ROOT/scripts/fuzz.sh" "${AUTHD_FUZZ_SECONDS:-30}"

echo "== all tests passed in $SECONDS s"
