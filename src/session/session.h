// Session: one signed-in device, the server-side state behind a token pair.
//
// A session stores only the HMAC of its current refresh token, plus the
// HMAC of the token it replaced at its last rotation and when that happened,
// so a retried refresh inside the grace window can be answered with the same
// successor pair and an older token detected as theft.
// Value types; no behaviour.
#ifndef AUTHD_SESSION_SESSION_H_
#define AUTHD_SESSION_SESSION_H_

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "identity/user.h"

namespace authd::session {

// A role as captured in the session and the JWT `roles` claim.
struct RoleSnapshot {
  std::string id;
  std::string name;
  std::string guard;
  core::TenantId tenant_id;
  bool is_system = false;
  bool is_active = true;
};

// The reference's session `data` document.
struct SessionData {
  identity::User user;  // snapshot; password_hash is never stored here
  bool is_mfa_verified = false;
  // Present (true) after an MFA-required login, as in the reference.
  std::optional<bool> is_mfa_enabled;
  std::vector<RoleSnapshot> roles;
  std::vector<std::string> permissions;
  core::TenantId tenant_id;
  bool is_platform_access = false;
};

struct Session {
  core::SessionId id;
  core::UserId user_id;
  core::TenantId tenant_id;
  std::string refresh_hash;         // HMAC-SHA256 hex of the current refresh JWT
  std::string prev_refresh_hash;    // the one replaced at the last rotation
  core::UnixMillis rotated_at = 0;  // time of the last rotation; 0 = never
  SessionData data;
  core::UnixMillis expires_at = 0;
  std::string user_agent;
  std::string device_name;
  std::string ip_address;
  core::UnixMillis last_active = 0;
  core::UnixMillis created_at = 0;
  core::UnixMillis updated_at = 0;
};

}  // namespace authd::session

#endif  // AUTHD_SESSION_SESSION_H_
