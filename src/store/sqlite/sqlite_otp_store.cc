#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otp/consume_rule.h"
#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {
namespace {

using otp::ConsumeOutcome;
using otp::OneTimeCode;

// The statements on one key bind it as (user ?1, purpose ?2, tenant ?3),
// with BindKey.
constexpr const char* kList =
    "SELECT id, user_id, tenant_id, purpose, code_hash, attempts, expires_at,"
    " created_at FROM otps WHERE user_id = ?1 AND purpose = ?2"
    " AND tenant_id IS ?3 ORDER BY created_at DESC, id DESC";

constexpr const char* kDeleteAll =
    "DELETE FROM otps WHERE user_id = ?1 AND purpose = ?2 AND tenant_id IS ?3";

constexpr const char* kInsert =
    "INSERT INTO otps (id, user_id, tenant_id, purpose, code_hash, attempts,"
    " expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr const char* kDeleteOne = "DELETE FROM otps WHERE id = ?1";

constexpr const char* kCountAttempt =
    "UPDATE otps SET attempts = attempts + 1 WHERE user_id = ?1"
    " AND purpose = ?2 AND tenant_id IS ?3 AND expires_at > ?4";

constexpr const char* kDeleteExhausted =
    "DELETE FROM otps WHERE user_id = ?1 AND purpose = ?2 AND tenant_id IS ?3"
    " AND expires_at > ?4 AND attempts >= ?5";

// IssueDecoy's stand-in for kDeleteAll: the same index probe, but the
// decoy's fresh id matches no row, so a real user's codes are never touched.
constexpr const char* kDecoyDelete =
    "DELETE FROM otps WHERE user_id = ?1 AND purpose = ?2 AND tenant_id IS ?3"
    " AND id = ?4";

// otps.user_id references users, so the decoy's row goes to the outbox,
// which has no foreign key; it is deleted again before COMMIT. The pages it
// dirtied still make the transaction write (and fsync) like Issue's.
constexpr const char* kDecoyInsertMessage =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, body,"
    " next_attempt_at, created_at)"
    " VALUES (?1, ?2, 'email', '', 'decoy', ?3, ?4, ?4)";

constexpr const char* kDecoyDeleteMessage = "DELETE FROM outbox WHERE id = ?1";

void BindKey(Statement& st, const core::TenantId& tenant, const core::UserId& user,
             otp::Purpose purpose) {
  st.BindText(1, user.str()).BindText(2, otp::PurposeName(purpose)).BindTenant(3, tenant);
}

core::Result<OneTimeCode> ReadCode(const Statement& st) {
  OneTimeCode c;
  c.id = st.Text(0);
  c.user_id = core::UserId(st.Text(1));
  c.tenant_id = st.Tenant(2);
  std::optional<otp::Purpose> purpose = otp::ParsePurpose(st.Text(3));
  if (!purpose) {
    return core::Internal("otp " + c.id + ": unknown purpose '" + st.Text(3) + "'");
  }
  c.purpose = *purpose;
  c.code_hash = st.Text(4);
  c.attempts = static_cast<int>(st.Int(5));
  c.expires_at = st.Int(6);
  c.created_at = st.Int(7);
  return c;
}

class SqliteOtpStore final : public otp::OtpStore {
 public:
  SqliteOtpStore(ConnectionPool& pool, Writer& writer) : pool_(pool), writer_(writer) {}

  core::Status Issue(const OneTimeCode& code,
                     const std::vector<courier::OutboxMessage>& messages) override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      {
        core::Result<Statement> st = conn.Prepare(kDeleteAll);
        if (!st.ok()) return st.error();
        BindKey(*st, code.tenant_id, code.user_id, code.purpose);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      {
        core::Result<Statement> st = conn.Prepare(kInsert);
        if (!st.ok()) return st.error();
        st->BindText(1, code.id)
            .BindText(2, code.user_id.str())
            .BindTenant(3, code.tenant_id)
            .BindText(4, otp::PurposeName(code.purpose))
            .BindText(5, code.code_hash)
            .BindInt(6, code.attempts)
            .BindInt(7, code.expires_at)
            .BindInt(8, code.created_at);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      return InsertOutboxMessages(conn, messages);
    });
  }

  core::Status IssueDecoy(const OneTimeCode& code) override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      {
        core::Result<Statement> st = conn.Prepare(kDecoyDelete);
        if (!st.ok()) return st.error();
        BindKey(*st, code.tenant_id, code.user_id, code.purpose);
        st->BindText(4, code.id);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      {
        core::Result<Statement> st = conn.Prepare(kDecoyInsertMessage);
        if (!st.ok()) return st.error();
        st->BindText(1, code.id)
            .BindTenant(2, code.tenant_id)
            .BindText(3, code.code_hash)
            .BindInt(4, code.created_at);
        if (core::Status s = st->Run(); !s.ok()) return s;
      }
      core::Result<Statement> st = conn.Prepare(kDecoyDeleteMessage);
      if (!st.ok()) return st.error();
      st->BindText(1, code.id);
      return st->Run();
    });
  }

  core::Result<ConsumeOutcome> Consume(const core::TenantId& tenant, const core::UserId& user,
                                       otp::Purpose purpose, std::string_view code_hash,
                                       core::UnixMillis now, int max_attempts) override {
    ConsumeOutcome outcome = ConsumeOutcome::kInvalid;
    // One writer op: the read and the delete or the attempt counting are
    // one transaction, so of several racing correct submissions only the
    // first finds the row.
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<ConsumeOutcome> r =
          ConsumeOn(conn, tenant, user, purpose, code_hash, now, max_attempts);
      if (!r.ok()) return r.error();
      outcome = *r;
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return outcome;
  }

  core::Result<int> DeleteAll(const core::TenantId& tenant, const core::UserId& user,
                              otp::Purpose purpose) override {
    int deleted = 0;
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kDeleteAll);
      if (!st.ok()) return st.error();
      BindKey(*st, tenant, user, purpose);
      if (core::Status run = st->Run(); !run.ok()) return run;
      deleted = st->changes();
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return deleted;
  }

  core::Result<std::vector<OneTimeCode>> List(const core::TenantId& tenant,
                                              const core::UserId& user,
                                              otp::Purpose purpose) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    return ListOn(**conn, tenant, user, purpose);
  }

 private:
  static core::Result<std::vector<OneTimeCode>> ListOn(Connection& conn,
                                                       const core::TenantId& tenant,
                                                       const core::UserId& user,
                                                       otp::Purpose purpose) {
    core::Result<Statement> st = conn.Prepare(kList);
    if (!st.ok()) return st.error();
    BindKey(*st, tenant, user, purpose);
    std::vector<OneTimeCode> out;
    while (true) {
      core::Result<bool> row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      core::Result<OneTimeCode> c = ReadCode(*st);
      if (!c.ok()) return c.error();
      out.push_back(std::move(*c));
    }
    return out;
  }

  // Inside Consume's writer op: the algorithm of OtpStore::Consume.
  static core::Result<ConsumeOutcome> ConsumeOn(Connection& conn, const core::TenantId& tenant,
                                                const core::UserId& user, otp::Purpose purpose,
                                                std::string_view code_hash, core::UnixMillis now,
                                                int max_attempts) {
    core::Result<std::vector<OneTimeCode>> codes = ListOn(conn, tenant, user, purpose);
    if (!codes.ok()) return codes.error();
    // The rows were read inside this transaction, so the decision holds
    // when it is applied below.
    const otp::ConsumeDecision d = otp::DecideConsume(*codes, code_hash, now, max_attempts);
    if (!d.delete_id.empty()) {
      core::Result<Statement> st = conn.Prepare(kDeleteOne);
      if (!st.ok()) return st.error();
      st->BindText(1, d.delete_id);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    if (!d.count_attempt) return d.outcome;
    // otp::CountsAttempt and otp::SpentByAttempt, in SQL.
    {
      core::Result<Statement> st = conn.Prepare(kCountAttempt);
      if (!st.ok()) return st.error();
      BindKey(*st, tenant, user, purpose);
      st->BindInt(4, now);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    {
      core::Result<Statement> st = conn.Prepare(kDeleteExhausted);
      if (!st.ok()) return st.error();
      BindKey(*st, tenant, user, purpose);
      st->BindInt(4, now).BindInt(5, max_attempts);
      if (core::Status s = st->Run(); !s.ok()) return s;
    }
    return d.outcome;
  }

  ConnectionPool& pool_;  // reads
  Writer& writer_;        // every write, group-committed
};

}  // namespace

std::unique_ptr<otp::OtpStore> NewSqliteOtpStore(ConnectionPool& pool, Writer& writer) {
  return std::make_unique<SqliteOtpStore>(pool, writer);
}

}  // namespace authd::store::sqlite
