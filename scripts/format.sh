#!/usr/bin/env bash
# Formats every tracked C++ file (*.cc, *.h) in place with clang-format-16 and
# the repository's .clang-format. scripts/check-format.sh (run by
# scripts/test.sh) fails on any file this would change.
# Usage: scripts/format.sh [FILE...]      (default: every tracked *.cc / *.h)
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format-16}"
if [ $# -gt 0 ]; then
  "$CLANG_FORMAT" -i "$@"
else
  git ls-files -z -- '*.cc' '*.h' | xargs -0 "$CLANG_FORMAT" -i
fi
