#include "otp/otp_codes.h"

#include <array>
#include <set>

#include <gtest/gtest.h>

#include "crypto/hmac.h"
#include "store/memory/memory_stores.h"

namespace authd::otp {
namespace {

constexpr core::UnixMillis kNow = 1795627064000;
const core::UserId kUser("11111111-1111-4111-8111-111111111111");

class OtpCodesTest : public ::testing::Test {
 protected:
  OtpCodes Make(OtpOptions o = {}) { return OtpCodes(o, "otp-key", crypto::OsRandom(), clock_); }

  core::FakeClock clock_{kNow};
  store::MemoryCourierStores stores_ = store::NewMemoryCourierStores();
};

TEST_F(OtpCodesTest, CodesAreSixUniformDigitsAndOnlyTheirHmacIsKept) {
  OtpCodes codes = Make();
  std::array<int, 10> counts{};
  for (int i = 0; i < 2000; ++i) {
    OtpCodes::Fresh f = codes.Make(std::nullopt, kUser, Purpose::kEmailVerification);
    ASSERT_EQ(f.plain.size(), 6u);
    for (char c : f.plain) {
      ASSERT_TRUE(c >= '0' && c <= '9') << f.plain;
      ++counts[c - '0'];
    }
    EXPECT_EQ(f.row.code_hash, crypto::HmacSha256Hex("otp-key", f.plain));
    // Not a substring test: a 64-digit hex HMAC contains some 6-digit code
    // by chance in about 1 of 300 runs of this loop.
    EXPECT_EQ(f.row.code_hash.size(), 64u);
    EXPECT_NE(f.row.code_hash, f.plain);
    EXPECT_EQ(f.row.expires_at, kNow + 30 * 60 * 1000);
  }
  // 12,000 digits: each should be near 1,200; a biased generator (e.g.
  // byte % 10) would still pass this, but a broken one (constant digits)
  // would not.
  for (int c : counts) EXPECT_GT(c, 900);
}

TEST_F(OtpCodesTest, ResetCodesFollowLengthAndAlphabetOptions) {
  OtpOptions o;
  o.reset_length = 10;
  o.reset_format = CodeFormat::kAlphanumeric;
  OtpCodes codes = Make(o);
  const std::string reset = codes.Make(std::nullopt, kUser, Purpose::kPasswordReset).plain;
  ASSERT_EQ(reset.size(), 10u);
  for (char c : reset) EXPECT_NE(kAlphanumericAlphabet.find(c), std::string_view::npos) << c;
  // Other purposes ignore the reset shape, as in the reference.
  EXPECT_EQ(codes.Make(std::nullopt, kUser, Purpose::kMfa).plain.size(), 6u);
}

TEST_F(OtpCodesTest, ConsumeMapsOutcomesToTheReferenceErrors) {
  OtpOptions o;
  o.max_attempts = 2;
  OtpCodes codes = Make(o);
  OtpCodes::Fresh f = codes.Make(std::nullopt, kUser, Purpose::kPasswordReset);
  ASSERT_TRUE(stores_.otps->Issue(f.row, {}).ok());

  auto code_of = [](const core::Status& s) { return s.ok() ? "" : s.error().code; };
  auto message_of = [](const core::Status& s) { return s.ok() ? "" : s.error().message; };
  core::Status blank =
      codes.Consume(*stores_.otps, std::nullopt, kUser, Purpose::kPasswordReset, "  \t ");
  EXPECT_EQ(code_of(blank), "MISSING_REQUIRED_FIELD");
  // The wrong purpose never matches.
  core::Status other =
      codes.Consume(*stores_.otps, std::nullopt, kUser, Purpose::kEmailVerification, f.plain);
  EXPECT_EQ(code_of(other), "VERIFICATION_CODE_INVALID");
  core::Status wrong =
      codes.Consume(*stores_.otps, std::nullopt, kUser, Purpose::kPasswordReset, "999999x");
  EXPECT_EQ(message_of(wrong), "Invalid verification code");
  core::Status exhausted =
      codes.Consume(*stores_.otps, std::nullopt, kUser, Purpose::kPasswordReset, "999999x");
  EXPECT_EQ(message_of(exhausted),
            "Too many invalid attempts. Please request a new verification code.");
  // The right code is dead now too.
  EXPECT_FALSE(
      codes.Consume(*stores_.otps, std::nullopt, kUser, Purpose::kPasswordReset, f.plain).ok());
}

TEST_F(OtpCodesTest, SurroundingWhitespaceIsIgnoredAndExpiryReported) {
  OtpCodes codes = Make();
  OtpCodes::Fresh f = codes.Make(std::nullopt, kUser, Purpose::kPhoneVerification);
  ASSERT_TRUE(stores_.otps->Issue(f.row, {}).ok());
  clock_.Advance(std::chrono::minutes(30));
  core::Status expired = codes.Consume(*stores_.otps, std::nullopt, kUser,
                                       Purpose::kPhoneVerification, " " + f.plain + "\n");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "VERIFICATION_CODE_EXPIRED");

  OtpCodes::Fresh g = codes.Make(std::nullopt, kUser, Purpose::kPhoneVerification);
  ASSERT_TRUE(stores_.otps->Issue(g.row, {}).ok());
  EXPECT_TRUE(codes
                  .Consume(*stores_.otps, std::nullopt, kUser, Purpose::kPhoneVerification,
                           " " + g.plain + "\n")
                  .ok());
}

}  // namespace
}  // namespace authd::otp
