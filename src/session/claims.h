// TokenClaims: the JWT claim set of access and refresh tokens, and the
// ClaimsCodec port that turns it into JSON and back.
//
// The codec is a port so the session domain stays free of any JSON
// library; the adapter lives in http/ (claims_json.cc). Encode must write
// the reference's key order exactly:
//   id, sub, sessionId, email, phone, emailVerifiedAt, phoneVerifiedAt,
//   roles, tenantId, isMfaEnabled, isMfaVerified, type, [jti], iat, exp
#ifndef AUTHD_SESSION_CLAIMS_H_
#define AUTHD_SESSION_CLAIMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "session/session.h"

namespace authd::session {

inline constexpr const char* kTokenTypeAccess = "access";
inline constexpr const char* kTokenTypeRefresh = "refresh";

struct TokenClaims {
  std::string user_id;     // `id` and `sub`
  std::string session_id;  // empty when the claim is absent (decode)
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<core::UnixMillis> email_verified_at;
  std::optional<core::UnixMillis> phone_verified_at;
  std::vector<RoleSnapshot> roles;
  core::TenantId tenant_id;
  bool is_mfa_enabled = false;
  bool is_mfa_verified = false;
  std::string type;  // "access", "refresh"; empty when absent (decode)
  std::string jti;   // refresh tokens only
  std::int64_t iat = 0;
  std::int64_t exp = 0;
};

class ClaimsCodec {
 public:
  virtual ~ClaimsCodec() = default;
  virtual std::string Encode(const TokenClaims& claims) const = 0;
  // Lenient: missing or mistyped members are left at their defaults;
  // nullopt only if `json` is not a JSON object.
  virtual std::optional<TokenClaims> Decode(std::string_view json) const = 0;
};

}  // namespace authd::session

#endif  // AUTHD_SESSION_CLAIMS_H_
