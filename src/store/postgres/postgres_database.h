// PostgresDatabase: authd's store on a PostgreSQL server, shared by any
// number of authd processes (the scale-out deployment), and the
// UserStore, SessionStore, OtpStore, OutboxStore, MfaStore and
// CounterStore adapters over it.
//
// Open() connects, then applies the pending migrations of
// store/postgres/migrations/ in one transaction under an advisory lock:
// several processes starting at once migrate exactly once, the others wait
// for it and find the schema current. A database whose schema is newer than
// this binary knows is refused (code DATABASE_SCHEMA_TOO_NEW).
//
// Concurrency across processes comes from the database, never from a lock
// in authd: a refresh rotation is one compare-and-swap UPDATE; consuming a
// one-time code locks the user's row (SELECT ... FOR NO KEY UPDATE) before
// comparing; claims of outbox messages use FOR UPDATE SKIP LOCKED; rate
// counters are one INSERT ... ON CONFLICT DO UPDATE ... RETURNING.
//
// With read_cache_entries > 0, users() and sessions() are read caches
// (store/memory/read_cache.h) gated by a PgCacheListener: they answer from
// memory only while the listener's connection is up and its heartbeat
// recent, so a write committed by any process is seen here within the
// listener's bound (100 ms); otherwise they read the server.
//
// Every store call runs on the calling (worker) thread with a connection
// from a bounded pool (pg_pool.h): connection loss, timeouts and an
// exhausted pool are kUnavailable (HTTP 503); the pool reconnects by itself
// when the server comes back. Any other database failure is kInternal with
// the server's text in Error::debug only.
//
// Ownership: the stores live as long as the PostgresDatabase. REQUIRES: no
// store call is in flight at destruction.
#ifndef AUTHD_STORE_POSTGRES_POSTGRES_DATABASE_H_
#define AUTHD_STORE_POSTGRES_POSTGRES_DATABASE_H_

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/database.h"

namespace authd::store {

struct PostgresOptions {
  // postgres:// or postgresql:// URL, handed to libpq as is (sslmode,
  // sslrootcert, options=-csearch_path=... all work).
  std::string url;
  int pool_size = 16;               // connections per authd process
  int connect_timeout_ms = 5000;    // per connection attempt
  int acquire_timeout_ms = 5000;    // waiting for a free pooled connection
  int statement_timeout_ms = 5000;  // server-side, per statement
  // > 0: sessions and users read by the guard are cached in this process,
  // at most this many of each, kept valid by LISTEN/NOTIFY
  // (pg_cache_listener.h); 0: every read goes to the server.
  int read_cache_entries = 0;
  // Told when the cache listener comes up or goes down (pg_cache_listener.h).
  std::function<void(bool up, const std::string& why)> on_cache_state;
};

// The store::Database over the server: description() is
// "postgres(<url without credentials>)"; session_reads_in_memory() is true
// only with the read cache (read_cache_entries > 0): other processes write
// too, so only the LISTEN/NOTIFY-gated cache may answer for the database.
class PostgresDatabase : public Database {
 public:
  // Errors: kUnavailable when the server cannot be reached; kInternal with
  // code DATABASE_SCHEMA_TOO_NEW, or with the failing migration in debug.
  static core::Result<std::unique_ptr<PostgresDatabase>> Open(const PostgresOptions& options);
};

// True iff `url` names a PostgreSQL database (postgres:// or
// postgresql://).
bool IsPostgresUrl(const std::string& url);

// `url` without credentials or query parameters (which may hold a
// password): scheme://host:port/db. "?" for text that is no URL.
std::string RedactDatabaseUrl(const std::string& url);

}  // namespace authd::store

#endif  // AUTHD_STORE_POSTGRES_POSTGRES_DATABASE_H_
