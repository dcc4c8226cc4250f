#include "otp/consume_rule.h"

#include <gtest/gtest.h>

namespace authd::otp {
namespace {

OneTimeCode Code(std::string id, std::string hash, core::UnixMillis expires, int attempts = 0) {
  OneTimeCode c;
  c.id = std::move(id);
  c.code_hash = std::move(hash);
  c.expires_at = expires;
  c.attempts = attempts;
  return c;
}

TEST(ConsumeRule, NewestMatchDecides) {
  const std::vector<OneTimeCode> codes = {Code("new", "h", 100), Code("old", "h", 200)};
  ConsumeDecision d = DecideConsume(codes, "h", 50, 5);
  EXPECT_EQ(d.outcome, ConsumeOutcome::kConsumed);
  EXPECT_EQ(d.delete_id, "new");
  EXPECT_FALSE(d.count_attempt);
  d = DecideConsume(codes, "h", 150, 5);  // the newest match has expired
  EXPECT_EQ(d.outcome, ConsumeOutcome::kExpired);
  EXPECT_TRUE(d.delete_id.empty());
  EXPECT_FALSE(d.count_attempt);
}

TEST(ConsumeRule, WrongCodeCountsLiveCodes) {
  const std::vector<OneTimeCode> live = {Code("a", "h", 100, 3)};
  ConsumeDecision d = DecideConsume(live, "x", 50, 5);
  EXPECT_EQ(d.outcome, ConsumeOutcome::kInvalid);
  EXPECT_TRUE(d.count_attempt);
  d = DecideConsume(live, "x", 50, 4);  // this attempt spends the last one
  EXPECT_EQ(d.outcome, ConsumeOutcome::kExhausted);
  EXPECT_TRUE(d.count_attempt);
  d = DecideConsume(live, "x", 100, 4);  // nothing live: nothing counted
  EXPECT_EQ(d.outcome, ConsumeOutcome::kInvalid);
  EXPECT_FALSE(d.count_attempt);
}

}  // namespace
}  // namespace authd::otp
