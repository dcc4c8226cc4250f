#!/usr/bin/env bash
# Runs the e2e suite (tests/e2e) in two passes: first everything not marked
# `serial` on AUTHD_E2E_WORKERS pytest-xdist workers (--dist loadfile: a
# module and its module-scoped servers stay on one worker), then the tests
# marked `serial` alone (the ones whose assertions rest on CPU time or
# wall-clock latency with the production argon2id cost, which parallel
# workers on a small machine would distort). The suite mostly waits on
# loopback I/O, so more workers than cores pays.
# Usage: scripts/e2e.sh [PYTEST-ARGS...]   (e.g. tests/e2e/test_postgres.py, -k cookie;
#        without a path under tests/, the whole tests/e2e)
# Env:   AUTHD_BIN (required by the suite), AUTHD_E2E_POSTGRES_URL, TMPDIR;
#        AUTHD_E2E_WORKERS  workers of the parallel pass (default 2 x nproc;
#                           1 = one plain serial run)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORKERS="${AUTHD_E2E_WORKERS:-$(( 2 * $(nproc) ))}"
has_path=0
for a in "$@"; do [[ "$a" == tests/* ]] && has_path=1; done
[ "$has_path" -eq 1 ] || set -- "$@" tests/e2e
cd "$ROOT"
PYTEST=(/usr/bin/python3 -m pytest -q -p no:cacheprovider)
if [ "$WORKERS" -le 1 ]; then
  exec "${PYTEST[@]}" "$@"
fi
# pytest exits 5 when a pass selects no test (e.g. a single file without
# serial tests): not a failure here.
pass() {
  local rc=0
  "${PYTEST[@]}" "$@" || rc=$?
  [ "$rc" -eq 5 ] && rc=0
  return "$rc"
}
echo "e2e: parallel pass ($WORKERS workers)"
pass -n "$WORKERS" --dist loadfile -m "not serial" "$@"
echo "e2e: serial pass"
pass -m serial "$@"
