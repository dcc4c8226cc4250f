// Runs the store contract suites against the memory adapters, plus the
// memory counter store's bounds.
#include "store/memory/memory_stores.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "store/contract/counter_store_contract.h"
#include "store/contract/mfa_store_contract.h"
#include "store/contract/otp_store_contract.h"
#include "store/contract/outbox_store_contract.h"
#include "store/contract/session_store_contract.h"
#include "store/contract/store_backend.h"
#include "store/contract/user_store_contract.h"

namespace authd::store {
namespace contract {
namespace {

StoreBackend MakeMemoryBackend() {
  MemoryCourierStores courier = NewMemoryCourierStores();
  return StoreBackend{NewMemoryUserStore(),      NewMemorySessionStore(), std::move(courier.otps),
                      std::move(courier.outbox), NewMemoryMfaStore(),     nullptr};
}

INSTANTIATE_TEST_SUITE_P(Memory, UserStoreContract,
                         ::testing::Values(StoreBackendFactory{"memory", &MakeMemoryBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Memory, SessionStoreContract,
                         ::testing::Values(StoreBackendFactory{"memory", &MakeMemoryBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Memory, OtpStoreContract,
                         ::testing::Values(StoreBackendFactory{"memory", &MakeMemoryBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Memory, OutboxStoreContract,
                         ::testing::Values(StoreBackendFactory{"memory", &MakeMemoryBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(Memory, MfaStoreContract,
                         ::testing::Values(StoreBackendFactory{"memory", &MakeMemoryBackend}),
                         BackendName<StoreBackendFactory>);
INSTANTIATE_TEST_SUITE_P(
    Memory, CounterStoreContract,
    ::testing::Values(CounterStoreFactory{"memory", [] { return NewMemoryCounterStore(); }},
                      // Tiny shards and cap: the contract must hold while sweeping.
                      CounterStoreFactory{"memory_small",
                                          [] {
                                            return std::unique_ptr<throttle::CounterStore>(
                                                NewMemoryCounterStore(
                                                    {/*max_keys=*/64, /*shards=*/2}));
                                          }}),
    BackendName<CounterStoreFactory>);

}  // namespace
}  // namespace contract

namespace {

constexpr core::UnixMillis kT0 = 1'750'000'000'000;

TEST(MemoryCounterStore, FloodOfShortWindowsStaysBounded) {
  std::unique_ptr<MemoryCounterStore> store = NewMemoryCounterStore({});
  // 200k distinct keys, one per ms, each with a 1 s window: at most about
  // 1000 are live at any time; expired ones must be swept.
  for (int i = 0; i < 200'000; ++i) {
    ASSERT_TRUE(store->Hit("flood:" + std::to_string(i), 1000, kT0 + i).ok());
  }
  EXPECT_LT(store->ApproximateSize(), 40'000u);
}

TEST(MemoryCounterStore, IdleShardsAreSweptByTime) {
  std::unique_ptr<MemoryCounterStore> store =
      NewMemoryCounterStore({/*max_keys=*/1 << 20, /*shards=*/1});
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(store->Hit("k" + std::to_string(i), 1000, kT0).ok());
  }
  EXPECT_EQ(store->ApproximateSize(), 500u);
  // Below the size trigger; a minute later the next call sweeps.
  ASSERT_TRUE(store->Hit("late", 1000, kT0 + 61'000).ok());
  EXPECT_EQ(store->ApproximateSize(), 1u);
}

TEST(MemoryCounterStore, CapEvictsSoonestEndingWindowsFirst) {
  std::unique_ptr<MemoryCounterStore> store =
      NewMemoryCounterStore({/*max_keys=*/1000, /*shards=*/4});
  // Long locks placed first...
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        store->Put("lock:" + std::to_string(i), throttle::WindowCount{10, kT0 + 3'600'000}, kT0)
            .ok());
  }
  // ...then a flood of live short windows far beyond the cap.
  for (int i = 0; i < 20'000; ++i) {
    ASSERT_TRUE(store->Hit("flood:" + std::to_string(i), 60'000, kT0).ok());
  }
  EXPECT_LE(store->ApproximateSize(), 1000u);
  for (int i = 0; i < 100; ++i) {
    auto lock = store->Peek("lock:" + std::to_string(i), kT0 + 1);
    ASSERT_TRUE(lock.ok());
    EXPECT_TRUE(lock->has_value()) << "lock " << i << " evicted";
  }
}

TEST(MemoryCounterStore, RejectsNonPositiveWindow) {
  std::unique_ptr<throttle::CounterStore> store = NewMemoryCounterStore();
  EXPECT_FALSE(store->Hit("k", 0, kT0).ok());
}

TEST(MemorySessionStore, DuplicateIdIsAnErrorAndKeepsTheFirst) {
  std::unique_ptr<session::SessionStore> store = NewMemorySessionStore();
  session::Session s;
  s.id = core::SessionId("s-1");
  s.user_id = core::UserId("u-1");
  s.refresh_hash = "h1";
  s.expires_at = kT0 + 1000;
  ASSERT_TRUE(store->Create(s, 10, kT0).ok());
  s.refresh_hash = "h2";
  EXPECT_FALSE(store->Create(s, 10, kT0).ok());
  EXPECT_EQ(store->Get(std::nullopt, s.id, kT0).value()->refresh_hash, "h1");
}

}  // namespace
}  // namespace authd::store
