// The PostgreSQL adapters of the store ports, over one PgPool. Internal to
// store/postgres: the composition root reaches them through
// PostgresDatabase (postgres_database.h), which documents the concurrency
// and error contract. Each adapter's comment says how it stays correct when
// several authd processes call it at once.
//
// The stores borrow `pool`, which must outlive them. Thread-safe.
#ifndef AUTHD_STORE_POSTGRES_PG_STORES_H_
#define AUTHD_STORE_POSTGRES_PG_STORES_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "courier/message.h"
#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/guard_reader.h"
#include "session/session_store.h"
#include "store/postgres/pg_pool.h"
#include "throttle/counter_store.h"

namespace authd::store::postgres {

// CreateUser takes a transaction-scoped advisory lock per e-mail/phone it
// inserts, so two processes creating the same address serialise and the
// second sees the first's row; identity uniqueness is the unique index
// (a violation is kIdentityExists). A tenant row is created on first sight
// as in SQLite (ON CONFLICT DO NOTHING).
std::unique_ptr<identity::UserStore> NewPgUserStore(PgPool& pool);

// Rotate is one compare-and-swap UPDATE (row lock: of racing rotations in
// any processes exactly one matches). Create evicts in the same transaction
// after locking the user's row, so concurrent logins of one user cannot
// both skip the eviction.
std::unique_ptr<session::SessionStore> NewPgSessionStore(PgPool& pool);

// Read is one SELECT of the session LEFT JOIN its user (the tenant on
// both), instead of SessionStore::Get then UserStore::FindUserById: one
// round trip per authenticated request. An expired session costs a second
// one (its conditional DELETE), as in SessionStore::Get.
std::unique_ptr<session::GuardReader> NewPgGuardReader(PgPool& pool);

// Issue and Consume lock the user's row (SELECT ... FOR NO KEY UPDATE) first, so
// that issue/consume of one user's codes are serialised across processes:
// a code is consumed exactly once.
std::unique_ptr<otp::OtpStore> NewPgOtpStore(PgPool& pool);

// ClaimDue is one UPDATE over a SELECT ... FOR UPDATE SKIP LOCKED: two
// senders (in any processes) never claim the same message.
std::unique_ptr<courier::OutboxStore> NewPgOutboxStore(PgPool& pool);

// UseDeviceStep and UseRecoveryCode are single conditional UPDATEs.
std::unique_ptr<mfa::MfaStore> NewPgMfaStore(PgPool& pool);

// Hit is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING (atomic per
// key across processes); expired windows are deleted now and then.
std::unique_ptr<throttle::CounterStore> NewPgCounterStore(PgPool& pool);

// The row decoders shared by the stores and the guard reader: the columns
// of a session (14, in the order of pg_session_store.cc's kGet) or of a
// user (13, as kFindUserById) starting at column `col` of `row`.
core::Result<session::Session> ReadSession(const PgResult& r, int row, int col);
identity::User ReadUser(const PgResult& r, int row, int col);

// Inside a transaction: inserts `messages` into the outbox, pending and
// unclaimed (shared by Enqueue and OtpStore::Issue).
core::Status InsertOutboxMessages(PgConnection& conn,
                                  const std::vector<courier::OutboxMessage>& messages);

// Runs the one write statement `sql` in a transaction of its own and
// returns how many rows it changed. A transaction, not PgPool::Run: after
// a lost connection Run would repeat a write that may have committed, and
// the repeat would count wrong (0 rows, a compare-and-set that no longer
// matches); Transact repeats only attempts that were rolled back.
inline core::Result<std::int64_t> WriteCounting(PgPool& pool, const char* sql,
                                                const PgParams& params) {
  return pool.Transact([&](PgConnection& conn) -> core::Result<std::int64_t> {
    core::Result<PgResult> r = conn.Exec(sql, params);
    if (!r.ok()) return r.error();
    return r->affected();
  });
}

// The status of a Result<PgResult>: Ok or its error.
inline core::Status StatusOf(const core::Result<PgResult>& r) {
  return r.ok() ? core::Status::Ok() : core::Status(r.error());
}

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_STORES_H_
