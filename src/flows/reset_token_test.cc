#include "flows/reset_token.h"

#include <gtest/gtest.h>

#include "crypto/jwt.h"

namespace authd::flows {
namespace {

constexpr const char* kSecret = "reset-token-test-secret-0123456789abcdef";
constexpr std::int64_t kNow = 1795627064;

ResetClaims Claims() {
  ResetClaims c;
  c.user_id = "2fde6253-e73b-4125-837c-05c06346b81b";
  c.password_signature = PasswordSignature(kSecret, std::string("$argon2id$v=19$..."));
  c.tenant_id = core::TenantIdValue("6a0f3f6e-7d1c-4a55-9d4a-3f2b1c0d9e8f");
  return c;
}

TEST(ResetTokenTest, RoundTripsItsClaimsInTheReferenceShape) {
  const std::string token = SignResetToken(Claims(), kSecret, kNow, 3600);
  crypto::JwtVerifyResult raw = crypto::JwtVerifyHs256(token, kSecret, kNow);
  ASSERT_TRUE(raw.jwt);
  EXPECT_EQ(raw.jwt->payload_json,
            "{\"userId\":\"2fde6253-e73b-4125-837c-05c06346b81b\",\"passwordHashPrefix\":\"" +
                Claims().password_signature +
                "\",\"tenantId\":\"6a0f3f6e-7d1c-4a55-9d4a-3f2b1c0d9e8f\",\"type\":"
                "\"password-reset\",\"exp\":1795630664,\"iat\":1795627064}");
  ResetTokenCheck check = VerifyResetToken(token, kSecret, kNow + 3599);
  ASSERT_TRUE(check.claims);
  EXPECT_EQ(check.claims->user_id, Claims().user_id);
  EXPECT_EQ(check.claims->password_signature, Claims().password_signature);
  EXPECT_EQ(check.claims->tenant_id, Claims().tenant_id);
}

TEST(ResetTokenTest, ExpiredForgedAndForeignTokensAreRefused) {
  const std::string token = SignResetToken(Claims(), kSecret, kNow, 3600);
  EXPECT_FALSE(VerifyResetToken(token, kSecret, kNow + 3600).claims);
  EXPECT_FALSE(VerifyResetToken(token, "another-secret-0123456789abcdef012345", kNow).claims);
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyResetToken(tampered, kSecret, kNow).claims);
  // A token of another type signed with the same key (an access token).
  const std::string access = crypto::JwtSignHs256(
      R"({"id":"x","sub":"x","type":"access","iat":1795627064,"exp":1795630664})", kSecret);
  ResetTokenCheck check = VerifyResetToken(access, kSecret, kNow);
  EXPECT_FALSE(check.claims);
  EXPECT_EQ(check.error, ResetTokenError::kWrongType);
}

TEST(ResetTokenTest, SignatureDependsOnTheHashAndIsEmptyWithoutOne) {
  EXPECT_EQ(PasswordSignature(kSecret, std::nullopt), "");
  EXPECT_NE(PasswordSignature(kSecret, std::string("a")),
            PasswordSignature(kSecret, std::string("b")));
  EXPECT_EQ(PasswordSignature(kSecret, std::string("a")).size(), 64u);
}

}  // namespace
}  // namespace authd::flows
