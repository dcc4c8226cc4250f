#include "store/postgres/postgres_database.h"

#include <utility>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_stores.h"

namespace authd::store {
namespace {

class PostgresDatabaseImpl final : public PostgresDatabase {
 public:
  PostgresDatabaseImpl(std::unique_ptr<postgres::PgPool> pool, int version)
      : pool_(std::move(pool)),
        version_(version),
        users_(postgres::NewPgUserStore(*pool_)),
        sessions_(postgres::NewPgSessionStore(*pool_)),
        otps_(postgres::NewPgOtpStore(*pool_)),
        outbox_(postgres::NewPgOutboxStore(*pool_)),
        mfa_(postgres::NewPgMfaStore(*pool_)),
        counters_(postgres::NewPgCounterStore(*pool_)),
        guard_reader_(postgres::NewPgGuardReader(*pool_)) {}

  identity::UserStore& users() override { return *users_; }
  session::SessionStore& sessions() override { return *sessions_; }
  otp::OtpStore& otps() override { return *otps_; }
  courier::OutboxStore& outbox() override { return *outbox_; }
  mfa::MfaStore& mfa() override { return *mfa_; }
  throttle::CounterStore& counters() override { return *counters_; }
  session::GuardReader& guard_reader() override { return *guard_reader_; }
  int schema_version() const override { return version_; }

 private:
  // Declared first: destroyed last, after the stores that borrow it.
  std::unique_ptr<postgres::PgPool> pool_;
  const int version_;
  std::unique_ptr<identity::UserStore> users_;
  std::unique_ptr<session::SessionStore> sessions_;
  std::unique_ptr<otp::OtpStore> otps_;
  std::unique_ptr<courier::OutboxStore> outbox_;
  std::unique_ptr<mfa::MfaStore> mfa_;
  std::unique_ptr<throttle::CounterStore> counters_;
  std::unique_ptr<session::GuardReader> guard_reader_;
};

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
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
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabaseImpl(std::move(pool), *version));
}

}  // namespace authd::store
