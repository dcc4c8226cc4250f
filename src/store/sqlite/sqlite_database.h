// SqliteDatabase: the embedded single-file database of authd and the
// UserStore, SessionStore, OtpStore, OutboxStore and MfaStore adapters over
// it.
//
// Open() creates the file if needed, applies the pending migrations of
// store/sqlite/migrations/ in one transaction (recorded in
// schema_migrations), and refuses a file whose schema is newer than this
// binary knows. The file is used in WAL mode with synchronous=FULL, so every
// acknowledged write is durable (a crash right after a reply loses nothing)
// and readers never block the writer; foreign keys are enforced.
//
// Thread-safety: the stores may be called from any number of threads at
// once. Each read leases a connection of its own (one per concurrently
// calling thread, opened lazily, with cached prepared statements); writes
// are handed to one writer thread that group-commits them in BEGIN
// IMMEDIATE transactions (sqlite_writer.h). A writer that
// cannot get the lock within busy_timeout_ms gets kUnavailable; any other
// database failure is kInternal with SQLite's message in Error::debug only.
//
// Ownership: the stores returned by users(), sessions(), otps(), outbox()
// and mfa() live as long as the SqliteDatabase. REQUIRES: no store call is in
// flight at destruction.
// One authd process owns the file (the in-process CounterStore relies on
// it); other processes may still write to it (the sqlite3 CLI, an
// operator's tool): see SetForeignWriteListener.
#ifndef AUTHD_STORE_SQLITE_SQLITE_DATABASE_H_
#define AUTHD_STORE_SQLITE_SQLITE_DATABASE_H_

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/session_store.h"

namespace authd::store {

struct SqliteOptions {
  // Database file; created if missing. Must be a real file (WAL needs one):
  // ":memory:" is rejected.
  std::string path;
  // How long a writer waits for another writer's lock before failing with
  // kUnavailable.
  int busy_timeout_ms = 5000;
  // While no write of ours is queued, how often the writer looks for
  // commits by other processes (see SetForeignWriteListener); it also
  // looks before each of its batches. 0: only before batches.
  int foreign_write_check_ms = 100;
};

class SqliteDatabase {
 public:
  // Errors: kInternal with code "DATABASE_SCHEMA_TOO_NEW" when the file was
  // migrated by a newer authd; kInternal / kUnavailable when the file cannot
  // be opened or migrated (details in Error::debug).
  static core::Result<std::unique_ptr<SqliteDatabase>> Open(const SqliteOptions& options);

  virtual identity::UserStore& users() = 0;
  virtual session::SessionStore& sessions() = 0;
  virtual otp::OtpStore& otps() = 0;
  virtual courier::OutboxStore& outbox() = 0;
  virtual mfa::MfaStore& mfa() = 0;

  // `listener` is called (on the writer thread) when another process has
  // committed to the file since the last check: within
  // SqliteOptions::foreign_write_check_ms of the commit, and before any
  // write of ours that follows it. Commits through these stores never call
  // it. For caches of rows, which such a write may have changed. nullptr
  // removes it; once this returns, the previous listener is not running.
  virtual void SetForeignWriteListener(std::function<void()> listener) = 0;

  // The highest migration version applied to the file.
  virtual int schema_version() const = 0;

  // PRAGMA integrity_check and foreign_key_check; kInternal describing the
  // first problems found, if any.
  virtual core::Status IntegrityCheck() = 0;

  virtual ~SqliteDatabase() = default;
};

}  // namespace authd::store

#endif  // AUTHD_STORE_SQLITE_SQLITE_DATABASE_H_
