#include "store/transfer/sqlite_to_postgres.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"
#include "store/sqlite/sqlite_database.h"

namespace authd::store {
namespace {

using postgres::PgConnection;
using postgres::PgParams;
using postgres::PgPool;

// Parents before children (foreign keys).
constexpr const char* kTables[] = {
    "tenants", "users",  "identities",  "user_accesses",      "sessions",
    "otps",    "outbox", "mfa_devices", "mfa_recovery_codes", "mfa_trusted_devices",
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

core::Error SqliteError(sqlite3* db, const std::string& what) {
  return core::Internal("migrate-data: sqlite: " + what + ": " + sqlite3_errmsg(db));
}

// Copies one table inside the open PostgreSQL transaction; rows copied.
core::Result<std::int64_t> CopyTable(sqlite3* src, PgConnection& dst, const std::string& table) {
  sqlite3_stmt* raw = nullptr;
  const std::string select = "SELECT * FROM " + table;
  if (sqlite3_prepare_v2(src, select.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SqliteError(src, "prepare " + table);
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> st(raw);
  const int columns = sqlite3_column_count(raw);
  std::string names, placeholders;
  for (int i = 0; i < columns; ++i) {
    if (i > 0) {
      names += ", ";
      placeholders += ", ";
    }
    names += std::string("\"") + sqlite3_column_name(raw, i) + "\"";
    placeholders += '$';  // not "$" + to_string(): gcc 12 warns (-Wrestrict, a false positive)
    placeholders += std::to_string(i + 1);
  }
  const std::string insert =
      "INSERT INTO " + table + " (" + names + ") VALUES (" + placeholders + ")";
  std::int64_t copied = 0;
  while (true) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqliteError(src, "read " + table);
    PgParams params;
    for (int i = 0; i < columns; ++i) {
      if (sqlite3_column_type(raw, i) == SQLITE_NULL) {
        params.Null();
      } else {
        // Text form of every value: PostgreSQL parses it as the column's
        // type (0/1 as BOOLEAN, JSON text as JSON, digits as BIGINT).
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, i));
        params.Text(std::string(text, static_cast<size_t>(sqlite3_column_bytes(raw, i))));
      }
    }
    core::Result<postgres::PgResult> r = dst.Exec(insert, params);
    if (!r.ok()) {
      core::Error e = r.error();
      e.debug =
          "migrate-data: table " + table + " row " + std::to_string(copied + 1) + ": " + e.debug;
      return e;
    }
    ++copied;
  }
  return copied;
}

}  // namespace

core::Result<TransferReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                                  const PostgresOptions& target) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    core::Error e = core::NotFound("", "no SQLite database at " + sqlite_path);
    e.debug = e.message;  // an operator-facing command error
    return e;
  }
  {  // Both schemas to the newest version first, so their columns match.
    auto source = SqliteDatabase::Open(SqliteOptions{sqlite_path});
    if (!source.ok()) return source.error();
    auto dest = PostgresDatabase::Open(target);
    if (!dest.ok()) return dest.error();
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(sqlite_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::unique_ptr<sqlite3, SqliteCloser> closer(raw);
    return SqliteError(raw, "open");
  }
  std::unique_ptr<sqlite3, SqliteCloser> src(raw);
  // One read transaction: a consistent snapshot of every table.
  if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(raw, "begin");
  }

  postgres::PgPoolOptions po;
  po.url = target.url;
  po.max_connections = 1;
  po.connect_timeout_ms = target.connect_timeout_ms;
  po.acquire_timeout_ms = target.acquire_timeout_ms;
  po.statement_timeout_ms = target.statement_timeout_ms;
  PgPool pool(po);
  core::Result<TransferReport> report =
      pool.Transact([&](PgConnection& conn) -> core::Result<TransferReport> {
        core::Result<postgres::PgResult> users = conn.Exec("SELECT count(*) FROM users");
        if (!users.ok()) return users.error();
        if (users->Int(0, 0) != 0) {
          core::Error e = core::Conflict(
              "TARGET_NOT_EMPTY",
              "the PostgreSQL database already has users; migrate-data copies into an "
              "empty database only");
          e.debug = e.message;
          return e;
        }
        TransferReport out;
        for (const char* table : kTables) {
          core::Result<std::int64_t> n = CopyTable(raw, conn, table);
          if (!n.ok()) return n.error();
          out.tables.emplace_back(table, *n);
        }
        return out;
      });
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  return report;
}

}  // namespace authd::store
