#include "store/sqlite/sqlite_connection.h"

#include <utility>

namespace authd::store::sqlite {
namespace {

// Applied to every connection. synchronous=FULL with WAL fsyncs the WAL on
// every commit, so an acknowledged write survives a power loss.
// (trusted_schema stays at its default: the schema's CHECKs use
// json_valid(), which SQLite 3.40 does not flag as innocuous.)
constexpr const char* kConnectionPragmas =
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;";

}  // namespace

core::Result<std::unique_ptr<Connection>> Connection::Open(const SqliteOptions& options) {
  if (options.path.empty()) {
    return core::Internal("sqlite: empty database path");
  }
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    core::Error e = SqliteError(db, rc, "open " + options.path);
    sqlite3_close(db);  // a handle is returned even on most failures
    return e;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);

  // journal_mode answers with the mode in force; anything but "wal" (e.g.
  // ":memory:" databases) cannot give concurrent readers and one writer.
  {
    core::Result<Statement> st = conn->Prepare("PRAGMA journal_mode=WAL");
    if (!st.ok()) return st.error();
    core::Result<bool> row = st->Step();
    if (!row.ok()) return row.error();
    const std::string mode = *row ? st->Text(0) : std::string();
    if (mode != "wal") {
      return core::Internal("sqlite: cannot enable WAL on " + options.path +
                            " (journal_mode=" + mode + ")");
    }
  }
  if (core::Status s = conn->Exec(kConnectionPragmas); !s.ok()) return s;
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

core::Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && sqlite3_stmt_busy(it->second) == 0) {
    return Statement(db_, it->second, /*owned=*/false);
  }
  // Not cached yet, or the cached one is mid-iteration (a nested use of the
  // same SQL): prepare a fresh statement.
  const bool cache_it = it == cache_.end();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    cache_it ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  if (!cache_it) return Statement(db_, stmt, /*owned=*/true);
  cache_.emplace(std::string(sql), stmt);
  return Statement(db_, stmt, /*owned=*/false);
}

core::Status Connection::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return core::Status::Ok();
  std::string context = err != nullptr ? err : "exec";
  sqlite3_free(err);
  return SqliteError(db_, sqlite3_extended_errcode(db_), context);
}

ConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

core::Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    core::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Opening takes file-system time: done outside the lock.
  core::Result<std::unique_ptr<Connection>> conn = Connection::Open(options_);
  if (!conn.ok()) return conn.error();
  return Lease(this, std::move(*conn));
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  // An aborted statement can leave a transaction open; never pool that.
  if (sqlite3_get_autocommit(conn->handle()) == 0) {
    if (!conn->Exec("ROLLBACK").ok()) return;  // drop the connection
  }
  core::MutexLock lock(&mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
}

}  // namespace authd::store::sqlite
