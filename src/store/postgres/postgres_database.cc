#include "store/postgres/postgres_database.h"

#include <string>
#include <utility>

#include "core/nonblocking.h"
#include "store/memory/read_cache.h"
#include "store/postgres/pg_cache_listener.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_stores.h"

namespace authd::store {
namespace {

// The cached reads while the gate is open, the JOIN on the server while it
// is closed. Inside a core::NonBlockingScope a closed gate is a refusal:
// the JOIN would block the I/O thread.
class GatedGuardReader final : public session::GuardReader {
 public:
  GatedGuardReader(const CacheGate& gate, std::unique_ptr<session::GuardReader> cached,
                   session::GuardReader& direct)
      : gate_(gate), cached_(std::move(cached)), direct_(direct) {}

  core::Result<std::optional<session::SessionAndUser>> Read(const core::TenantId& tenant,
                                                            const core::SessionId& id,
                                                            core::UnixMillis now) override {
    if (gate_.Open()) return cached_->Read(tenant, id, now);
    if (core::NonBlockingScope::Active()) return core::NonBlockingScope::WouldBlock();
    return direct_.Read(tenant, id, now);
  }

 private:
  const CacheGate& gate_;
  const std::unique_ptr<session::GuardReader> cached_;
  session::GuardReader& direct_;
};

class PostgresDatabaseImpl final : public PostgresDatabase {
 public:
  PostgresDatabaseImpl(std::unique_ptr<postgres::PgPool> pool, int version,
                       const PostgresOptions& options)
      : pool_(std::move(pool)),
        version_(version),
        description_("postgres(" + RedactDatabaseUrl(options.url) + ")"),
        users_(postgres::NewPgUserStore(*pool_)),
        sessions_(postgres::NewPgSessionStore(*pool_)),
        otps_(postgres::NewPgOtpStore(*pool_)),
        outbox_(postgres::NewPgOutboxStore(*pool_)),
        mfa_(postgres::NewPgMfaStore(*pool_)),
        counters_(postgres::NewPgCounterStore(*pool_)),
        guard_reader_(postgres::NewPgGuardReader(*pool_)) {
    if (options.read_cache_entries > 0) CacheReads(options);
  }

  identity::UserStore& users() override { return cached_users_ ? *cached_users_ : *users_; }
  session::SessionStore& sessions() override {
    return cached_sessions_ ? *cached_sessions_ : *sessions_;
  }
  otp::OtpStore& otps() override { return *otps_; }
  courier::OutboxStore& outbox() override { return *outbox_; }
  mfa::MfaStore& mfa() override { return *mfa_; }
  throttle::CounterStore& counters() override { return *counters_; }
  session::GuardReader& guard_reader() override {
    return gated_reader_ ? *gated_reader_ : *guard_reader_;
  }
  int schema_version() const override { return version_; }
  std::string description() const override { return description_; }
  // Other processes write too: only the LISTEN/NOTIFY-gated cache
  // (storage.postgres_read_cache_entries) may answer for the database.
  bool session_reads_in_memory() const override { return gated_reader_ != nullptr; }

 private:
  void CacheReads(const PostgresOptions& options) {
    ReadCacheOptions cache;
    cache.max_entries = static_cast<std::size_t>(options.read_cache_entries);
    cache.gate = &gate_;
    cached_users_ = NewCachedUserStore(*users_, cache);
    cached_sessions_ = NewCachedSessionStore(*sessions_, cache);
    gated_reader_ = std::make_unique<GatedGuardReader>(
        gate_, session::NewStoreGuardReader(*cached_sessions_, *cached_users_), *guard_reader_);
    postgres::PgCacheListenerOptions lo;
    lo.connect = [pool = pool_.get()] { return pool->Connect(); };
    lo.on_state = options.on_cache_state;
    listener_ = std::make_unique<postgres::PgCacheListener>(std::move(lo), gate_, *cached_sessions_,
                                                            *cached_users_);
  }

  // Declared first: destroyed last, after the stores that borrow it.
  std::unique_ptr<postgres::PgPool> pool_;
  const int version_;
  const std::string description_;
  std::unique_ptr<identity::UserStore> users_;
  std::unique_ptr<session::SessionStore> sessions_;
  std::unique_ptr<otp::OtpStore> otps_;
  std::unique_ptr<courier::OutboxStore> outbox_;
  std::unique_ptr<mfa::MfaStore> mfa_;
  std::unique_ptr<throttle::CounterStore> counters_;
  std::unique_ptr<session::GuardReader> guard_reader_;
  // The read cache (read_cache_entries > 0), over the stores above.
  CacheGate gate_;
  std::unique_ptr<CachedUserStore> cached_users_;
  std::unique_ptr<CachedSessionStore> cached_sessions_;
  std::unique_ptr<session::GuardReader> gated_reader_;
  // Last: stopped first, before what it calls into.
  std::unique_ptr<postgres::PgCacheListener> listener_;
};

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::string RedactDatabaseUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "?";
  std::string rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('?'));
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  return url.substr(0, scheme_end) + "://" + rest;
}

core::Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(
    const PostgresOptions& options) {
  postgres::PgPoolOptions po;
  po.url = options.url;
  po.max_connections = options.pool_size;
  po.connect_timeout_ms = options.connect_timeout_ms;
  po.acquire_timeout_ms = options.acquire_timeout_ms;
  po.statement_timeout_ms = options.statement_timeout_ms;
  auto pool = std::make_unique<postgres::PgPool>(std::move(po));
  core::Result<int> version = postgres::Migrate(*pool);
  if (!version.ok()) return version.error();
  return std::unique_ptr<PostgresDatabase>(
      new PostgresDatabaseImpl(std::move(pool), *version, options));
}

}  // namespace authd::store
