#include "store/sqlite/sqlite_migrations.h"

#include "store/common/migrations.h"
#include "store/sqlite/sqlite_transaction.h"

namespace authd::store::sqlite {
namespace {

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

int LatestSchemaVersion() { return LatestVersion(kMigrations); }

core::Result<int> Migrate(Connection& conn) {
  core::Result<Transaction> tx = Transaction::BeginImmediate(conn);
  if (!tx.ok()) return tx.error();
  if (core::Status s = conn.Exec(kCreateMigrationsTable); !s.ok()) return s;
  core::Result<int> current = CurrentVersion(conn);
  if (!current.ok()) return current;
  core::Result<int> version =
      ApplyPending(kMigrations, *current, [&conn](const Migration& m) -> core::Status {
        if (core::Status s = conn.Exec(m.sql); !s.ok()) return s;
        core::Result<Statement> st = conn.Prepare(kRecordMigration);
        if (!st.ok()) return st.error();
        st->BindInt(1, m.version).BindText(2, m.name);
        return st->Run();
      });
  if (!version.ok()) return version;
  if (core::Status s = tx->Commit(); !s.ok()) return s;
  return version;
}

}  // namespace authd::store::sqlite
