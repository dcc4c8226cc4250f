#!/usr/bin/env bash
# authd on its embedded SQLite vs authd on PostgreSQL, same binary and
# flags, same machine: GET /auth/me and /auth/verify-session with wrk
# (-t2 -c64, DURATION each). The PostgreSQL server is a throw-away cluster
# (scripts/pg-cluster.sh) with fsync and full_page_writes turned back on,
# on the same cores as authd and wrk. Run by hand; prints one line per run.
# The third run turns on the LISTEN/NOTIFY-gated read cache
# (storage.postgres_read_cache_entries, docs/deployment.md).
#
#   bench/postgres.sh            # uses build/authd (scripts/build.sh first)
#   DURATION=10s bench/postgres.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AUTHD="${AUTHD:-$ROOT/build/authd}"
DURATION="${DURATION:-8s}"
PORT="${PORT:-18700}"
CLUSTER="$(mktemp -d -t authd-bench-pg.XXXXXX)"
trap '"$ROOT/scripts/pg-cluster.sh" destroy "$CLUSTER" >/dev/null 2>&1 || true' EXIT
URL="$("$ROOT/scripts/pg-cluster.sh" start "$CLUSTER")"
psql "$URL" -qc "ALTER SYSTEM SET fsync = on"
psql "$URL" -qc "ALTER SYSTEM SET full_page_writes = on"
"$ROOT/scripts/pg-cluster.sh" restart "$CLUSTER" >/dev/null
SECRETS=(--session-jwt-secret "bench-secret-0123456789abcdef0123456789"
         --mfa-encryption-key "bench-mfa-key-0123456789abcdef0123456789")

run() {  # label, extra authd flags...
  local label=$1; shift
  local dir; dir="$(mktemp -d)"
  "$AUTHD" --port "$PORT" --data-dir "$dir" \
    --rate-limit-enabled false --lockout-enabled false "${SECRETS[@]}" "$@" >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "localhost:$PORT/auth/client-config" >/dev/null && break; sleep 0.1; done
  local token
  token="$(curl -s "localhost:$PORT/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$label@example.com\",\"password\":\"Str0ng!Passw0rd\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
  for route in me verify-session; do
    printf '%-9s GET /auth/%-15s ' "$label" "$route"
    wrk -t2 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$PORT/auth/$route" |
      awk '/Requests\/sec/{r=$2} / 99%/{p=$2} /Non-2xx/{e=$NF} END{printf "%10s req/s  p99 %s  non-2xx %s\n", r, p, e+0}'
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

run sqlite
run postgres --storage-database-url "$URL"
run pg+cache --storage-database-url "$URL" --storage-postgres-read-cache-entries 10000
