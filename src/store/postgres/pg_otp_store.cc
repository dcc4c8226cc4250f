#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otp/consume_rule.h"
#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using otp::ConsumeOutcome;
using otp::OneTimeCode;

// Taken first by every write on a user's codes (Issue, IssueDecoy, Consume,
// DeleteAll): those of one user run one after the other, in any number of
// processes, so a code read by Consume is still there when it is deleted
// or counted, and a code is consumed exactly once. A missing user locks
// nothing (it has no codes; Issue's insert then fails on the foreign key).
constexpr const char* kLockUser = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";

// The statements on one key bind it as (user $1, purpose $2, tenant $3),
// with KeyParams.
constexpr const char* kList =
    "SELECT id, user_id, tenant_id, purpose, code_hash, attempts, expires_at,"
    " created_at FROM otps WHERE user_id = $1 AND purpose = $2"
    " AND tenant_id IS NOT DISTINCT FROM $3 ORDER BY created_at DESC, id DESC";

constexpr const char* kDeleteAll =
    "DELETE FROM otps WHERE user_id = $1 AND purpose = $2"
    " AND tenant_id IS NOT DISTINCT FROM $3";

constexpr const char* kInsert =
    "INSERT INTO otps (id, user_id, tenant_id, purpose, code_hash, attempts,"
    " expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

constexpr const char* kDeleteOne = "DELETE FROM otps WHERE id = $1";

constexpr const char* kCountAttempt =
    "UPDATE otps SET attempts = attempts + 1 WHERE user_id = $1"
    " AND purpose = $2 AND tenant_id IS NOT DISTINCT FROM $3 AND expires_at > $4";

constexpr const char* kDeleteExhausted =
    "DELETE FROM otps WHERE user_id = $1 AND purpose = $2"
    " AND tenant_id IS NOT DISTINCT FROM $3 AND expires_at > $4 AND attempts >= $5";

// IssueDecoy's stand-in for kDeleteAll: the same index probe, but the
// decoy's fresh id matches no row, so a real user's codes are never touched.
constexpr const char* kDecoyDelete =
    "DELETE FROM otps WHERE user_id = $1 AND purpose = $2"
    " AND tenant_id IS NOT DISTINCT FROM $3 AND id = $4";

// otps.user_id references users, so the decoy's row goes to the outbox,
// which has no foreign key; it is deleted again before COMMIT (no other
// transaction ever sees it). The transaction still writes WAL and waits
// for its commit like Issue's.
constexpr const char* kDecoyInsertMessage =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, body,"
    " next_attempt_at, created_at)"
    " VALUES ($1, $2, 'email', '', 'decoy', $3, $4, $4)";

constexpr const char* kDecoyDeleteMessage = "DELETE FROM outbox WHERE id = $1";

PgParams KeyParams(const core::TenantId& tenant, const core::UserId& user, otp::Purpose purpose) {
  PgParams p;
  p.Text(user.str()).Text(otp::PurposeName(purpose)).Tenant(tenant);
  return p;
}

core::Status LockUser(PgConnection& conn, const core::UserId& user) {
  return StatusOf(conn.Exec(kLockUser, PgParams().Text(user.str())));
}

core::Result<OneTimeCode> ReadCode(const PgResult& r, int row) {
  OneTimeCode c;
  c.id = r.Text(row, 0);
  c.user_id = core::UserId(r.Text(row, 1));
  c.tenant_id = r.Tenant(row, 2);
  std::optional<otp::Purpose> purpose = otp::ParsePurpose(r.Text(row, 3));
  if (!purpose) {
    return core::Internal("otp " + c.id + ": unknown purpose '" + r.Text(row, 3) + "'");
  }
  c.purpose = *purpose;
  c.code_hash = r.Text(row, 4);
  c.attempts = static_cast<int>(r.Int(row, 5));
  c.expires_at = r.Int(row, 6);
  c.created_at = r.Int(row, 7);
  return c;
}

core::Result<std::vector<OneTimeCode>> ListOn(PgConnection& conn, const core::TenantId& tenant,
                                              const core::UserId& user, otp::Purpose purpose) {
  core::Result<PgResult> r = conn.Exec(kList, KeyParams(tenant, user, purpose));
  if (!r.ok()) return r.error();
  std::vector<OneTimeCode> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    core::Result<OneTimeCode> c = ReadCode(*r, i);
    if (!c.ok()) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

// Inside Consume's transaction, after the user's row is locked: the
// algorithm of OtpStore::Consume.
core::Result<ConsumeOutcome> ConsumeOn(PgConnection& conn, const core::TenantId& tenant,
                                       const core::UserId& user, otp::Purpose purpose,
                                       std::string_view code_hash, core::UnixMillis now,
                                       int max_attempts) {
  core::Result<std::vector<OneTimeCode>> codes = ListOn(conn, tenant, user, purpose);
  if (!codes.ok()) return codes.error();
  // The rows cannot change under the user's lock: the decision holds when
  // it is applied below.
  const otp::ConsumeDecision d = otp::DecideConsume(*codes, code_hash, now, max_attempts);
  if (!d.delete_id.empty()) {
    if (core::Status s = StatusOf(conn.Exec(kDeleteOne, PgParams().Text(d.delete_id))); !s.ok()) {
      return s.error();
    }
  }
  if (!d.count_attempt) return d.outcome;
  // otp::CountsAttempt and otp::SpentByAttempt, in SQL.
  if (core::Status s =
          StatusOf(conn.Exec(kCountAttempt, KeyParams(tenant, user, purpose).Int(now)));
      !s.ok()) {
    return s.error();
  }
  if (core::Status s = StatusOf(
          conn.Exec(kDeleteExhausted, KeyParams(tenant, user, purpose).Int(now).Int(max_attempts)));
      !s.ok()) {
    return s.error();
  }
  return d.outcome;
}

class PgOtpStore final : public otp::OtpStore {
 public:
  explicit PgOtpStore(PgPool& pool) : pool_(pool) {}

  core::Status Issue(const OneTimeCode& code,
                     const std::vector<courier::OutboxMessage>& messages) override {
    return pool_.Transact([&](PgConnection& conn) -> core::Status {
      if (core::Status s = LockUser(conn, code.user_id); !s.ok()) return s;
      if (core::Status s = StatusOf(
              conn.Exec(kDeleteAll, KeyParams(code.tenant_id, code.user_id, code.purpose)));
          !s.ok()) {
        return s;
      }
      PgParams insert;
      insert.Text(code.id)
          .Text(code.user_id.str())
          .Tenant(code.tenant_id)
          .Text(otp::PurposeName(code.purpose))
          .Text(code.code_hash)
          .Int(code.attempts)
          .Int(code.expires_at)
          .Int(code.created_at);
      if (core::Status s = StatusOf(conn.Exec(kInsert, insert)); !s.ok()) return s;
      return InsertOutboxMessages(conn, messages);
    });
  }

  // Issue's shape: the user's lock (a no-op for an unknown user), a delete
  // probe on the key, an insert, and a write of the outbox.
  core::Status IssueDecoy(const OneTimeCode& code) override {
    return pool_.Transact([&](PgConnection& conn) -> core::Status {
      if (core::Status s = LockUser(conn, code.user_id); !s.ok()) return s;
      if (core::Status s = StatusOf(conn.Exec(
              kDecoyDelete, KeyParams(code.tenant_id, code.user_id, code.purpose).Text(code.id)));
          !s.ok()) {
        return s;
      }
      PgParams insert;
      insert.Text(code.id).Tenant(code.tenant_id).Text(code.code_hash).Int(code.created_at);
      if (core::Status s = StatusOf(conn.Exec(kDecoyInsertMessage, insert)); !s.ok()) {
        return s;
      }
      return StatusOf(conn.Exec(kDecoyDeleteMessage, PgParams().Text(code.id)));
    });
  }

  // One transaction under the user's lock: of several racing correct
  // submissions, in any processes, only the first finds the row. No state
  // outlives a run, so the pool may repeat it.
  core::Result<ConsumeOutcome> Consume(const core::TenantId& tenant, const core::UserId& user,
                                       otp::Purpose purpose, std::string_view code_hash,
                                       core::UnixMillis now, int max_attempts) override {
    return pool_.Transact([&](PgConnection& conn) -> core::Result<ConsumeOutcome> {
      if (core::Status s = LockUser(conn, user); !s.ok()) return s.error();
      return ConsumeOn(conn, tenant, user, purpose, code_hash, now, max_attempts);
    });
  }

  // A transaction (not Run): a repeat after a lost connection would report
  // 0 although the first attempt deleted the codes.
  core::Result<int> DeleteAll(const core::TenantId& tenant, const core::UserId& user,
                              otp::Purpose purpose) override {
    return pool_.Transact([&](PgConnection& conn) -> core::Result<int> {
      if (core::Status s = LockUser(conn, user); !s.ok()) return s.error();
      core::Result<PgResult> r = conn.Exec(kDeleteAll, KeyParams(tenant, user, purpose));
      if (!r.ok()) return r.error();
      return static_cast<int>(r->affected());
    });
  }

  core::Result<std::vector<OneTimeCode>> List(const core::TenantId& tenant,
                                              const core::UserId& user,
                                              otp::Purpose purpose) override {
    return pool_.Run([&](PgConnection& conn) { return ListOn(conn, tenant, user, purpose); });
  }

 private:
  PgPool& pool_;
};

}  // namespace

std::unique_ptr<otp::OtpStore> NewPgOtpStore(PgPool& pool) {
  return std::make_unique<PgOtpStore>(pool);
}

}  // namespace authd::store::postgres
