// The password-reset token: a JWT (HS256, the session secret) that
// POST /auth/verify-forgot-password-otp hands out and POST
// /auth/reset-password redeems. Claims, as the reference writes them:
//   {"userId", "passwordHashPrefix", "tenantId", "type":"password-reset",
//    "exp", "iat"}
// passwordHashPrefix is HMAC-SHA256(secret, current password hash) in hex:
// once the password changes, every token issued before dies. That makes a
// token single-use, provided the password update is a compare-and-set on
// the hash the token was checked against.
// Thread-safety: stateless functions.
#ifndef AUTHD_FLOWS_RESET_TOKEN_H_
#define AUTHD_FLOWS_RESET_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"

namespace authd::flows {

inline constexpr const char* kResetTokenType = "password-reset";

struct ResetClaims {
  std::string user_id;
  std::string password_signature;  // passwordHashPrefix
  core::TenantId tenant_id;
  std::string type;  // must equal kResetTokenType to be honoured
};

// HMAC-SHA256(secret, password_hash) hex; "" when the user has no password.
std::string PasswordSignature(std::string_view secret,
                              const std::optional<std::string>& password_hash);

std::string SignResetToken(const ResetClaims& claims, std::string_view secret,
                           std::int64_t now_seconds, std::int64_t ttl_seconds);

enum class ResetTokenError { kInvalid, kWrongType };

// The claims of a token with a valid signature that has not expired and
// whose payload has a string userId; kWrongType if `type` is not
// "password-reset" (an access token, say).
struct ResetTokenCheck {
  std::optional<ResetClaims> claims;
  ResetTokenError error = ResetTokenError::kInvalid;
};
ResetTokenCheck VerifyResetToken(std::string_view token, std::string_view secret,
                                 std::int64_t now_seconds);

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_RESET_TOKEN_H_
