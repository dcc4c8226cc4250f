#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running authd:
# installs the Debian packages it needs, builds the authd binary alone in
# release mode (not the tests and benchmarks: scripts/test.sh builds those) and starts
# authd on the embedded SQLite default (data in ./data, port 3000).
# Extra arguments are passed to authd, e.g. scripts/run.sh --port 8080.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" "$ROOT/build" authd
cd "$ROOT"
exec "$ROOT/build/authd" "$@"
