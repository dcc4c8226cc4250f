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
// hold when several authd processes share it (PostgreSQL), so the caches
// must not be used there.
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

#include <cstddef>
#include <memory>

#include "identity/user_store.h"
#include "session/session_store.h"

namespace authd::store {

struct ReadCacheOptions {
  std::size_t max_entries = 100'000;  // per cache
  int shards = 16;
};

// A SessionStore / UserStore decorator that can also forget everything.
class CachedSessionStore : public session::SessionStore {
 public:
  // Drops every cached row, for writes that did not go through the
  // decorator. A read that missed before the call and fills after it is
  // not cached (as with any write).
  virtual void DropAll() = 0;
};

class CachedUserStore : public identity::UserStore {
 public:
  virtual void DropAll() = 0;  // as CachedSessionStore::DropAll
};

// The decorators borrow `inner`, which must outlive them.
std::unique_ptr<CachedSessionStore> NewCachedSessionStore(session::SessionStore& inner,
                                                          const ReadCacheOptions& options);
std::unique_ptr<CachedUserStore> NewCachedUserStore(identity::UserStore& inner,
                                                    const ReadCacheOptions& options);

}  // namespace authd::store

#endif  // AUTHD_STORE_MEMORY_READ_CACHE_H_
