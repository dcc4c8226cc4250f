#include "store/postgres/postgres_database.h"

#include <string>
#include <utility>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_stores.h"

namespace authd::store {
namespace {

class PostgresDatabaseImpl final : public PostgresDatabase {
 public:
  PostgresDatabaseImpl(std::unique_ptr<postgres::PgPool> pool, int version, std::string url)
      : pool_(std::move(pool)),
        version_(version),
        description_("postgres(" + RedactDatabaseUrl(url) + ")"),
        users_(postgres::NewPgUserStore(*pool_)),
        sessions_(postgres::NewPgSessionStore(*pool_)),
        otps_(postgres::NewPgOtpStore(*pool_)),
        outbox_(postgres::NewPgOutboxStore(*pool_)),
        mfa_(postgres::NewPgMfaStore(*pool_)),
        counters_(postgres::NewPgCounterStore(*pool_)) {}

  identity::UserStore& users() override { return *users_; }
  session::SessionStore& sessions() override { return *sessions_; }
  otp::OtpStore& otps() override { return *otps_; }
  courier::OutboxStore& outbox() override { return *outbox_; }
  mfa::MfaStore& mfa() override { return *mfa_; }
  throttle::CounterStore& counters() override { return *counters_; }
  int schema_version() const override { return version_; }
  std::string description() const override { return description_; }
  bool session_reads_in_memory() const override { return false; }

 private:
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
      new PostgresDatabaseImpl(std::move(pool), *version, options.url));
}

}  // namespace authd::store
