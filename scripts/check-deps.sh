#!/usr/bin/env bash
# Enforces the layer rule of STYLE.md §1 on includes: the domain never
# includes http/, a store adapter, a JSON library, sqlite3.h or libpq; core
# includes only std; crypto only core. Tests, benchmarks and fuzz targets
# (which compose whole stacks) are exempt. src/app/ (the composition root)
# may include every layer.
set -euo pipefail
cd "$(dirname "$0")/../src"
fail=0
check() { # folder, forbidden-regex, why
  local hits
  hits=$(grep -rnE "^#include [<\"]($2)" $1 --include='*.h' --include='*.cc' | grep -vE '_(test|bench|fuzz)\.cc:' || true)
  if [ -n "$hits" ]; then echo "layer violation ($3):"; echo "$hits"; fail=1; fi
}
DOMAIN="identity session throttle flows courier otp mfa"
check "$DOMAIN" 'http/|store/|config/|boost/|sqlite3|libpq|spdlog|toml' "domain must not depend on adapters, HTTP, JSON or logging libraries"
check "crypto" 'http/|store/|config/|identity/|session/|flows/|throttle/|boost/' "crypto depends on core only"
check "core" 'http/|store/|config/|identity/|session/|flows/|throttle/|crypto/|boost/|sqlite3' "core depends on std (and fmt) only"
check "config" 'store/|flows/|crypto/' "config reads only *_options.h headers"
check "http" 'store/|delivery/|sqlite3|libpq' "http never names a concrete store or transport"
check "store/sqlite" 'store/postgres/|store/transfer/|libpq' "the SQLite adapter knows nothing of PostgreSQL"
check "store/postgres" 'store/sqlite/|store/transfer/|sqlite3' "the PostgreSQL adapter knows nothing of SQLite"
check "store/common store/memory" 'store/sqlite/|store/postgres/|store/transfer/|sqlite3|libpq' "shared store code and the memory adapter name no database"
check "delivery" 'http/|store/|flows/|identity/|session/|otp/' "delivery adapters know only courier messages"
# The composition root (src/app/: the services graph, the commands) is the
# top layer: nothing below it names it.
check "$DOMAIN http store config core crypto delivery qr" 'app/' "only the composition root and main name app/"
grep -rnE '^#include "http/' config | grep -v 'http/http_options.h' && { echo "config may include only http/http_options.h"; fail=1; }
# Wire errors come from the catalogue (core/errors.h), never from literals
# at the call site (STYLE.md §4); store/transfer is the operator command
# migrate-data, whose errors never reach the wire.
hits=$(find . \( -name '*.h' -o -name '*.cc' \) ! -name '*_test.cc' ! -name '*_bench.cc' ! -name '*_fuzz.cc' \
  ! -path './store/transfer/*' -print0 |
  xargs -0 perl -0ne 'while (/core::(?:InvalidArgument|Unauthenticated|Forbidden|NotFound|Conflict|RateLimited)\(\s*"[A-Z]|core::Plain\([^,]*,\s*"/g) { print "$ARGV\n" }' | sort -u || true)
if [ -n "$hits" ]; then echo "inline wire error (add it to core/errors.cc and use core::MakeError):"; echo "$hits"; fail=1; fi
exit $fail
