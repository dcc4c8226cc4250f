#include "store/sqlite/sqlite_migrations.h"

#include <string>

#include "store/common/schema_errors.h"
#include "store/sqlite/sqlite_transaction.h"

namespace authd::store::sqlite {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Generated from migrations/*.sql by cmake/embed_migrations.cmake, sorted
// by version.
constexpr Migration kMigrations[] = {
#include "sqlite_migrations.inc"
};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";

constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
    "(?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER))";

core::Result<int> CurrentVersion(Connection& conn) {
  core::Result<Statement> st =
      conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st.ok()) return st.error();
  core::Result<bool> row = st->Step();
  if (!row.ok()) return row.error();
  return static_cast<int>(st->Int(0));
}

}  // namespace

int LatestSchemaVersion() {
  int latest = 0;
  for (const Migration& m : kMigrations) latest = m.version > latest ? m.version : latest;
  return latest;
}

core::Result<int> Migrate(Connection& conn) {
  core::Result<Transaction> tx = Transaction::BeginImmediate(conn);
  if (!tx.ok()) return tx.error();
  if (core::Status s = conn.Exec(kCreateMigrationsTable); !s.ok()) return s;
  core::Result<int> current = CurrentVersion(conn);
  if (!current.ok()) return current;
  if (*current > LatestSchemaVersion()) return SchemaTooNew(*current, LatestSchemaVersion());

  int version = *current;
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    if (core::Status s = conn.Exec(m.sql); !s.ok()) {
      core::Error e = s.error();
      e.debug = "migration " + std::to_string(m.version) + "_" + m.name + ": " + e.debug;
      return e;
    }
    core::Result<Statement> st = conn.Prepare(kRecordMigration);
    if (!st.ok()) return st.error();
    st->BindInt(1, m.version).BindText(2, m.name);
    if (core::Status s = st->Run(); !s.ok()) return s;
    version = m.version;
  }
  if (core::Status s = tx->Commit(); !s.ok()) return s;
  return version;
}

}  // namespace authd::store::sqlite
