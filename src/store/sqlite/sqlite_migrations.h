// Schema migrations of the SQLite database.
//
// The migrations are the files store/sqlite/migrations/NNNN_name.sql,
// embedded at build time. Each applied one is recorded in
//   schema_migrations(version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)
// (applied_at in Unix millis, taken from SQLite's clock: it is an audit
// note, not a value the application reasons about).
#ifndef AUTHD_STORE_SQLITE_SQLITE_MIGRATIONS_H_
#define AUTHD_STORE_SQLITE_SQLITE_MIGRATIONS_H_

#include "core/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace authd::store::sqlite {

// The newest schema version this binary knows.
int LatestSchemaVersion();

// Applies every migration newer than the file's schema, all in one
// immediate transaction (all or nothing), and returns the resulting schema
// version. Fails with code "DATABASE_SCHEMA_TOO_NEW" when the file records
// a version above LatestSchemaVersion(). Safe against another process
// migrating the same file at the same time.
core::Result<int> Migrate(Connection& conn);

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_MIGRATIONS_H_
