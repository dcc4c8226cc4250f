#include "store/postgres/pg_migrations.h"

#include "store/common/migrations.h"

namespace authd::store::postgres {
namespace {

// Generated from migrations/*.sql by cmake/embed_migrations.cmake, sorted
// by version.
constexpr Migration kMigrations[] = {
#include "postgres_migrations.inc"
};

// One key for every authd schema in a database ("authd" in ASCII): schemas
// of different deployments in one database wait for each other's
// migrations, which is rare and harmless.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(435459499108)";

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

constexpr const char* kCurrentVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES"
    " ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)";

}  // namespace

int LatestSchemaVersion() { return LatestVersion(kMigrations); }

core::Result<int> Migrate(PgPool& pool) {
  return pool.Transact([](PgConnection& conn) -> core::Result<int> {
    if (core::Status s = conn.ExecScript(kLock); !s.ok()) return s.error();
    // CREATE TABLE IF NOT EXISTS is not safe against a concurrent creator;
    // the lock above makes it so.
    if (core::Status s = conn.ExecScript(kCreateMigrationsTable); !s.ok()) return s.error();
    core::Result<PgResult> current = conn.Exec(kCurrentVersion);
    if (!current.ok()) return current.error();
    return ApplyPending(kMigrations, static_cast<int>(current->Int(0, 0)),
                        [&conn](const Migration& m) -> core::Status {
                          if (core::Status s = conn.ExecScript(m.sql); !s.ok()) return s;
                          core::Result<PgResult> rec =
                              conn.Exec(kRecordMigration, PgParams().Int(m.version).Text(m.name));
                          return rec.ok() ? core::Status::Ok() : core::Status(rec.error());
                        });
  });
}

}  // namespace authd::store::postgres
