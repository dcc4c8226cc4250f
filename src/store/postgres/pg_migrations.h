// Schema migrations of the PostgreSQL database.
//
// The migrations are the files store/postgres/migrations/NNNN_name.sql,
// embedded at build time, recorded in
//   schema_migrations(version INTEGER PRIMARY KEY, name TEXT, applied_at BIGINT)
// of the connection's schema (its search_path).
#ifndef AUTHD_STORE_POSTGRES_PG_MIGRATIONS_H_
#define AUTHD_STORE_POSTGRES_PG_MIGRATIONS_H_

#include "core/status.h"
#include "store/postgres/pg_pool.h"

namespace authd::store::postgres {

// The newest schema version this binary knows.
int LatestSchemaVersion();

// Applies every migration newer than the database's schema in one
// transaction that first takes a transaction-scoped advisory lock: of
// several processes migrating at once, one applies the migrations while the
// others wait, then find nothing to do. Returns the resulting version.
// Fails with code "DATABASE_SCHEMA_TOO_NEW" when the database records a
// version above LatestSchemaVersion().
core::Result<int> Migrate(PgPool& pool);

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_MIGRATIONS_H_
