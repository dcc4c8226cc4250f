// ParseDurationMs (the `ms` grammar) and MAX/WINDOW rates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "config/config.h"
#include "config/config_test_util.h"

namespace authd::config {
namespace {

using test_util::ErrorOf;
using test_util::LoadWith;
using ::testing::HasSubstr;

constexpr long long kS = 1000;
constexpr long long kM = 60 * kS;
constexpr long long kH = 60 * kM;
constexpr long long kD = 24 * kH;
constexpr long long kW = 7 * kD;
constexpr long long kY = 31557600000LL;

TEST(ConfigDurationTest, EveryUnitSpelling) {
  const std::pair<const char*, long long> cases[] = {
      {"1ms", 1},
      {"2 msec", 2},
      {"3msecs", 3},
      {"4 millisecond", 4},
      {"5milliseconds", 5},
      {"1s", kS},
      {"2sec", 2 * kS},
      {"3 secs", 3 * kS},
      {"1second", kS},
      {"4 seconds", 4 * kS},
      {"1m", kM},
      {"2min", 2 * kM},
      {"3mins", 3 * kM},
      {"1 minute", kM},
      {"15 minutes", 15 * kM},
      {"1h", kH},
      {"2hr", 2 * kH},
      {"3 hrs", 3 * kH},
      {"1hour", kH},
      {"24 hours", 24 * kH},
      {"1d", kD},
      {"1 day", kD},
      {"30days", 30 * kD},
      {"1w", kW},
      {"1week", kW},
      {"2 weeks", 2 * kW},
      {"1y", kY},
      {"1yr", kY},
      {"2yrs", 2 * kY},
      {"1 year", kY},
      {"2years", 2 * kY},
  };
  for (const auto& [text, ms] : cases) {
    auto r = ParseDurationMs(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
    EXPECT_EQ(*r, ms) << text;
  }
}

TEST(ConfigDurationTest, CaseInsensitiveFractionsAndBareNumbers) {
  const std::pair<const char*, long long> cases[] = {
      {"1H", kH},   {"2 Days", 2 * kD}, {"15M", 15 * kM}, {"1MS", 1}, {"1.5h", 90 * kM},
      {".5s", 500}, {"0.25m", 15 * kS}, {"1500", 1500},   {"0", 0},   {"007s", 7 * kS},
      {"1  h", kH}, {"1.0006s", 1001},  // rounded to a millisecond
  };
  for (const auto& [text, ms] : cases) {
    auto r = ParseDurationMs(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
    EXPECT_EQ(*r, ms) << text;
  }
}

TEST(ConfigDurationTest, RejectsEverythingElse) {
  for (const char* bad : {"", " ", "abc", "h", "1x", "1 mo", "1.", "1.h", "-1s", "+1s", "1h ",
                          " 1h", "1h30m", "1,5h", "1e3", "1_000", "1\th", "0x10"}) {
    auto r = ParseDurationMs(bad);
    EXPECT_FALSE(r.ok()) << "\"" << bad << "\" parsed as " << (r.ok() ? *r : 0);
  }
  EXPECT_THAT(ParseDurationMs("-5m").error().message, HasSubstr("must not be negative"));
  EXPECT_THAT(ParseDurationMs("1000y").error().message, HasSubstr("too large"));
  EXPECT_FALSE(ParseDurationMs(std::string(101, '1')).ok());
}

TEST(ConfigDurationTest, OptionErrorsNameOptionAndBounds) {
  EXPECT_EQ(ErrorOf(LoadWith({}, {{"AUTHD_LOCKOUT_WINDOW", "soon"}})),
            "invalid value \"soon\" for lockout.window (env "
            "AUTHD_LOCKOUT_WINDOW): expected a duration such as 500ms, 30s, "
            "15m, 1h, 7d (a bare number is milliseconds)");
  EXPECT_THAT(ErrorOf(LoadWith({"--lockout-duration=999ms"})), HasSubstr("must be at least 1s"));
  EXPECT_THAT(ErrorOf(LoadWith({"--server-read-timeout=200y"})),
              HasSubstr("for server.read_timeout"));
}

TEST(ConfigRateTest, ParsesMaxPerWindow) {
  const struct {
    const char* text;
    long long max;
    long long window_ms;
  } cases[] = {
      {"5/1m", 5, kM},        {"10/30s", 10, 30 * kS},      {"1/1h", 1, kH},
      {"100/60000", 100, kM}, {"3/15 minutes", 3, 15 * kM}, {"1000000/1d", 1000000, kD},
  };
  for (const auto& c : cases) {
    auto r = LoadWith({"--rate-limit-login", c.text});
    ASSERT_TRUE(r.ok()) << c.text << ": " << ErrorOf(r);
    EXPECT_EQ(r->config.rate_limit.login.max, c.max) << c.text;
    EXPECT_EQ(r->config.rate_limit.login.window_ms, c.window_ms) << c.text;
  }
}

TEST(ConfigRateTest, RejectsMalformedRates) {
  for (const char* bad : {"5", "5/", "/1m", "a/1m", "5/1x", "5 / 1m", "5/1m/2", "5.5/1m", ""}) {
    EXPECT_THAT(ErrorOf(LoadWith({}, {{"AUTHD_RATE_LIMIT_SIGNUP", bad}})),
                HasSubstr("for rate_limit.signup (env "
                          "AUTHD_RATE_LIMIT_SIGNUP): expected a rate "
                          "MAX/WINDOW"))
        << bad;
  }
  EXPECT_THAT(ErrorOf(LoadWith({"--rate-limit-signup=-1/1m"})),
              HasSubstr("MAX must be 1..1000000"));
  EXPECT_THAT(ErrorOf(LoadWith({"--rate-limit-signup=0/1m"})), HasSubstr("MAX must be 1..1000000"));
  EXPECT_THAT(ErrorOf(LoadWith({"--rate-limit-signup=5/500ms"})),
              HasSubstr("WINDOW must be at least 1s"));
}

}  // namespace
}  // namespace authd::config
