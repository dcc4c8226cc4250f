#include "crypto/totp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "crypto/encoding.h"

namespace authd::crypto {
namespace {

// RFC 4226 Appendix D / RFC 6238 Appendix B seeds (ASCII digits).
constexpr char kSeed20[] = "12345678901234567890";
constexpr char kSeed32[] = "12345678901234567890123456789012";
constexpr char kSeed64[] = "1234567890123456789012345678901234567890123456789012345678901234";

// RFC 4226 Appendix D: HOTP values for counters 0..9.
TEST(Hotp, MatchesRfc4226AppendixD) {
  constexpr const char* kExpected[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(Hotp(kSeed20, counter), kExpected[counter]) << counter;
  }
}

// RFC 6238 Appendix B: 8-digit TOTP values, 30 s steps, T0 = 0.
struct TotpVector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};
constexpr TotpVector kRfc6238[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

TEST(Totp, MatchesRfc6238AppendixB) {
  for (const TotpVector& v : kRfc6238) {
    EXPECT_EQ(Totp(kSeed20, v.time, 8, 30, OtpHash::kSha1), v.sha1) << v.time;
    EXPECT_EQ(Totp(kSeed32, v.time, 8, 30, OtpHash::kSha256), v.sha256) << v.time;
    EXPECT_EQ(Totp(kSeed64, v.time, 8, 30, OtpHash::kSha512), v.sha512) << v.time;
  }
}

TEST(Totp, VerifiesRfc6238AppendixBAtTheirStep) {
  for (const TotpVector& v : kRfc6238) {
    const std::int64_t step = v.time / 30;
    EXPECT_EQ(VerifyTotp(kSeed20, v.sha1, v.time, 1, 8, 30, OtpHash::kSha1), step);
    EXPECT_EQ(VerifyTotp(kSeed32, v.sha256, v.time, 1, 8, 30, OtpHash::kSha256), step);
    EXPECT_EQ(VerifyTotp(kSeed64, v.sha512, v.time, 1, 8, 30, OtpHash::kSha512), step);
  }
}

TEST(Totp, DefaultsAreSixDigitSha1ThirtySeconds) {
  // 1111111111 lies in step 37037037 = Hotp counter.
  EXPECT_EQ(Totp(kSeed20, 1111111111), "050471");
  EXPECT_EQ(Totp(kSeed20, 1111111111), Hotp(kSeed20, 37037037));
  // The whole step [1111111110, 1111111140) shares one code.
  EXPECT_EQ(Totp(kSeed20, 1111111110), "050471");
  EXPECT_EQ(Totp(kSeed20, 1111111139), "050471");
  EXPECT_NE(Totp(kSeed20, 1111111140), "050471");
}

TEST(Totp, WorksWithDecodedBase32Secret) {
  const auto key = Base32Decode(Base32Encode(kSeed20));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(Totp(*key, 59, 8), "94287082");
}

TEST(VerifyTotp, ReturnsTheMatchedStep) {
  EXPECT_EQ(VerifyTotp(kSeed20, "050471", 1111111111), 37037037);
  EXPECT_EQ(VerifyTotp(kSeed20, "050471", 1111111111, /*window=*/0), 37037037);
}

TEST(VerifyTotp, AcceptsOneStepEitherSide) {
  const std::int64_t t = 1111111111;
  const std::string code = Totp(kSeed20, t);
  // ±30 s: the neighbouring steps; the returned step is the code's own.
  EXPECT_EQ(VerifyTotp(kSeed20, code, t + 30), 37037037);
  EXPECT_EQ(VerifyTotp(kSeed20, code, t - 30), 37037037);
  // Step edges: [1111111080, 1111111170) is within one step of 37037037.
  EXPECT_EQ(VerifyTotp(kSeed20, code, 1111111080), 37037037);
  EXPECT_EQ(VerifyTotp(kSeed20, code, 1111111169), 37037037);
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 1111111079).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 1111111170).has_value());
}

TEST(VerifyTotp, RejectsTwoStepsAway) {
  const std::int64_t t = 1111111111;
  const std::string code = Totp(kSeed20, t);
  EXPECT_FALSE(VerifyTotp(kSeed20, code, t + 60).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, t - 60).has_value());
  // A wider window reaches them.
  EXPECT_EQ(VerifyTotp(kSeed20, code, t + 60, /*window=*/2), 37037037);
  EXPECT_EQ(VerifyTotp(kSeed20, code, t - 60, /*window=*/2), 37037037);
}

TEST(VerifyTotp, WindowZeroAcceptsOnlyTheCurrentStep) {
  const std::string code = Totp(kSeed20, 1111111111);
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 1111111111 + 30, 0).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 1111111111 - 30, 0).has_value());
}

TEST(VerifyTotp, StepSupportsReplayRefusal) {
  // Two verifications of one code within its window report the same step,
  // so a caller that stores the last step can refuse the second.
  const std::string code = Totp(kSeed20, 1111111111);
  const auto first = VerifyTotp(kSeed20, code, 1111111111);
  const auto again = VerifyTotp(kSeed20, code, 1111111111 + 25);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first, again);
  // The next step's code reports a larger step.
  const auto next = VerifyTotp(kSeed20, Totp(kSeed20, 1111111111 + 30), 1111111111 + 30);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, *first + 1);
}

TEST(VerifyTotp, RejectsWrongCodes) {
  EXPECT_FALSE(VerifyTotp(kSeed20, "050472", 1111111111).has_value());
  EXPECT_FALSE(VerifyTotp("other key", "050471", 1111111111).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, "14050471", 1111111111, 1, 6).has_value());
}

TEST(VerifyTotp, RejectsCodesOfWrongLengthOrNotDigits) {
  const std::int64_t t = 1111111111;
  for (const std::string code : {"", "05047", "0504710", "50471", "+50471", "-50471", " 50471",
                                 "050471 ", "05047a", "O50471", "05 471", "0x5047", "５０４７１"}) {
    EXPECT_FALSE(VerifyTotp(kSeed20, code, t).has_value()) << code;
  }
  EXPECT_FALSE(VerifyTotp(kSeed20, std::string("05047\0", 6), t).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, std::string("050471\0", 7), t).has_value());
  // An 8-digit code is checked as 8 digits only when asked for.
  EXPECT_FALSE(VerifyTotp(kSeed20, "14050471", t).has_value());
  EXPECT_EQ(VerifyTotp(kSeed20, "14050471", t, 1, 8), 37037037);
}

TEST(VerifyTotp, SkipsStepsBeforeTheEpoch) {
  EXPECT_EQ(VerifyTotp(kSeed20, Hotp(kSeed20, 0), 0), 0);
  EXPECT_EQ(VerifyTotp(kSeed20, Hotp(kSeed20, 1), 0), 1);
  EXPECT_EQ(VerifyTotp(kSeed20, Hotp(kSeed20, 0), 59), 0);
  // Counter 2^64 - 1 (what step -1 would wrap to) is never tried.
  const std::string wrapped = Hotp(kSeed20, ~std::uint64_t{0});
  if (wrapped != Hotp(kSeed20, 0) && wrapped != Hotp(kSeed20, 1)) {
    EXPECT_FALSE(VerifyTotp(kSeed20, wrapped, 0).has_value());
  }
}

TEST(VerifyTotp, HandlesTheLargestTime) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::string code = Totp(kSeed20, kMax, 6, 1);
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(VerifyTotp(kSeed20, code, kMax, kMaxTotpWindow, 6, 1), kMax);
}

TEST(OtpLimits, OutOfRangeParametersProduceNothing) {
  EXPECT_EQ(Hotp(kSeed20, 0, 5), "");
  EXPECT_EQ(Hotp(kSeed20, 0, 9), "");
  EXPECT_EQ(Hotp(kSeed20, 0, 7).size(), 7u);
  EXPECT_EQ(Totp(kSeed20, -1), "");
  EXPECT_EQ(Totp(kSeed20, 59, 6, 0), "");
  EXPECT_EQ(Totp(kSeed20, 59, 6, -30), "");
  const std::string code = Totp(kSeed20, 59);
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 59, -1).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 59, kMaxTotpWindow + 1).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, -1).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, code, 59, 1, 6, 0).has_value());
  EXPECT_FALSE(VerifyTotp(kSeed20, "", 59, 1, 0).has_value());
}

TEST(OtpLimits, AcceptsEmptyAndLongKeys) {
  EXPECT_EQ(Hotp("", 0).size(), 6u);
  const std::string long_key(200, 'k');  // longer than the HMAC block
  const std::string code = Totp(long_key, 1700000000);
  EXPECT_EQ(VerifyTotp(long_key, code, 1700000000), 1700000000 / 30);
}

}  // namespace
}  // namespace authd::crypto
