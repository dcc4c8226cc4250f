#!/usr/bin/env bash
# Builds the libFuzzer targets (every src/**/*_fuzz.cc; clang-16, ASan +
# UBSan + libFuzzer) into build-fuzz and runs each for SECONDS_PER_TARGET
# from its seed corpus fuzz/corpus/<target>/ (copied to a temp dir, so the
# repository is never written). Any crash, leak, timeout, OOM or sanitizer
# report fails the script and prints the reproducer path and the command to
# replay it.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60, all)
# Env:   FUZZ_JOBS  targets fuzzed in parallel (default: nproc)
#        FUZZ_KEEP  directory for the run artifacts (default: a temp dir,
#                   removed on success)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECS="${1:-60}"; shift || true
BUILD="$ROOT/build-fuzz"
JOBS="${FUZZ_JOBS:-$(nproc)}"
t_start=$SECONDS

# ---- toolchain + build dependencies (idempotent) ---------------------------
"$ROOT/scripts/install-deps.sh"
need=()
for p in clang-16 libclang-rt-16-dev llvm-16; do  # llvm-16: llvm-symbolizer
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "fuzz: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# ---- build ------------------------------------------------------------------
mapfile -t ALL < <(find "$ROOT/src" -name '*_fuzz.cc' -printf '%f\n' | sed 's/\.cc$//' | sort)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
echo "== build ${TARGETS[*]} ($BUILD, clang-16)"
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
CC=clang-16 CXX=clang++-16 cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" \
  -DCMAKE_CXX_COMPILER=clang++-16 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DAUTHD_FUZZ=ON -DAUTHD_BUILD_TESTS=OFF -DAUTHD_SANITIZE=OFF -DAUTHD_WERROR=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"
t_built=$SECONDS

# ---- run ----------------------------------------------------------------------
WORK="${FUZZ_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/authd-fuzz.XXXXXX")}"
mkdir -p "$WORK"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1:\
detect_stack_use_after_return=1:strict_string_checks=1:disable_coredump=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-16/bin/llvm-symbolizer}"

max_len() {  # inputs past the server's limits only test the limit checks
  case "$1" in
    http_request_fuzz) echo 20000 ;;   # > 16 KiB header limit
    handlers_fuzz) echo 4096 ;;        # argon2 per input: keep inputs small
    config_fuzz) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

run_one() {
  local t="$1" dir="$WORK/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "$ROOT/fuzz/corpus/$t" ]; then cp -r "$ROOT/fuzz/corpus/$t/." "$dir/corpus/"; fi
  local dict=()
  [ -f "$ROOT/fuzz/$t.dict" ] && dict=(-dict="$ROOT/fuzz/$t.dict")
  (cd "$dir" && TMPDIR="$dir" "$BUILD/$t" "${dict[@]}" \
     -max_total_time="$SECS" -max_len="$(max_len "$t")" -timeout=10 \
     -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1)
}

echo "== fuzz ${#TARGETS[@]} targets x ${SECS}s, $JOBS at a time (work dir $WORK)"
pids=(); names=(); failed=()
wait_one() {
  local pid="${pids[0]}" name="${names[0]}"
  pids=("${pids[@]:1}"); names=("${names[@]:1}")
  if wait "$pid"; then
    local execs
    execs="$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$name/log" | grep -o '[0-9]*$' || true)"
    echo "fuzz: $name OK (${execs:-?} runs, corpus $(ls "$WORK/$name/corpus" | wc -l) files)"
  else
    failed+=("$name")
    echo "fuzz: $name FAILED; log $WORK/$name/log" >&2
    grep -E "ERROR|SUMMARY|runtime error|invariant|handlers_fuzz:|Test unit written" "$WORK/$name/log" | head -20 >&2 || true
    for a in "$WORK/$name"/artifacts/*; do
      [ -e "$a" ] || continue
      echo "fuzz: reproducer: $a" >&2
      echo "fuzz:   replay: $BUILD/$name $a" >&2
    done
  fi
}
for t in "${TARGETS[@]}"; do
  [ -x "$BUILD/$t" ] || { echo "fuzz: $BUILD/$t was not built" >&2; exit 1; }
  run_one "$t" & pids+=($!); names+=("$t")
  if [ ${#pids[@]} -ge "$JOBS" ]; then wait_one; fi
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done

echo "fuzz: build $((t_built - t_start))s, fuzzing $((SECONDS - t_built))s, total $((SECONDS - t_start))s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (artifacts kept in $WORK)" >&2
  exit 1
fi
[ -z "${FUZZ_KEEP:-}" ] && rm -rf "$WORK"
echo "fuzz: OK"
