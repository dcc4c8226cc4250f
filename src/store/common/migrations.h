// Schema migrations, the part both persistent adapters share: the embedded
// migration list's entry and the walk over the pending ones. Each adapter
// keeps its own transaction, lock and bookkeeping table
// (store/sqlite/sqlite_migrations.h, store/postgres/pg_migrations.h).
#ifndef AUTHD_STORE_COMMON_MIGRATIONS_H_
#define AUTHD_STORE_COMMON_MIGRATIONS_H_

#include <functional>
#include <span>

#include "core/status.h"

namespace authd::store {

// One migrations/NNNN_name.sql file, as cmake/embed_migrations.cmake embeds it.
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// The newest version in `migrations`; 0 for none.
int LatestVersion(std::span<const Migration> migrations);

// Run by an adapter's Migrate inside its transaction, once the schema
// records version `current`. Fails with code DATABASE_SCHEMA_TOO_NEW (an
// operator-facing message, never sent to a client) when `current` is above
// LatestVersion(migrations). Otherwise calls `apply` (run the SQL, record
// the version) for each migration above `current`, in the list's order (by
// version), stops at the first failure, whose debug text then names the
// migration, and returns the resulting version.
core::Result<int> ApplyPending(std::span<const Migration> migrations, int current,
                               const std::function<core::Status(const Migration&)>& apply);

}  // namespace authd::store

#endif  // AUTHD_STORE_COMMON_MIGRATIONS_H_
