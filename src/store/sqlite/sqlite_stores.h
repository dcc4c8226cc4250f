// The SQLite adapters of the UserStore, SessionStore, OtpStore, OutboxStore
// and MfaStore ports, over a ConnectionPool. Internal to store/sqlite: the
// composition root reaches them through SqliteDatabase (sqlite_database.h),
// which documents the durability, concurrency and error contract.
//
// Every write is one operation of the Writer (sqlite_writer.h): it runs
// inside the writer's BEGIN IMMEDIATE batch transaction, in a SAVEPOINT of
// its own, so a multi-statement write (Issue, Consume, ClaimDue, ...) is
// atomic and serialised with every other write, also of other processes.
//
// The stores borrow `pool` and `writer`, which must outlive them.
// Thread-safe.
#ifndef AUTHD_STORE_SQLITE_SQLITE_STORES_H_
#define AUTHD_STORE_SQLITE_SQLITE_STORES_H_

#include <memory>
#include <vector>

#include "courier/message.h"
#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/session_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {

// Users are visible in a tenant through their user_accesses row there
// (any status: access status is the domain's decision). Until a TenantStore
// exists, CreateUser inserts a placeholder tenants row (name = id) for a
// tenant it has not seen, so the foreign keys hold; validating that a
// tenant exists (TENANT_NOT_FOUND) stays the domain's job.
// Reads use `pool`; every write goes through `writer` (group commit).
std::unique_ptr<identity::UserStore> NewSqliteUserStore(ConnectionPool& pool, Writer& writer);

// Session data is stored as JSON (store/common/session_data_json.h). Create also deletes
// the user's expired sessions, which are absent by definition.
std::unique_ptr<session::SessionStore> NewSqliteSessionStore(ConnectionPool& pool, Writer& writer);

// Issue deletes the older codes, inserts the code and enqueues the messages
// in one writer op; Consume reads, compares (crypto::ConstantTimeEquals) and
// deletes or counts attempts in one writer op, so racing consumes are
// serialised. IssueDecoy inserts and deletes an outbox row in one op:
// otps.user_id references users, which the decoy's user is not.
std::unique_ptr<otp::OtpStore> NewSqliteOtpStore(ConnectionPool& pool, Writer& writer);

// ClaimDue selects and claims in one writer op. The marks change pending
// messages only, so a sender whose lease ran out cannot undo another
// sender's final mark.
std::unique_ptr<courier::OutboxStore> NewSqliteOutboxStore(ConnectionPool& pool, Writer& writer);

// UseDeviceStep and UseRecoveryCode are single compare-and-set UPDATEs
// (`last_step < ?`, `used_at IS NULL`): of racing callers exactly one
// changes the row. ReplaceRecoveryCodes deletes and inserts in one writer op.
std::unique_ptr<mfa::MfaStore> NewSqliteMfaStore(ConnectionPool& pool, Writer& writer);

// Inside a writer op: inserts `messages` into the outbox, state pending and
// unclaimed (shared by Enqueue and OtpStore::Issue).
core::Status InsertOutboxMessages(Connection& conn,
                                  const std::vector<courier::OutboxMessage>& messages);

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_STORES_H_
