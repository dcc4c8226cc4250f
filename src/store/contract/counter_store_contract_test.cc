#include "store/contract/counter_store_contract.h"

#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace authd::store::contract {
namespace {

using throttle::WindowCount;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CounterStoreContract);

constexpr core::UnixMillis kT0 = 1'750'000'000'000;

TEST_P(CounterStoreContract, HitStartsAWindowThenIncrements) {
  auto first = store().Hit("login:ip:1.2.3.4", 60'000, kT0);
  ASSERT_TRUE(IsOk(first));
  EXPECT_EQ(first->count, 1);
  EXPECT_EQ(first->window_end, kT0 + 60'000);
  auto second = store().Hit("login:ip:1.2.3.4", 60'000, kT0 + 59'999);
  ASSERT_TRUE(IsOk(second));
  EXPECT_EQ(second->count, 2);
  EXPECT_EQ(second->window_end, kT0 + 60'000) << "a hit does not extend the window";
}

TEST_P(CounterStoreContract, WindowResetsOnceItEnds) {
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0 + 1)));
  auto r = store().Hit("k", 1000, kT0 + 1000);  // at window_end: a new window
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->count, 1);
  EXPECT_EQ(r->window_end, kT0 + 2000);
}

TEST_P(CounterStoreContract, PeekSeesOnlyLiveWindows) {
  auto none = store().Peek("k", kT0);
  ASSERT_TRUE(IsOk(none));
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  auto live = store().Peek("k", kT0 + 999);
  ASSERT_TRUE(IsOk(live));
  ASSERT_TRUE(live->has_value());
  EXPECT_EQ((*live)->count, 2);
  EXPECT_EQ((*live)->window_end, kT0 + 1000);
  auto ended = store().Peek("k", kT0 + 1000);
  ASSERT_TRUE(IsOk(ended));
  EXPECT_FALSE(ended->has_value());
}

TEST_P(CounterStoreContract, PeekDoesNotCount) {
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Peek("k", kT0)));
  auto r = store().Hit("k", 1000, kT0);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->count, 2);
}

TEST_P(CounterStoreContract, PutOverwritesAndHitContinuesIt) {
  ASSERT_TRUE(IsOk(store().Hit("lock", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Put("lock", WindowCount{10, kT0 + 900'000}, kT0 + 1)));
  auto p = store().Peek("lock", kT0 + 899'999);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->count, 10);
  EXPECT_EQ((*p)->window_end, kT0 + 900'000);
  auto h = store().Hit("lock", 1000, kT0 + 5000);
  ASSERT_TRUE(IsOk(h));
  EXPECT_EQ(h->count, 11);
  EXPECT_EQ(h->window_end, kT0 + 900'000);
  auto gone = store().Peek("lock", kT0 + 900'000);
  ASSERT_TRUE(IsOk(gone));
  EXPECT_FALSE(gone->has_value());
}

TEST_P(CounterStoreContract, PutOfAnEndedWindowIsAbsent) {
  ASSERT_TRUE(IsOk(store().Put("k", WindowCount{3, kT0}, kT0)));
  auto p = store().Peek("k", kT0);
  ASSERT_TRUE(IsOk(p));
  EXPECT_FALSE(p->has_value());
}

TEST_P(CounterStoreContract, EraseForgetsTheKey) {
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Hit("k", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Erase("k")));
  auto p = store().Peek("k", kT0);
  ASSERT_TRUE(IsOk(p));
  EXPECT_FALSE(p->has_value());
  auto h = store().Hit("k", 1000, kT0 + 1);
  ASSERT_TRUE(IsOk(h));
  EXPECT_EQ(h->count, 1);
  EXPECT_TRUE(IsOk(store().Erase("never-set")));
}

TEST_P(CounterStoreContract, KeysAreIndependent) {
  ASSERT_TRUE(IsOk(store().Hit("a", 1000, kT0)));
  ASSERT_TRUE(IsOk(store().Hit("a", 1000, kT0)));
  auto b = store().Hit("b", 5000, kT0);
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(b->count, 1);
  EXPECT_EQ(b->window_end, kT0 + 5000);
  ASSERT_TRUE(IsOk(store().Erase("a")));
  EXPECT_EQ((*store().Peek("b", kT0))->count, 1);
}

TEST_P(CounterStoreContract, ConcurrentHitsAreAllCounted) {
  constexpr int kThreads = 8;
  constexpr int kHits = 500;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kHits; ++i) {
        EXPECT_TRUE(IsOk(store().Hit("shared", 60'000, kT0 + i)));
        EXPECT_TRUE(IsOk(store().Hit("own-" + std::to_string(t), 60'000, kT0 + i)));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ((*store().Peek("shared", kT0 + kHits))->count, kThreads * kHits);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ((*store().Peek("own-" + std::to_string(t), kT0 + kHits))->count, kHits);
  }
}

}  // namespace
}  // namespace authd::store::contract
