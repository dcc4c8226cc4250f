// SessionOptions: token lifetimes, rotation and session limits.
#ifndef AUTHD_SESSION_SESSION_OPTIONS_H_
#define AUTHD_SESSION_SESSION_OPTIONS_H_

#include <cstdint>
#include <string>

namespace authd::session {

struct SessionOptions {
  // HS256 key of access, refresh and reset tokens; also the HMAC key of
  // stored refresh-token hashes. Required (config generates one if unset).
  std::string jwt_secret;
  std::int64_t access_token_ttl_seconds = 3600;      // reference "1h"
  std::int64_t refresh_token_ttl_seconds = 2592000;  // reference "30d"
  // After a rotation, presenting the just-replaced refresh token within this
  // window returns the same successor pair instead of revoking the session.
  // 0 = the reference's behaviour (any reuse revokes).
  std::int64_t refresh_grace_ms = 10000;
  // Creating a session when the user has this many evicts the least
  // recently active; <= 0 disables the limit.
  int max_sessions_per_user = 10;
};

}  // namespace authd::session

#endif  // AUTHD_SESSION_SESSION_OPTIONS_H_
