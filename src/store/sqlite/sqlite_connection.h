// Connection and ConnectionPool: the SQLite connections behind the stores.
//
// A Connection owns one sqlite3 handle, opened in multi-thread mode (no
// per-connection mutex) with WAL, synchronous=FULL, foreign_keys=ON and the
// configured busy timeout, plus a cache of prepared statements keyed by SQL
// text. It is used by one thread at a time.
//
// The ConnectionPool hands out connections by lease: a thread that needs the
// database acquires an idle connection (opening a new one when none is
// idle), uses it, and the lease returns it on destruction. So the number of
// open connections tracks the number of threads using the database at once,
// and each keeps its warm statement cache. Acquire() is safe to call
// concurrently; a Lease is not shared between threads.
#ifndef AUTHD_STORE_SQLITE_SQLITE_CONNECTION_H_
#define AUTHD_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_statement.h"

namespace authd::store::sqlite {

class Connection {
 public:
  static core::Result<std::unique_ptr<Connection>> Open(const SqliteOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();  // finalizes cached statements, closes the handle

  // A statement for `sql`, from the cache when possible. REQUIRES: `sql`
  // holds exactly one statement.
  core::Result<Statement> Prepare(std::string_view sql);

  // Runs `sql` (possibly several statements) without caching; for pragmas,
  // transaction control and migrations.
  core::Status Exec(const char* sql);

  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  explicit ConnectionPool(SqliteOptions options) : options_(std::move(options)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // REQUIRES: no lease outstanding.
  ~ConnectionPool() = default;

  core::Result<Lease> Acquire();
  // Hands an already opened connection to the pool (the one Open() used to
  // migrate), so it is reused instead of reopened.
  void Release(std::unique_ptr<Connection> conn);

 private:
  // Idle connections beyond this are closed instead of kept.
  static constexpr std::size_t kMaxIdle = 64;

  const SqliteOptions options_;
  core::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
};

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_CONNECTION_H_
