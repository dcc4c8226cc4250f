// Read-through caches in front of a SessionStore and a UserStore, for the
// embedded deployment, where this process is the database's only writer.
//
// Every authenticated request reads its session and its user (the guard);
// with the caches, a request whose session and user were read before costs
// two hash lookups and copies instead of two SQL queries and a JSON decode.
//
// Correctness rests on one premise: every write to the cached rows goes
// through these decorators, or is followed by DropAll(). That holds when
// one authd process owns the database (SQLite) and the few writes of other
// programs (the sqlite3 CLI, an operator's tool) are noticed
// (SqliteDatabase::SetForeignWriteListener calls DropAll); it does NOT
// hold when several authd processes share it (PostgreSQL): there the caches
// take a CacheGate, open only while the writes of every process are known
// to reach this one (store/postgres/pg_cache_listener.h: LISTEN/NOTIFY),
// and each write another process commits is dropped through Drop().
//
// Invalidation. Each write is applied to the inner store first, then the
// cached entries it may have changed are dropped: a session on Rotate or
// Delete; every session of the user on Create (which may evict the user's
// least active sessions) and DeleteAllForUser; the user on any user write.
// A read that misses records the shard's write sequence before reading the
// inner store and caches the row only if no write touched the shard
// meanwhile, so a row read before a write can never be cached after it.
// A request running concurrently with a logout may still see the session
// (as it could without the cache); any request that starts after the
// logout's reply does not.
//
// Expiry is checked on every hit (`now`), so an expired session is never
// served from the cache: its entry is dropped and the inner store deletes
// the row as usual.
// Inside a core::NonBlockingScope (an I/O thread trying a read handler
// inline), a hit is answered as usual and every call that would reach the
// inner store returns core::NonBlockingScope::WouldBlock() instead, so the
// handler is run again on a worker thread.
//
// Memory is bounded: each shard holds at most max_entries / shards rows and
// is emptied when full (cheap, and a full shard is rare: the next requests
// refill it). Thread-safe.
#ifndef AUTHD_STORE_MEMORY_READ_CACHE_H_
#define AUTHD_STORE_MEMORY_READ_CACHE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "identity/user_store.h"
#include "session/session_store.h"

namespace authd::store {

// Whether the cached rows may be trusted now: open until a deadline that
// its owner keeps moving forward (OpenUntil) while it knows that every
// write committed before "now - bound" has been applied to the caches.
// While closed, the caches answer nothing and store nothing: every read
// goes to the inner store. Closing never needs a call: the deadline just
// passes. Thread-safe; a check is one atomic load and a steady-clock read.
class CacheGate {
 public:
  using Clock = std::chrono::steady_clock;

  bool Open() const { return Clock::now().time_since_epoch().count() < until_.load(); }
  void OpenUntil(Clock::time_point t) { until_.store(t.time_since_epoch().count()); }
  void Close() { until_.store(kClosed); }

 private:
  static constexpr std::int64_t kClosed = INT64_MIN;
  std::atomic<std::int64_t> until_{kClosed};
};

struct ReadCacheOptions {
  std::size_t max_entries = 100'000;  // per cache
  int shards = 16;
  // Borrowed, must outlive the cache; null = always open (one writer).
  const CacheGate* gate = nullptr;
};

// A SessionStore / UserStore decorator that can also forget everything.
class CachedSessionStore : public session::SessionStore {
 public:
  // Drops every cached row, for writes that did not go through the
  // decorator. A read that missed before the call and fills after it is
  // not cached (as with any write).
  virtual void DropAll() = 0;
  // Drops the session `id`, for a write to its row that did not go
  // through the decorator.
  virtual void Drop(const std::string& id) = 0;
};

class CachedUserStore : public identity::UserStore {
 public:
  virtual void DropAll() = 0;                    // as CachedSessionStore::DropAll
  virtual void Drop(const std::string& id) = 0;  // the user `id`
};

// The decorators borrow `inner`, which must outlive them.
std::unique_ptr<CachedSessionStore> NewCachedSessionStore(session::SessionStore& inner,
                                                          const ReadCacheOptions& options);
std::unique_ptr<CachedUserStore> NewCachedUserStore(identity::UserStore& inner,
                                                    const ReadCacheOptions& options);

}  // namespace authd::store

#endif  // AUTHD_STORE_MEMORY_READ_CACHE_H_
