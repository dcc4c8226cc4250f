// The SQLite adapters of the UserStore and SessionStore ports, over a
// ConnectionPool. Internal to store/sqlite: the composition root reaches
// them through SqliteDatabase (sqlite_database.h), which documents the
// durability, concurrency and error contract.
//
// Writes of more than one statement run in a BEGIN IMMEDIATE Transaction.
// A write that is a single statement (Rotate, Delete, ...) runs in SQLite's
// implicit transaction, which is equally atomic and also takes the write
// lock before reading (the busy handler applies), so it cannot deadlock on
// a lock upgrade either.
//
// Both stores borrow `pool`, which must outlive them. Thread-safe.
#ifndef AUTHD_STORE_SQLITE_SQLITE_STORES_H_
#define AUTHD_STORE_SQLITE_SQLITE_STORES_H_

#include <memory>

#include "identity/user_store.h"
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
std::unique_ptr<identity::UserStore> NewSqliteUserStore(ConnectionPool& pool,
                                                       Writer& writer);

// Session data is stored as JSON (session_data_json.h). Create also deletes
// the user's expired sessions, which are absent by definition.
std::unique_ptr<session::SessionStore> NewSqliteSessionStore(
    ConnectionPool& pool, Writer& writer);

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_STORES_H_
