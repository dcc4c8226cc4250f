#!/usr/bin/env bash
# Configures and builds authd. Usage:
#   scripts/build.sh [BUILD_DIR] [TARGET...] [-DVAR=VALUE...]
# Default BUILD_DIR is ./build (Release). TARGETs: build only these (e.g.
# `authd`, as scripts/run.sh does); none = everything (authd, unit tests,
# benchmarks). -D settings go to cmake and are applied on every call (e.g.
# -DAUTHD_WERROR=ON, as scripts/test.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"; shift || true
targets=(); defs=()
for a in "$@"; do
  case "$a" in
    -D*) defs+=("$a") ;;
    *) targets+=(--target "$a") ;;
  esac
done
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
if [ ! -f "$BUILD/CMakeCache.txt" ] || [ ${#defs[@]} -gt 0 ]; then
  cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "${defs[@]}" >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" "${targets[@]}"
