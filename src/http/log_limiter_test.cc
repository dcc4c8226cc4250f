#include "http/log_limiter.h"

#include <gtest/gtest.h>

namespace authd::http {
namespace {

using std::chrono::milliseconds;

TEST(LogLimiter, FirstOccurrenceIsLoggedWithNothingHeldBack) {
  LogLimiter limiter(milliseconds(1000));
  const LogLimiter::TimePoint t0{};
  EXPECT_EQ(limiter.Allow(t0 + milliseconds(5)), 0u);
}

TEST(LogLimiter, AtMostOneLinePerIntervalWithTheCountOfTheOthers) {
  LogLimiter limiter(milliseconds(1000));
  const LogLimiter::TimePoint t0{};
  ASSERT_EQ(limiter.Allow(t0), 0u);
  // 20 per second, as accept failures at EMFILE were: held back.
  for (int i = 1; i < 20; ++i) {
    EXPECT_FALSE(limiter.Allow(t0 + milliseconds(50 * i)).has_value()) << i;
  }
  // The next one a second after the last line logged reports them.
  EXPECT_EQ(limiter.Allow(t0 + milliseconds(1000)), 19u);
  EXPECT_FALSE(limiter.Allow(t0 + milliseconds(1999)).has_value());
  EXPECT_EQ(limiter.Allow(t0 + milliseconds(2000)), 1u);
}

TEST(LogLimiter, AQuietPeriodStartsAfresh) {
  LogLimiter limiter(milliseconds(1000));
  const LogLimiter::TimePoint t0{};
  ASSERT_EQ(limiter.Allow(t0), 0u);
  EXPECT_EQ(limiter.Allow(t0 + milliseconds(60000)), 0u);
}

}  // namespace
}  // namespace authd::http
