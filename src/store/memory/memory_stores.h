// In-process adapters of the UserStore, SessionStore, OtpStore, OutboxStore,
// MfaStore and CounterStore ports.
//
// The user, session, OTP, outbox and MFA stores keep everything in maps behind a
// mutex: they are test fakes and the reference behaviour for the contract
// suites (store/contract/), not a persistence layer (nothing survives the
// process).
//
// The counter store is production code: the single-process SQLite
// deployment keeps its rate-limit and lockout windows in it. Its keys are
// spread over independently locked shards; expired windows are swept
// (amortised O(1) per call, and at least once a minute per shard, on the
// `now` the callers pass), and each shard holds at most its share of
// `max_keys`: past that, the windows closest to their end are dropped
// first, so a flood of distinct keys costs bounded memory and long lockouts
// outlive short rate-limit windows.
//
// Every store is safe for concurrent use; each call is atomic.
#ifndef AUTHD_STORE_MEMORY_MEMORY_STORES_H_
#define AUTHD_STORE_MEMORY_MEMORY_STORES_H_

#include <cstddef>
#include <memory>

#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/session_store.h"
#include "store/database.h"
#include "throttle/counter_store.h"

namespace authd::store {

std::unique_ptr<identity::UserStore> NewMemoryUserStore();
std::unique_ptr<session::SessionStore> NewMemorySessionStore();

// An OtpStore and an OutboxStore over one shared state and mutex, so Issue
// writes a code and its messages atomically. Neither checks that a code's
// user exists. The marks change pending messages only (as in SQL).
struct MemoryCourierStores {
  std::unique_ptr<otp::OtpStore> otps;
  std::unique_ptr<courier::OutboxStore> outbox;
};
MemoryCourierStores NewMemoryCourierStores();

// One mutex over devices, recovery codes and trusted devices. Does not
// check that a row's user exists (no cascade on user deletion).
std::unique_ptr<mfa::MfaStore> NewMemoryMfaStore();

struct MemoryCounterOptions {
  // Upper bound on live keys, over all shards (about 150 bytes each for
  // short keys). Reaching it evicts the windows that end soonest.
  std::size_t max_keys = std::size_t{1} << 20;
  // Number of independently locked shards; at least 1.
  int shards = 16;
};

// A CounterStore that also reports its size, for metrics and tests.
class MemoryCounterStore : public throttle::CounterStore {
 public:
  // Keys currently held, live or expired but not yet swept.
  virtual std::size_t ApproximateSize() const = 0;
};

// With default MemoryCounterOptions.
std::unique_ptr<throttle::CounterStore> NewMemoryCounterStore();
std::unique_ptr<MemoryCounterStore> NewMemoryCounterStore(const MemoryCounterOptions& options);

// Every store above in one Database (fresh, empty), for tests and fuzzing:
// the composition root (app/services.h) builds over it as over SQLite.
std::unique_ptr<Database> NewMemoryDatabase();

}  // namespace authd::store

#endif  // AUTHD_STORE_MEMORY_MEMORY_STORES_H_
