// Database: the stores authd runs on, whatever holds them (the embedded
// SQLite file, a PostgreSQL server, or memory for tests and fuzzing), so the
// composition root (src/app/) builds the same services on any of them.
// app::OpenDatabase chooses the adapter the storage options name;
// store::NewMemoryDatabase (store/memory/memory_stores.h) is the fake.
//
// Ownership: the stores live as long as the Database. REQUIRES: no store
// call is in flight at destruction. Thread-safety: the stores are safe for
// concurrent use; the accessors are immutable.
#ifndef AUTHD_STORE_DATABASE_H_
#define AUTHD_STORE_DATABASE_H_

#include <string>

#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/guard_reader.h"
#include "session/session_store.h"
#include "throttle/counter_store.h"

namespace authd::store {

class Database {
 public:
  virtual ~Database() = default;

  virtual identity::UserStore& users() = 0;
  virtual session::SessionStore& sessions() = 0;
  virtual otp::OtpStore& otps() = 0;
  virtual courier::OutboxStore& outbox() = 0;
  virtual mfa::MfaStore& mfa() = 0;
  // Rate-limit and lockout windows: in this process (SQLite, memory) or in
  // the database, shared by every process on it (PostgreSQL).
  virtual throttle::CounterStore& counters() = 0;
  // The access-token guard's reads: over sessions() and users(), or one
  // round trip where the adapter can (PostgreSQL).
  virtual session::GuardReader& guard_reader() = 0;

  // For the startup line ("sqlite:<path>", "postgres(<url without
  // credentials>)"); never holds a password.
  virtual std::string description() const = 0;
  // The highest migration version applied (0 for memory).
  virtual int schema_version() const = 0;
  // Repeated session and user reads are answered from memory and honour
  // core::NonBlockingScope (store/memory/read_cache.h), so the read routes
  // may try to run inline on the I/O thread.
  virtual bool session_reads_in_memory() const = 0;
};

}  // namespace authd::store

#endif  // AUTHD_STORE_DATABASE_H_
