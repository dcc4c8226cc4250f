// PgPool: a bounded pool of PostgreSQL connections, and the two ways the
// stores use one: Run (a statement or a few, each committing on its own)
// and Transact (a function run between BEGIN and COMMIT).
//
// Store calls are synchronous and run on authd's worker threads (never on
// an HTTP I/O thread: see http/worker_pool.h); the pool bounds how many of
// them hold a connection at once. A caller that finds no connection free
// waits up to acquire_timeout_ms, then gets kUnavailable (HTTP 503).
//
// Lost connections. When a call finds its connection broken (the server
// restarted, a failover, a network cut), the connection is discarded, and
// so is every idle connection opened before it (they are almost surely
// dead too). The call is then retried on a fresh connection when that is
// safe: a Run always (its function must be safe to repeat); a Transact when the failure
// came before COMMIT was sent (the server rolled the transaction back).
// A failure during COMMIT leaves the outcome unknown: it is not retried but
// answered kUnavailable, and the client retries (every write authd makes is
// safe to retry from the client's side: a refresh is idempotent within the
// grace window, a duplicate signup is refused). Serialization failures and
// deadlocks (SERIALIZABLE / row locks) are retried the same way. While the
// server is down, calls fail fast with kUnavailable (connection refused)
// or after connect_timeout_ms.
//
// Thread-safe. REQUIRES: no call in flight at destruction.
#ifndef AUTHD_STORE_POSTGRES_PG_POOL_H_
#define AUTHD_STORE_POSTGRES_PG_POOL_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/mutex.h"
#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace authd::store::postgres {

struct PgPoolOptions {
  // libpq URL (postgres://user:pass@host:port/db?sslmode=...), passed to
  // libpq unchanged: every libpq parameter may be set in it.
  std::string url;
  int max_connections = 16;
  int connect_timeout_ms = 5000;
  int acquire_timeout_ms = 5000;
  // Server-side limit on one statement (SET statement_timeout); also bounds
  // how long a dead peer can hold a call (TCP user timeout).
  int statement_timeout_ms = 5000;
};

class PgPool {
 public:
  explicit PgPool(PgPoolOptions options);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;
  ~PgPool();

  // fn(PgConnection&) -> core::Status or core::Result<T>, outside any
  // transaction (each statement commits on its own). Retried on a fresh
  // connection after a connection loss, so fn must be safe to repeat: a
  // read, or a single write whose repetition is harmless (a conditional
  // UPDATE that cannot match twice, a DELETE, an upsert of a counter).
  template <typename Fn>
  auto Run(Fn&& fn) -> std::invoke_result_t<Fn&, PgConnection&>;

  // fn(PgConnection&) between BEGIN and COMMIT (READ COMMITTED). fn's
  // error rolls the transaction back and is returned. Retried (at most
  // kMaxAttempts in all) after a connection loss before COMMIT, a
  // serialization failure or a deadlock; fn may run more than once and
  // must not keep state across runs.
  template <typename Fn>
  auto Transact(Fn&& fn) -> std::invoke_result_t<Fn&, PgConnection&>;

  // Opens one connection (or reuses an idle one) and runs `SELECT 1`:
  // reachability for startup and health checks.
  core::Status Ping();

  static constexpr int kMaxAttempts = 3;

  // A new connection with the pool's settings (timeouts, keepalives), not
  // counted in the pool: for a connection held for good (the cache
  // listener, pg_cache_listener.h).
  core::Result<std::unique_ptr<PgConnection>> Connect() const;

 private:
  struct Slot {
    std::unique_ptr<PgConnection> conn;
    std::uint64_t generation = 0;
  };

  core::Result<Slot> Acquire() EXCLUDES(mu_);
  void Release(Slot slot) EXCLUDES(mu_);

  static bool ShouldRetry(const PgConnection& c) {
    const std::string& s = c.last_sqlstate();
    return c.broken() || s == kSerializationFailure || s == kDeadlockDetected;
  }

  const PgPoolOptions options_;
  core::Mutex mu_;
  core::CondVar freed_;
  std::deque<Slot> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;                  // idle + leased + connecting
  std::uint64_t generation_ GUARDED_BY(mu_) = 0;  // bumped on a lost connection
};

template <typename Fn>
auto PgPool::Run(Fn&& fn) -> std::invoke_result_t<Fn&, PgConnection&> {
  using R = std::invoke_result_t<Fn&, PgConnection&>;
  for (int attempt = 1;; ++attempt) {
    core::Result<Slot> slot = Acquire();
    if (!slot.ok()) return R(slot.error());
    PgConnection& conn = *slot->conn;
    R result = fn(conn);
    const bool retry = !result.ok() && ShouldRetry(conn);
    Release(std::move(*slot));
    if (!retry || attempt == kMaxAttempts) return result;
  }
}

template <typename Fn>
auto PgPool::Transact(Fn&& fn) -> std::invoke_result_t<Fn&, PgConnection&> {
  using R = std::invoke_result_t<Fn&, PgConnection&>;
  for (int attempt = 1;; ++attempt) {
    core::Result<Slot> slot = Acquire();
    if (!slot.ok()) return R(slot.error());
    PgConnection& conn = *slot->conn;
    bool retry = false;
    std::optional<R> result;
    if (core::Status begin = conn.ExecScript("BEGIN"); !begin.ok()) {
      retry = ShouldRetry(conn);
      result.emplace(R(begin.error()));
    } else {
      result.emplace(fn(conn));
      if (!result->ok()) {
        retry = ShouldRetry(conn);
        if (!conn.broken()) (void)conn.ExecScript("ROLLBACK");
      } else if (core::Status commit = conn.Commit(); !commit.ok()) {
        // Outcome unknown if the connection dropped; a serialization
        // failure at commit means nothing was written. A failed COMMIT
        // ends the transaction either way.
        retry = !conn.broken() && ShouldRetry(conn);
        result.emplace(R(commit.error()));
      }
    }
    Release(std::move(*slot));
    if (!retry || attempt == kMaxAttempts) return std::move(*result);
  }
}

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_POOL_H_
