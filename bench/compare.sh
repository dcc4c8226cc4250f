#!/usr/bin/env bash
# Side-by-side benchmark: authd vs the @ackplus/nest-auth reference server.
#
#   bench/compare.sh                      # everything, results in bench/results/<UTC timestamp>/
#   DURATION=5s CONNS_LIST="64" bench/compare.sh     # quicker
#
# What it does, in one run:
#   1. builds authd in release mode (scripts/build.sh; SKIP_BUILD=1 skips),
#   2. times startup to the first HTTP 200 and idle RSS of both servers
#      (bench/startup_probe.py, fresh database every time, STARTUP_RUNS each),
#   3. starts both on loopback with the same settings: header mode, access
#      1h / refresh 30d, same JWT secret, argon2id m=65536 t=3 p=4, rate
#      limits and lockout off (authd has them ON by default: flags below;
#      also server.hash_per_account_max, authd's per-account limit on
#      concurrent hashes, which answers 429 RATE_LIMITED and would refuse
#      the login scenario's one user on 32 connections), everything else
#      authd's defaults (log level info: the access log is on), fresh
#      SQLite files,
#   4. per connection count in CONNS_LIST: seeds both servers the same way
#      (the reference's bench/seed.sh, fresh users per level), then runs each
#      scenario against both servers back to back, alternating which one
#      goes first: GET /auth/me, GET /auth/verify-session, chained
#      POST /auth/refresh-token, POST /auth/login (at min(conns, LOGIN_CONNS)),
#   5. mixed: a login flood (MIXED_LOGIN_CONNS) while a second wrk measures
#      GET /auth/me (MIXED_ME_CONNS) on the same server,
#   6. durability probe: counts fsync/fdatasync calls (strace) per successful
#      rotation during a short chained-refresh run (STRACE=0 skips),
#   7. the raw argon2id rate of this machine (build/authd_bench, Argon2 rows),
#   8. writes report.md (Markdown tables, ratios, goals) and chart.dat/.png.
# Before every measured run the machine must be quiet (< QUIET_PCT % CPU busy
# over 1 s, waiting up to QUIET_MAX s): other work on a 2-core box skews
# everything.
#
# The wrk Lua scripts (body checks, WRK_JSON lines) and seed.sh are used from
# the reference folder (REF_DIR), never copied into this repository.
#
# Env (defaults): DURATION (10s), CONNS_LIST ("1 32 64"), LOGIN_CONNS (32),
#   SCENARIOS ("me verify refresh login"), PAUSE (2 s between runs), TIMEOUT (10s),
#   AUTHD_PORT (3911), REF_PORT (3910), OUT (bench/results/<stamp>),
#   STARTUP_RUNS (5), MIXED (1), MIXED_LOGIN_CONNS (32), MIXED_ME_CONNS (8),
#   STRACE (1), ARGON (1), SKIP_BUILD (0), BUILD_DIR (build), REF_DIR,
#   QUIET_PCT (15), QUIET_MAX (300), AUTHD_EXTRA (extra authd flags).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HERE="$ROOT/bench"
REF_DIR="$(cd "${REF_DIR:-$ROOT/../shared/anchors/nest-ref}" && pwd)"
RB="$REF_DIR/bench"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
AUTHD="$BUILD_DIR/authd"

DURATION="${DURATION:-10s}"; CONNS_LIST="${CONNS_LIST:-1 32 64}"; LOGIN_CONNS="${LOGIN_CONNS:-32}"
SCENARIOS="${SCENARIOS:-me verify refresh login}"; PAUSE="${PAUSE:-2}"; TIMEOUT="${TIMEOUT:-10s}"
AUTHD_PORT="${AUTHD_PORT:-3911}"; REF_PORT="${REF_PORT:-3910}"
STARTUP_RUNS="${STARTUP_RUNS:-5}"; MIXED="${MIXED:-1}"
MIXED_LOGIN_CONNS="${MIXED_LOGIN_CONNS:-32}"; MIXED_ME_CONNS="${MIXED_ME_CONNS:-8}"
STRACE="${STRACE:-1}"; ARGON="${ARGON:-1}"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}"
JWT_SECRET="${JWT_SECRET:-compare-bench-secret-0123456789abcdef0123456789}"
PASSWORD="${PASSWORD:-Str0ng!Passw0rd}"
export PASSWORD PREFIX=""

for t in wrk curl jq python3 node; do
  command -v "$t" >/dev/null || { echo "compare: $t is required" >&2; exit 2; }
done
mkdir -p "$OUT/raw" "$OUT/seed"
OUT="$(cd "$OUT" && pwd)"
: > "$OUT/results.jsonl"
WORK="$(mktemp -d /tmp/authd-compare-XXXXXX)"   # databases live outside the repo
CLK=$(getconf CLK_TCK)
log() { echo "compare: $*" >&2; }

# ---- build ----------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building authd (release) in $BUILD_DIR"
  "$ROOT/scripts/build.sh" "$BUILD_DIR" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; exit 1; }
fi
[ -x "$AUTHD" ] || { log "no $AUTHD"; exit 1; }
if [ ! -f "$REF_DIR/dist/main.js" ] || [ ! -d "$REF_DIR/node_modules/@ackplus/nest-auth" ]; then
  log "installing/building the reference (npm)"
  (cd "$REF_DIR" && npm install --no-audit --no-fund && npx tsc -p tsconfig.json) >"$OUT/ref-install.log" 2>&1
fi

# Same settings for both servers.
authd_cmd() { # $1 = data dir
  echo "$AUTHD" --port "$AUTHD_PORT" --data-dir "$1" \
    --session-access-token-type header \
    --session-access-token-ttl 1h --session-refresh-token-ttl 30d \
    --session-jwt-secret "$JWT_SECRET" \
    --rate-limit-enabled false --lockout-enabled false \
    --server-hash-per-account-max 0 \
    --password-argon2-memory-kib 65536 --password-argon2-time-cost 3 --password-argon2-parallelism 4 \
    ${AUTHD_EXTRA:-}
}
export JWT_SECRET ACCESS_TTL=1h REFRESH_TTL=30d AUTH_MODE=header QUIET_CODES=1 CODES_FILE="$WORK/ref-codes.jsonl"

# ---- machine quietness (system-wide busy % over 1 s, from /proc/stat) -----
cpu_busy_pct() {
  local -a a b; read -ra a < /proc/stat; sleep 1; read -ra b < /proc/stat
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  local idle=$(( b[4] - a[4] + b[5] - a[5] ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
BUSY=0
wait_quiet() {
  local waited=0
  while :; do
    BUSY=$(cpu_busy_pct)
    [ "$BUSY" -lt "${QUIET_PCT:-15}" ] && return 0
    if [ "$waited" -ge "${QUIET_MAX:-300}" ]; then log "still ${BUSY}% busy after ${waited}s; measuring anyway"; return 0; fi
    [ $(( waited % 30 )) -eq 0 ] && log "machine ${BUSY}% busy (other work); waiting"
    waited=$(( waited + 1 ))
  done
}

# ---- process helpers -------------------------------------------------------
rss_kb() { ps -o rss= --pid "$1" --ppid "$1" 2>/dev/null | awk '{s+=$1} END{print s+0}'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
wait_ready() { # port
  local i
  for i in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/auth/client-config" || true)" = 200 ] && return 0
    sleep 0.1
  done
  log "server on port $1 not ready"; return 1
}
AUTHD_PID=""; REF_PID=""
cleanup() {
  [ -n "$AUTHD_PID" ] && kill "$AUTHD_PID" 2>/dev/null || true
  [ -n "$REF_PID" ] && kill "$REF_PID" 2>/dev/null || true
  [ -n "$AUTHD_PID" ] && wait "$AUTHD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 130" INT TERM
for p in "$AUTHD_PORT" "$REF_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then log "port $p is already in use"; exit 1; fi
done

# ---- 1. startup and idle RSS -------------------------------------------------
if [ "$STARTUP_RUNS" -gt 0 ]; then
  : > "$OUT/startup.jsonl"
  wait_quiet
  log "startup: authd x$STARTUP_RUNS"
  # shellcheck disable=SC2046
  python3 "$HERE/startup_probe.py" --runs "$STARTUP_RUNS" --label authd --log "$OUT/raw/startup-authd.log" \
    --pre "rm -rf '$WORK/startup-authd'" "$AUTHD_PORT" -- $(authd_cmd "$WORK/startup-authd") \
    | tee -a "$OUT/raw/startup.txt" | sed -n 's/^STARTUP_\(JSON\|SUMMARY\) //p' >> "$OUT/startup.jsonl"
  wait_quiet
  log "startup: reference x$STARTUP_RUNS"
  DB="$WORK/startup-ref.sqlite"
  PORT="$REF_PORT" DB_PATH="$DB" python3 "$HERE/startup_probe.py" --runs "$STARTUP_RUNS" --label reference \
    --log "$OUT/raw/startup-ref.log" --pre "rm -f '$DB' '$DB-wal' '$DB-shm'" "$REF_PORT" -- node "$REF_DIR/dist/main.js" \
    | tee -a "$OUT/raw/startup.txt" | sed -n 's/^STARTUP_\(JSON\|SUMMARY\) //p' >> "$OUT/startup.jsonl"
fi

# ---- 2. start both servers ---------------------------------------------------
# shellcheck disable=SC2046
nohup $(authd_cmd "$WORK/authd-data") >"$OUT/raw/authd.log" 2>&1 &
AUTHD_PID=$!
PORT="$REF_PORT" DB_PATH="$WORK/ref.sqlite" FRESH_DB=1 DAEMON=1 PIDFILE="$WORK/ref.pid" LOGFILE="$OUT/raw/ref.log" \
  "$REF_DIR/start.sh" >/dev/null
REF_PID="$(cat "$WORK/ref.pid")"
wait_ready "$AUTHD_PORT"; wait_ready "$REF_PORT"
sleep 3
jq -nc --argjson a "$(rss_kb "$AUTHD_PID")" --argjson r "$(rss_kb "$REF_PID")" \
  '{authd_rss_idle_kb:$a, reference_rss_idle_kb:$r, when:"3 s after first 200, before any load"}' > "$OUT/idle_rss.json"
log "authd pid $AUTHD_PID (port $AUTHD_PORT), reference pid $REF_PID (port $REF_PORT)"

pid_of() { [ "$1" = authd ] && echo "$AUTHD_PID" || echo "$REF_PID"; }
port_of() { [ "$1" = authd ] && echo "$AUTHD_PORT" || echo "$REF_PORT"; }

# run_one SERVER SCENARIO CONNS THREADS CMD... : one measured wrk run.
run_one() {
  local server="$1" scen="$2" conns="$3" threads="$4"; shift 4
  local pid; pid=$(pid_of "$server")
  local tag="$server-$scen-c$conns"
  sleep "$PAUSE"; [ "${NOQUIET:-0}" = 1 ] || wait_quiet
  local rss0 c0 samp sp; rss0=$(rss_kb "$pid"); c0=$(cpu_ticks "$pid")
  samp="$OUT/raw/$tag.rss"; : > "$samp"
  ( while :; do rss_kb "$pid" >> "$samp"; sleep 0.25; done ) & sp=$!
  "$@" > "$OUT/raw/$tag.wrk.txt" 2>&1 || true
  kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null || true
  local c1 peak j; c1=$(cpu_ticks "$pid"); peak=$(sort -n "$samp" | tail -1)
  j=$(sed -n 's/^WRK_JSON //p' "$OUT/raw/$tag.wrk.txt" | head -1)
  if [ -z "$j" ]; then log "no WRK_JSON for $tag"; cat "$OUT/raw/$tag.wrk.txt" >&2; return 0; fi
  echo "$j" | jq -c --arg server "$server" --arg scen "$scen" --argjson conns "$conns" --argjson threads "$threads" \
    --argjson rss0 "$rss0" --argjson peak "${peak:-0}" --argjson busy "$BUSY" \
    --argjson cpu "$(awk -v a="$c0" -v b="$c1" -v k="$CLK" 'BEGIN{printf "%.3f", (b-a)/k}')" --arg cmd "$*" \
    '. + {server:$server, name:$scen, conns:$conns, threads:$threads, rss_before_kb:$rss0, rss_peak_kb:$peak,
          server_cpu_s:$cpu, cpu_busy_pct_before:$busy, cmd:$cmd}' >> "$OUT/results.jsonl"
  log "$tag: $(echo "$j" | jq -r '"\(.rps) req/s, p99 \(.lat_ms.p99) ms"')"
}

scenario_cmd() { # SERVER SCEN CONNS THREADS -> prints nothing, runs run_one
  local server="$1" scen="$2" c="$3" t="$4" base seed
  base="http://127.0.0.1:$(port_of "$server")"; seed="$OUT/seed/$server-c$c"
  case "$scen" in
    me) run_one "$server" me "$c" "$t" env TOKEN="$(cat "$seed/access_token.txt")" ROUTE=/auth/me \
          EXPECT="\"email\":\"bench-c$c@example.com\"" \
          wrk -t"$t" -c"$c" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$RB/get_auth.lua" "$base" ;;
    verify) run_one "$server" verify "$c" "$t" env TOKEN="$(cat "$seed/access_token.txt")" ROUTE=/auth/verify-session \
          EXPECT='"valid":true' \
          wrk -t"$t" -c"$c" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$RB/get_auth.lua" "$base" ;;
    refresh) run_one "$server" refresh "$c" "$t" \
          wrk -t"$t" -c"$c" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$RB/refresh.lua" "$base" \
          -- "$seed/refresh_tokens.txt" "$t" ;;
    login) run_one "$server" login "$c" "$t" env EMAIL=bench-login@example.com \
          wrk -t"$t" -c"$c" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$RB/login.lua" "$base" ;;
  esac
}

seed_level() { # CONNS THREADS: fresh users (bench-c<conns>*) on both servers
  local c="$1" t="$2" s n=$(( $1 + 4 * $2 + 8 ))
  for s in authd reference; do
    EMAIL="bench-c$c@example.com" LOGIN_EMAIL=bench-login@example.com \
      "$RB/seed.sh" "http://127.0.0.1:$(port_of "$s")" "$OUT/seed/$s-c$c" "$n" 2>>"$OUT/raw/seed.log"
  done
}

# ---- 3. scenarios ----------------------------------------------------------
order=0
LOGIN_DONE=" "
for c in $CONNS_LIST; do
  t=$(( c < 2 ? 1 : 2 ))
  log "seeding for c$c"
  seed_level "$c" "$t"
  for scen in $SCENARIOS; do
    cc="$c"   # login seeds nothing per level: it runs at min(conns, LOGIN_CONNS), once per value
    if [ "$scen" = login ]; then
      cc=$(( c < LOGIN_CONNS ? c : LOGIN_CONNS ))
      case "$LOGIN_DONE" in *" $cc "*) continue ;; esac
      LOGIN_DONE="$LOGIN_DONE$cc "
    fi
    tt=$(( cc < 2 ? 1 : 2 ))
    if [ $(( order % 2 )) -eq 0 ]; then servers="authd reference"; else servers="reference authd"; fi
    order=$(( order + 1 ))
    for s in $servers; do scenario_cmd "$s" "$scen" "$cc" "$tt"; done
  done
done

# ---- 4. mixed: /auth/me latency during a login flood -----------------------
if [ "$MIXED" = 1 ]; then
  secs=${DURATION%s}
  mc="$MIXED_ME_CONNS"
  EMAIL="bench-mixed@example.com" LOGIN_EMAIL=bench-login@example.com \
    "$RB/seed.sh" "http://127.0.0.1:$AUTHD_PORT" "$OUT/seed/authd-mixed" 1 2>>"$OUT/raw/seed.log"
  EMAIL="bench-mixed@example.com" LOGIN_EMAIL=bench-login@example.com \
    "$RB/seed.sh" "http://127.0.0.1:$REF_PORT" "$OUT/seed/reference-mixed" 1 2>>"$OUT/raw/seed.log"
  for s in authd reference; do
    base="http://127.0.0.1:$(port_of "$s")"
    flood="$OUT/raw/$s-mixed-login-flood.wrk.txt"
    sleep "$PAUSE"; wait_quiet
    env EMAIL=bench-login@example.com wrk -t1 -c"$MIXED_LOGIN_CONNS" -d"$(( secs + 4 ))s" --timeout "$TIMEOUT" --latency \
      -s "$RB/login.lua" "$base" > "$flood" 2>&1 &
    fp=$!
    sleep 2   # let the flood fill the hash workers first
    PAUSE=0 NOQUIET=1 run_one "$s" mixed-me "$mc" 1 env TOKEN="$(cat "$OUT/seed/$s-mixed/access_token.txt")" ROUTE=/auth/me \
      EXPECT='"email":"bench-mixed@example.com"' \
      wrk -t1 -c"$mc" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$RB/get_auth.lua" "$base"
    wait "$fp" || true
    fj=$(sed -n 's/^WRK_JSON //p' "$flood" | head -1)
    [ -n "$fj" ] && echo "$fj" | jq -c --arg server "$s" --argjson conns "$MIXED_LOGIN_CONNS" \
      '. + {server:$server, name:"mixed-login-flood", conns:$conns, threads:1}' >> "$OUT/results.jsonl"
  done
fi

# ---- 5. durability: fsync-family calls per rotation ------------------------
if [ "$STRACE" = 1 ] && command -v strace >/dev/null; then
  : > "$OUT/durability.jsonl"
  for s in authd reference; do
    pid=$(pid_of "$s"); base="http://127.0.0.1:$(port_of "$s")"
    EMAIL="bench-dur@example.com" LOGIN_EMAIL=bench-login@example.com \
      "$RB/seed.sh" "$base" "$OUT/seed/$s-dur" 12 2>>"$OUT/raw/seed.log"
    strace -f -c -e trace=fsync,fdatasync,sync_file_range -o "$OUT/raw/$s-durability.strace" -p "$pid" 2>/dev/null &
    sp=$!
    sleep 1
    wrk -t1 -c8 -d3s --timeout 10s -s "$RB/refresh.lua" "$base" -- "$OUT/seed/$s-dur/refresh_tokens.txt" 1 \
      > "$OUT/raw/$s-durability.wrk.txt" 2>&1 || true
    sleep 0.5
    kill -INT "$sp" 2>/dev/null; wait "$sp" 2>/dev/null || true
    okr=$(sed -n 's/^WRK_JSON //p' "$OUT/raw/$s-durability.wrk.txt" | jq '.ok // 0')
    syncs=$(awk '$NF ~ /^(fsync|fdatasync|sync_file_range)$/ {s+=$4} END{print s+0}' "$OUT/raw/$s-durability.strace")
    jq -nc --arg server "$s" --argjson ok "${okr:-0}" --argjson syncs "$syncs" \
      '{server:$server, rotations_ok:$ok, fsync_calls:$syncs, fsyncs_per_rotation:(if $ok>0 then ($syncs/$ok*100|round/100) else null end)}' \
      >> "$OUT/durability.jsonl"
  done
fi

jq -nc --argjson a "$(rss_kb "$AUTHD_PID")" --argjson r "$(rss_kb "$REF_PID")" \
  --argjson ah "$(awk '/VmHWM/{print $2}' "/proc/$AUTHD_PID/status")" --argjson rh "$(awk '/VmHWM/{print $2}' "/proc/$REF_PID/status")" \
  '{authd_rss_final_kb:$a, reference_rss_final_kb:$r, authd_vmhwm_kb:$ah, reference_vmhwm_kb:$rh}' > "$OUT/final_rss.json"

# stop both servers before the CPU-bound argon2 measurement
kill "$AUTHD_PID" "$REF_PID" 2>/dev/null || true
wait "$AUTHD_PID" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$REF_PID" 2>/dev/null || break; sleep 0.1; done
AUTHD_PID=""; REF_PID=""

# ---- 6. raw argon2id rate ----------------------------------------------------
if [ "$ARGON" = 1 ]; then
  if [ -x "$BUILD_DIR/authd_bench" ]; then
    wait_quiet
    log "argon2id raw rate (authd_bench)"
    "$BUILD_DIR/authd_bench" --benchmark_filter='Argon2idVerify' --benchmark_min_time=5 \
      --benchmark_out="$OUT/argon2.json" --benchmark_out_format=json > "$OUT/raw/argon2.txt" 2>&1 || true
  else
    log "no $BUILD_DIR/authd_bench (Google Benchmark missing?): skipping the argon2 rate"
  fi
fi

# ---- 7. report -----------------------------------------------------------------
{
  echo "# authd vs reference — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "DURATION=$DURATION CONNS_LIST=\"$CONNS_LIST\" LOGIN_CONNS=$LOGIN_CONNS MIXED_LOGIN_CONNS=$MIXED_LOGIN_CONNS MIXED_ME_CONNS=$MIXED_ME_CONNS"
  echo "authd: $("$AUTHD" --version 2>/dev/null | head -1); reference: @ackplus/nest-auth 2.11.1 on node $(node --version)"
  echo
  python3 "$HERE/report.py" "$OUT"
} > "$OUT/report.md"
if command -v gnuplot >/dev/null && [ -s "$OUT/chart.dat" ]; then
  gnuplot -e "datafile='$OUT/chart.dat'; outfile='$OUT/chart.png'" "$HERE/plot.gnuplot" 2>"$OUT/raw/gnuplot.log" || true
fi
cat "$OUT/report.md"
log "results in $OUT"
