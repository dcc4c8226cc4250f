#!/usr/bin/env bash
# Configures and builds authd. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args]
# Default BUILD_DIR is ./build (Release, with unit tests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"; shift || true
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)"
