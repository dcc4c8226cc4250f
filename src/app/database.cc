#include "app/database.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

#include "store/memory/memory_stores.h"
#include "store/memory/read_cache.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"

namespace authd::app {
namespace {

// What the SQLite writer calls when another process (the sqlite3 CLI, an
// operator's tool) wrote to the database: the cached rows may be stale.
std::function<void()> ForgetCachedRows(const std::string& path, store::CachedUserStore& users,
                                       store::CachedSessionStore& sessions) {
  return [path, &users, &sessions, logged = false]() mutable {
    users.DropAll();
    sessions.DropAll();
    if (!logged) {
      logged = true;
      spdlog::info(
          "storage: another process wrote to {}; cached users and sessions dropped "
          "(done at every such write; logged once)",
          path);
    }
  };
}

class SqliteStorage final : public store::Database {
 public:
  // The file has one owner (this process): rate-limit windows live here,
  // and a claim left by a previous run that crashed is released at once.
  static core::Result<std::unique_ptr<SqliteStorage>> Open(const std::string& path,
                                                           int cache_entries) {
    auto db = store::SqliteDatabase::Open(store::SqliteOptions{path});
    if (!db.ok()) return db.error();
    if (core::Status st = (*db)->outbox().ReleaseClaims(); !st.ok()) return st.error();
    auto out = std::unique_ptr<SqliteStorage>(new SqliteStorage(std::move(*db), path));
    // Every write goes through this process, so reads can be cached.
    if (cache_entries > 0) out->CacheReads(static_cast<std::size_t>(cache_entries));
    out->guard_ = session::NewStoreGuardReader(out->sessions(), out->users());
    return out;
  }

  identity::UserStore& users() override { return cached_users_ ? *cached_users_ : db_->users(); }
  session::SessionStore& sessions() override {
    return cached_sessions_ ? *cached_sessions_ : db_->sessions();
  }
  otp::OtpStore& otps() override { return db_->otps(); }
  courier::OutboxStore& outbox() override { return db_->outbox(); }
  mfa::MfaStore& mfa() override { return db_->mfa(); }
  throttle::CounterStore& counters() override { return *counters_; }
  session::GuardReader& guard_reader() override { return *guard_; }
  std::string description() const override { return "sqlite:" + path_; }
  int schema_version() const override { return db_->schema_version(); }
  bool session_reads_in_memory() const override { return cached_sessions_ != nullptr; }

 private:
  SqliteStorage(std::unique_ptr<store::SqliteDatabase> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}

  void CacheReads(std::size_t max_entries) {
    store::ReadCacheOptions cache;
    cache.max_entries = max_entries;
    cached_users_ = store::NewCachedUserStore(db_->users(), cache);
    cached_sessions_ = store::NewCachedSessionStore(db_->sessions(), cache);
    db_->SetForeignWriteListener(ForgetCachedRows(path_, *cached_users_, *cached_sessions_));
  }

  // Before `db_`, so destroyed after it: its writer thread may call into
  // them until it stops.
  std::unique_ptr<store::CachedUserStore> cached_users_;
  std::unique_ptr<store::CachedSessionStore> cached_sessions_;
  std::unique_ptr<store::SqliteDatabase> db_;
  const std::unique_ptr<throttle::CounterStore> counters_ = store::NewMemoryCounterStore();
  const std::string path_;
  std::unique_ptr<session::GuardReader> guard_;  // over users() and sessions()
};

}  // namespace

std::string SqlitePathOf(const config::StorageOptions& s) {
  const std::string prefix = "sqlite://";
  if (s.database_url.rfind(prefix, 0) == 0) return s.database_url.substr(prefix.size());
  return (std::filesystem::path(s.data_dir) / "authd.db").string();
}

core::Result<std::unique_ptr<store::Database>> OpenDatabase(const config::StorageOptions& s) {
  if (store::IsPostgresUrl(s.database_url)) {
    store::PostgresOptions o;
    o.url = s.database_url;
    o.pool_size = s.postgres_pool_size;
    o.connect_timeout_ms = static_cast<int>(s.postgres_connect_timeout_ms);
    o.acquire_timeout_ms = static_cast<int>(s.postgres_acquire_timeout_ms);
    o.statement_timeout_ms = static_cast<int>(s.postgres_statement_timeout_ms);
    o.read_cache_entries = s.postgres_read_cache_entries;
    o.on_cache_state = [](bool up, const std::string& why) {
      if (up) {
        spdlog::info("storage: read cache listening for writes (LISTEN authd_cache)");
      } else {
        spdlog::warn(
            "storage: read cache listener lost its connection ({}); reading the "
            "database until it is back",
            why);
      }
    };
    auto db = store::PostgresDatabase::Open(o);
    if (!db.ok()) return db.error();
    return std::unique_ptr<store::Database>(std::move(*db));
  }
  auto db = SqliteStorage::Open(SqlitePathOf(s), s.sqlite_cache_entries);
  if (!db.ok()) return db.error();
  return std::unique_ptr<store::Database>(std::move(*db));
}

}  // namespace authd::app
