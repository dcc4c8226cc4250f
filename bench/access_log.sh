#!/usr/bin/env bash
# What the access log costs: GET /auth/me at c64 (wrk -t2, 2 s warm-up, then
# DURATION) against one authd at the default log level (info: one access
# line per request) and one at warn (no access lines), ROUNDS times,
# alternating. Each run: a fresh data dir, rate limits and lockout off,
# cheap argon2 (only the one signup hashes), stderr to a file. Prints
# req/s, authd CPU ms per request (utime+stime from /proc/PID/stat over the
# measured run ÷ requests) and the log's line count.
#
#   bench/access_log.sh                    # build/authd, 3 rounds of 6 s
#   AUTHD=/path/authd ROUNDS=5 DURATION=10s bench/access_log.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AUTHD="${AUTHD:-$ROOT/build/authd}"
ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-6s}"; PORT="${PORT:-18802}"
CLK=$(getconf CLK_TCK)
for t in wrk curl jq bc; do command -v "$t" >/dev/null || { echo "access_log: $t is required" >&2; exit 2; }; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # $1 = log level
  local dir pid tok out req rps a b
  dir="$(mktemp -d)"
  "$AUTHD" --port "$PORT" --data-dir "$dir/data" --log-level "$1" \
    --rate-limit-enabled false --lockout-enabled false \
    --password-argon2-memory-kib 1024 --password-argon2-time-cost 1 \
    --password-argon2-parallelism 1 >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "localhost:$PORT/auth/client-config" >/dev/null && break; sleep 0.05; done
  tok=$(curl -s "localhost:$PORT/auth/signup" -H 'Content-Type: application/json' \
    -d '{"email":"log-bench@example.com","password":"Str0ng!Passw0rd"}' | jq -r .accessToken)
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$tok" >"$dir/me.lua"
  wrk -t2 -c64 -d2s -s "$dir/me.lua" "http://127.0.0.1:$PORT/auth/me" >/dev/null
  a=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c64 -d"$DURATION" -s "$dir/me.lua" "http://127.0.0.1:$PORT/auth/me")
  b=$(cpu_ticks "$pid")
  req=$(echo "$out" | awk '/requests in/{print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  if echo "$out" | grep -q 'Non-2xx'; then echo "access_log: non-2xx answers" >&2; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "level=$1 req/s=$rps cpu_ms_per_req=$(echo "scale=4; ($b - $a) * 1000 / $CLK / $req" | bc) log_lines=$(wc -l <"$dir/log")"
  rm -rf "$dir"
}

for r in $(seq "$ROUNDS"); do
  run info
  run warn
done
