// What a storage backend provides to the contract suites, and helpers the
// suites share.
//
// The suites in this folder exercise the ports (identity::UserStore,
// session::SessionStore, otp::OtpStore, courier::OutboxStore,
// mfa::MfaStore, throttle::CounterStore) only. A backend joins them
// by instantiating each suite with a factory that returns fresh, empty
// stores on every call (a new temp file, a new schema, ...):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, UserStoreContract,
//       ::testing::Values(StoreBackendFactory{"sqlite", &MakeSqliteBackend}),
//       BackendName);
//
// The stores of one StoreBackend share one database (sessions, codes and
// MFA rows reference users, Issue writes codes and outbox messages together); their
// shared_ptrs keep whatever owns them (a database handle, a
// temp directory) alive, e.g. with the aliasing constructor.
#ifndef AUTHD_STORE_CONTRACT_STORE_BACKEND_H_
#define AUTHD_STORE_CONTRACT_STORE_BACKEND_H_

#include <functional>
#include <latch>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/status.h"
#include "courier/outbox_store.h"
#include "identity/user_store.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "session/guard_reader.h"
#include "session/session_store.h"
#include "throttle/counter_store.h"

namespace authd::store::contract {

// The suites' "now", and an hour of it.
inline constexpr core::UnixMillis kNow = 1'750'000'000'000;
inline constexpr core::UnixMillis kHour = 3'600'000;

struct StoreBackend {
  std::shared_ptr<identity::UserStore> users;
  std::shared_ptr<session::SessionStore> sessions;
  std::shared_ptr<otp::OtpStore> otps;
  std::shared_ptr<courier::OutboxStore> outbox;
  std::shared_ptr<mfa::MfaStore> mfa;
  // The backend's own guard reader; nullptr: the suites use
  // session::NewStoreGuardReader over `sessions` and `users`.
  std::shared_ptr<session::GuardReader> guard;
};

struct StoreBackendFactory {
  std::string name;  // test-name suffix: letters, digits, underscores
  std::function<StoreBackend()> make;
};

struct CounterStoreFactory {
  std::string name;
  std::function<std::unique_ptr<throttle::CounterStore>()> make;
};

// Runs body(0), ..., body(threads - 1), each on a thread of its own,
// released together once every thread has started (a race); returns when
// all are done.
inline void RunTogether(int threads, const std::function<void(int)>& body) {
  std::latch start(threads);
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  }
  for (std::thread& th : running) th.join();
}

// Parameter-name generator for INSTANTIATE_TEST_SUITE_P.
template <typename Factory>
std::string BackendName(const ::testing::TestParamInfo<Factory>& info) {
  return info.param.name;
}

// Keeps gtest from dumping the factories' bytes in failure messages.
inline void PrintTo(const StoreBackendFactory& f, std::ostream* os) { *os << f.name; }
inline void PrintTo(const CounterStoreFactory& f, std::ostream* os) { *os << f.name; }

// EXPECT_TRUE(IsOk(status)) prints the error's category, code and debug.
inline ::testing::AssertionResult IsOk(const core::Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  const core::Error& e = s.error();
  return ::testing::AssertionFailure()
         << "error category=" << static_cast<int>(e.category) << " code='" << e.code
         << "' message='" << e.message << "' debug='" << e.debug << "'";
}
template <typename T>
::testing::AssertionResult IsOk(const core::Result<T>& r) {
  return IsOk(r.status());
}

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_STORE_BACKEND_H_
