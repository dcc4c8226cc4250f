#!/usr/bin/env bash
# Runs clang-tidy-16 (the checks in .clang-tidy) over the project's non-test
# sources (app/, src/ without *_test.cc, *_bench.cc, *_fuzz.cc), using the
# compile_commands.json of a configured build, with clang -Wthread-safety (the
# lock annotations of src/core/mutex.h). -Wno-varargs: the libcurl shim
# (src/delivery/curl_loader.cc) must keep curl's own prototypes, whose last
# named parameter is an enum. Fails on any finding.
# Usage: scripts/lint.sh [BUILD_DIR] [FILE-REGEX]   (default ./build, all)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
FILTER="${2:-}"
[ -f "$BUILD/compile_commands.json" ] ||
  { echo "lint: no $BUILD/compile_commands.json (run scripts/build.sh first)" >&2; exit 1; }
cd "$ROOT"
mapfile -t files < <(git ls-files -- 'app/*.cc' 'src/*.cc' | grep -vE '_(test|bench|fuzz)\.cc$' |
  grep -E "${FILTER:-.}")
t0=$SECONDS
printf '%s\n' "${files[@]}" |
  xargs -P"$(nproc)" -n4 clang-tidy-16 -p "$BUILD" --quiet --extra-arg=-Wthread-safety --extra-arg=-Wno-varargs 2>/dev/null
echo "lint: OK (${#files[@]} files, $((SECONDS - t0)) s)"
