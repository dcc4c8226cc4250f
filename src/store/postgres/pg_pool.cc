#include "store/postgres/pg_pool.h"

#include <algorithm>
#include <vector>

namespace authd::store::postgres {

PgPool::PgPool(PgPoolOptions options) : options_(std::move(options)) {}

PgPool::~PgPool() = default;

core::Result<std::unique_ptr<PgConnection>> PgPool::Connect() const {
  // authd's defaults first: the URL (expanded from `dbname`) overrides
  // them, so an operator can still set any of these in the URL.
  const int connect_s = std::max(2, (options_.connect_timeout_ms + 999) / 1000);
  std::vector<std::pair<std::string, std::string>> params = {
      {"application_name", "authd"},
      {"connect_timeout", std::to_string(connect_s)},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", std::to_string(options_.statement_timeout_ms + 5000)},
      {"dbname", options_.url},
  };
  core::Result<std::unique_ptr<PgConnection>> conn = PgConnection::Open(params);
  if (!conn.ok()) return conn;
  const std::string set =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout_ms) +
      "; SET client_min_messages = warning";
  if (core::Status s = (*conn)->ExecScript(set.c_str()); !s.ok()) return s.error();
  return conn;
}

core::Result<PgPool::Slot> PgPool::Acquire() {
  std::uint64_t generation = 0;
  {
    core::MutexLock lock(&mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
    while (true) {
      if (!idle_.empty()) {
        Slot s = std::move(idle_.back());  // the warmest connection
        idle_.pop_back();
        return s;
      }
      if (open_ < options_.max_connections) break;
      if (!freed_.WaitUntil(&mu_, deadline) && idle_.empty() && open_ >= options_.max_connections) {
        return core::Unavailable(
            "postgres: no connection free within " + std::to_string(options_.acquire_timeout_ms) +
            " ms (storage.postgres_pool_size " + std::to_string(options_.max_connections) + ")");
      }
    }
    ++open_;
    generation = generation_;
  }
  core::Result<std::unique_ptr<PgConnection>> conn = Connect();
  if (!conn.ok()) {
    core::MutexLock lock(&mu_);
    --open_;
    freed_.Signal();
    return conn.error();
  }
  return Slot{std::move(*conn), generation};
}

void PgPool::Release(Slot slot) {
  std::vector<Slot> stale;  // closed outside the lock
  {
    core::MutexLock lock(&mu_);
    // A connection left inside a transaction (a ROLLBACK that failed) is
    // as unusable as a broken one.
    if (!slot.conn->idle()) {
      --open_;
      // Connections opened before a lost one most likely died with it.
      if (slot.conn->broken() && slot.generation >= generation_) ++generation_;
      std::deque<Slot> keep;
      for (Slot& s : idle_) {
        if (s.generation < generation_) {
          stale.push_back(std::move(s));
          --open_;
        } else {
          keep.push_back(std::move(s));
        }
      }
      idle_.swap(keep);
      stale.push_back(std::move(slot));
    } else if (slot.generation < generation_) {
      // Survived, but the pool has moved on; it is still fine to reuse.
      slot.generation = generation_;
      idle_.push_back(std::move(slot));
    } else {
      idle_.push_back(std::move(slot));
    }
    freed_.SignalAll();
  }
}

core::Status PgPool::Ping() {
  return Run([](PgConnection& c) -> core::Status {
    core::Result<PgResult> r = c.Exec("SELECT 1");
    return r.ok() ? core::Status::Ok() : core::Status(r.error());
  });
}

}  // namespace authd::store::postgres
