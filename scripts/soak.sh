#!/usr/bin/env bash
# Bounded soak of one authd process: moderate load (login / me / refresh /
# logout loops, signups) for SECONDS (default 120), sampling RSS and open fds;
# fails on any unexpected answer, fd growth or RSS growth. See tests/soak/test_soak.py.
# Usage: scripts/soak.sh [SECONDS]     (AUTHD_BIN overrides the binary, default build/authd)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_ARG="${1:-120}"
case "$SECONDS_ARG" in
  ''|*[!0-9.]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
cd "$ROOT"
export AUTHD_SOAK_SECONDS="$SECONDS_ARG"
export AUTHD_BIN="${AUTHD_BIN:-$ROOT/build/authd}"
exec /usr/bin/python3 -m pytest -s -q tests/soak
