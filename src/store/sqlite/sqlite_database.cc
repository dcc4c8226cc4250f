#include "store/sqlite/sqlite_database.h"

#include <string>
#include <utility>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_stores.h"

namespace authd::store {
namespace {

using sqlite::Connection;
using sqlite::ConnectionPool;
using sqlite::Statement;

// At most this many problems are quoted in an IntegrityCheck error.
constexpr int kMaxReportedProblems = 10;

class SqliteDatabaseImpl final : public SqliteDatabase {
 public:
  SqliteDatabaseImpl(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<sqlite::Writer> writer,
                     int version)
      : pool_(std::move(pool)),
        writer_(std::move(writer)),
        version_(version),
        users_(sqlite::NewSqliteUserStore(*pool_, *writer_)),
        sessions_(sqlite::NewSqliteSessionStore(*pool_, *writer_)),
        otps_(sqlite::NewSqliteOtpStore(*pool_, *writer_)),
        outbox_(sqlite::NewSqliteOutboxStore(*pool_, *writer_)),
        mfa_(sqlite::NewSqliteMfaStore(*pool_, *writer_)) {}

  identity::UserStore& users() override { return *users_; }
  session::SessionStore& sessions() override { return *sessions_; }
  otp::OtpStore& otps() override { return *otps_; }
  courier::OutboxStore& outbox() override { return *outbox_; }
  mfa::MfaStore& mfa() override { return *mfa_; }
  int schema_version() const override { return version_; }
  void SetForeignWriteListener(std::function<void()> listener) override {
    writer_->SetForeignWriteListener(std::move(listener));
  }

  core::Status IntegrityCheck() override {
    core::Result<ConnectionPool::Lease> conn = pool_->Acquire();
    if (!conn.ok()) return conn.error();
    std::string problems;
    if (core::Status s = Collect(**conn, "PRAGMA integrity_check",
                                 /*foreign_keys=*/false, problems);
        !s.ok()) {
      return s;
    }
    if (problems == "ok") problems.clear();
    if (core::Status s = Collect(**conn, "PRAGMA foreign_key_check",
                                 /*foreign_keys=*/true, problems);
        !s.ok()) {
      return s;
    }
    if (problems.empty()) return core::Status::Ok();
    return core::Internal("sqlite integrity check failed: " + problems);
  }

 private:
  // Appends the rows of `sql` to `out`, "; "-separated: the message of an
  // integrity_check row, or "table rowid N -> parent" of a foreign_key_check
  // row.
  static core::Status Collect(Connection& conn, const char* sql, bool foreign_keys,
                              std::string& out) {
    core::Result<Statement> st = conn.Prepare(sql);
    if (!st.ok()) return st.error();
    for (int n = 0; n < kMaxReportedProblems; ++n) {
      core::Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (!out.empty()) out.append("; ");
      out.append(st->Text(0));
      if (foreign_keys) {
        out.append(" rowid ").append(st->Text(1)).append(" -> ").append(st->Text(2));
      }
    }
    return core::Status::Ok();
  }

  // Declared first: destroyed last, after the stores that borrow it.
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<sqlite::Writer> writer_;  // after pool_: holds one of its connections
  const int version_;
  std::unique_ptr<identity::UserStore> users_;
  std::unique_ptr<session::SessionStore> sessions_;
  std::unique_ptr<otp::OtpStore> otps_;
  std::unique_ptr<courier::OutboxStore> outbox_;
  std::unique_ptr<mfa::MfaStore> mfa_;
};

}  // namespace

core::Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const SqliteOptions& options) {
  core::Result<std::unique_ptr<Connection>> conn = Connection::Open(options);
  if (!conn.ok()) return conn.error();
  core::Result<int> version = sqlite::Migrate(**conn);
  if (!version.ok()) return version.error();
  auto pool = std::make_unique<ConnectionPool>(options);
  pool->Release(std::move(*conn));
  core::Result<std::unique_ptr<sqlite::Writer>> writer =
      sqlite::Writer::Start(*pool, options.foreign_write_check_ms);
  if (!writer.ok()) return writer.error();
  return std::unique_ptr<SqliteDatabase>(
      new SqliteDatabaseImpl(std::move(pool), std::move(*writer), *version));
}

}  // namespace authd::store
