// PgCacheListener: keeps the read caches of one authd process on PostgreSQL
// (store/memory/read_cache.h) in step with the writes of every process on
// the database, through LISTEN/NOTIFY.
//
// Migration 0003 makes every committed UPDATE or DELETE of a session, a
// user or a tenant membership, by any program (another authd, an older
// one, psql), send a notification on channel `authd_cache` naming the row
// (ParseCacheNotification). This listener holds a connection of its own,
// LISTENs, and drops each notified row from the caches.
//
// The staleness bound. Every heartbeat_ms it runs `SELECT 1`. PostgreSQL
// delivers the notifications pending for a session before it reports the
// session ready again, so once that answer has arrived, every notification
// of a transaction that committed before the query reached the server has
// arrived and been applied. The listener then opens the CacheGate until
// the moment it sent the query plus bound_ms: a cached row is served at
// time t only if a heartbeat sent after t - bound_ms was answered, so a
// write committed more than bound_ms before t is never served stale,
// however late the listener, the network or the server. A listener that
// stops hearing from the server closes the gate by the passing of time
// alone.
//
// A lost connection closes the gate and drops both caches; reconnection is
// tried every retry_ms. Once LISTEN succeeds again both caches are dropped
// again (nothing was notified while it was down) before the gate reopens.
//
// Owns one thread, stopped and joined by the destructor.
#ifndef AUTHD_STORE_POSTGRES_PG_CACHE_LISTENER_H_
#define AUTHD_STORE_POSTGRES_PG_CACHE_LISTENER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/mutex.h"
#include "core/status.h"
#include "store/memory/read_cache.h"
#include "store/postgres/pg_connection.h"

namespace authd::store::postgres {

// The channel, as the triggers of migration 0003 name it.
inline constexpr const char* kCacheChannel = "authd_cache";

// What one notification asks: "s:<id>" drops a session, "u:<id>" a user;
// anything else ("*" from TRUNCATE, or a payload this version does not
// know) drops everything.
struct CacheInvalidation {
  enum class Kind { kSession, kUser, kAll };
  Kind kind;
  std::string id;  // empty for kAll
};
CacheInvalidation ParseCacheNotification(std::string_view payload);

struct PgCacheListenerOptions {
  // Opens a connection as the pool does (PgPool::Connect).
  std::function<core::Result<std::unique_ptr<PgConnection>>()> connect;
  int heartbeat_ms = 25;
  int bound_ms = 100;  // the staleness bound, above
  int retry_ms = 500;
  // Told when the listener comes up (`up`) or loses its connection (`why`,
  // without credentials), on the listener thread; may be empty.
  std::function<void(bool up, const std::string& why)> on_state;
};

class PgCacheListener {
 public:
  // Borrows `gate`, `sessions` and `users`, which must outlive it; it is
  // the gate's only opener.
  PgCacheListener(PgCacheListenerOptions options, CacheGate& gate, CachedSessionStore& sessions,
                  CachedUserStore& users);
  PgCacheListener(const PgCacheListener&) = delete;
  PgCacheListener& operator=(const PgCacheListener&) = delete;
  ~PgCacheListener();

 private:
  void Run();
  // Listens on one connection until it is lost or Stop; false if it could
  // not even LISTEN.
  bool Listen(PgConnection& conn);
  void Apply(PgConnection& conn);
  void DropAll();
  // Sleeps up to `ms`; false once the destructor asked to stop.
  bool Pause(int ms) EXCLUDES(mu_);

  const PgCacheListenerOptions options_;
  CacheGate& gate_;
  CachedSessionStore& sessions_;
  CachedUserStore& users_;
  core::Mutex mu_;
  core::CondVar stop_signal_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<bool> stop_{false};
  bool was_up_ = false;  // listener thread only: for the log lines
  std::thread thread_;   // last: started once the members above exist
};

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_CACHE_LISTENER_H_
