#!/usr/bin/env bash
# Fails (and lists the files) if any tracked C++ file (*.cc, *.h) is not
# formatted as .clang-format says (clang-format-16 --dry-run -Werror).
# Fix with scripts/format.sh. About a second.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format-16}"
bad=()
while IFS= read -r -d '' f; do
  "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files -z -- '*.cc' '*.h')
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} file(s) not formatted ($CLANG_FORMAT; fix: scripts/format.sh):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: OK ($(git ls-files -- '*.cc' '*.h' | wc -l) files)"
