#include "throttle/throttle.h"

#include <gtest/gtest.h>

#include "store/memory/memory_stores.h"

namespace authd::throttle {
namespace {

TEST(RateLimiter, AllowsMaxThenAnswers429WithRetryAfter) {
  core::FakeClock clock(1000000);
  auto store = store::NewMemoryCounterStore();
  RateLimitOptions opts;
  RateLimiter limiter(opts, *store, clock);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Hit("login", opts.login, "10.0.0.1", "a@b.c").ok());
  }
  clock.Advance(std::chrono::milliseconds(20500));
  core::Status s = limiter.Hit("login", opts.login, "10.0.0.1", "a@b.c");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "RATE_LIMITED");
  EXPECT_EQ(s.error().retry_after_seconds, 40);
  // Another IP and identifier are unaffected.
  EXPECT_TRUE(limiter.Hit("login", opts.login, "10.0.0.2", "x@b.c").ok());
  // The identifier key limits across IPs too (keyBy both).
  for (int i = 0; i < 5; ++i)
    (void)limiter.Hit("signup", opts.signup, "10.0.1." + std::to_string(i), "same@b.c");
  EXPECT_FALSE(limiter.Hit("signup", opts.signup, "10.0.2.1", "same@b.c").ok());
  clock.Advance(std::chrono::milliseconds(60000));
  EXPECT_TRUE(limiter.Hit("login", opts.login, "10.0.0.1", "a@b.c").ok());
}

TEST(RateLimiter, DisabledNeverLimits) {
  core::FakeClock clock(0);
  auto store = store::NewMemoryCounterStore();
  RateLimitOptions opts;
  opts.enabled = false;
  RateLimiter limiter(opts, *store, clock);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(limiter.Hit("login", opts.login, "ip", "id").ok());
}

TEST(Lockout, LocksAfterMaxFailuresAndClearsOnSuccess) {
  core::FakeClock clock(5000000);
  auto store = store::NewMemoryCounterStore();
  LockoutOptions opts;
  opts.max_failed_attempts = 3;
  Lockout lockout(opts, *store, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(lockout.Check("u@x.io", "1.1.1.1").ok());
    lockout.RecordFailure("u@x.io", "1.1.1.1");
  }
  core::Status locked = lockout.Check("u@x.io", "1.1.1.1");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "ACCOUNT_LOCKED");
  EXPECT_EQ(locked.error().retry_after_seconds, 900);
  EXPECT_TRUE(lockout.Check("u@x.io", "2.2.2.2").ok());
  clock.Advance(std::chrono::minutes(15));
  EXPECT_TRUE(lockout.Check("u@x.io", "1.1.1.1").ok());
  lockout.RecordFailure("u@x.io", "1.1.1.1");
  lockout.RecordFailure("u@x.io", "1.1.1.1");
  lockout.Clear("u@x.io", "1.1.1.1");
  lockout.RecordFailure("u@x.io", "1.1.1.1");
  EXPECT_TRUE(lockout.Check("u@x.io", "1.1.1.1").ok());
}

constexpr core::UnixMillis kDayMs = 24LL * 60 * 60 * 1000;

// The wall clock is stepped back a day while a user is locked out (an
// operator or NTP fixing the time): the lock still ends after its
// configured 15 minutes, not a day later.
TEST(Lockout, AWallClockStepBackDoesNotLengthenTheLock) {
  core::FakeClock clock(1'750'000'000'000);
  auto store = store::NewMemoryCounterStore();
  LockoutOptions opts;
  opts.max_failed_attempts = 3;
  Lockout lockout(opts, *store, clock);
  for (int i = 0; i < 3; ++i) lockout.RecordFailure("u@x.io", "1.1.1.1");
  ASSERT_FALSE(lockout.Check("u@x.io", "1.1.1.1").ok());
  clock.Set(clock.NowMillis() - kDayMs);
  core::Status locked = lockout.Check("u@x.io", "1.1.1.1");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().retry_after_seconds, 900) << "not a day";
  clock.Advance(std::chrono::minutes(15));
  EXPECT_TRUE(lockout.Check("u@x.io", "1.1.1.1").ok());
}

// Nor does a step forward end a lock or a window early.
TEST(Lockout, AWallClockStepForwardDoesNotEndTheLock) {
  core::FakeClock clock(1'750'000'000'000);
  auto store = store::NewMemoryCounterStore();
  LockoutOptions opts;
  opts.max_failed_attempts = 3;
  Lockout lockout(opts, *store, clock);
  for (int i = 0; i < 3; ++i) lockout.RecordFailure("u@x.io", "1.1.1.1");
  clock.Set(clock.NowMillis() + kDayMs);
  EXPECT_FALSE(lockout.Check("u@x.io", "1.1.1.1").ok());
  clock.Advance(std::chrono::minutes(15));
  EXPECT_TRUE(lockout.Check("u@x.io", "1.1.1.1").ok());
}

TEST(RateLimiter, WindowsIgnoreWallClockSteps) {
  core::FakeClock clock(1'750'000'000'000);
  auto store = store::NewMemoryCounterStore();
  RateLimitOptions opts;
  RateLimiter limiter(opts, *store, clock);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Hit("login", opts.login, "ip", "id").ok());
  clock.Set(clock.NowMillis() + kDayMs);  // forward: the window goes on
  core::Status s = limiter.Hit("login", opts.login, "ip", "id");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().retry_after_seconds, 60);
  clock.Set(clock.NowMillis() - 2 * kDayMs);  // back: it ends on time
  clock.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(limiter.Hit("login", opts.login, "ip", "id").ok());
}

TEST(NormalizeIdentifier, TrimsAndLowercases) {
  EXPECT_EQ(NormalizeIdentifier("  Alice@Example.COM\t"), "alice@example.com");
}

}  // namespace
}  // namespace authd::throttle
