// Session flows: refresh, the access-token check every protected route
// runs, and logout.
//
// Refresh rotates the token (flows/session_rotation.h: exactly one of any
// number of concurrent refreshes of one token rotates). Within the grace
// window a retry of the just-rotated token gets the same successor pair
// back; after it, or for any older token, the session is revoked as theft.
// Thread-safety: safe for concurrent use. Runs database calls: call from a
// worker pool, not an I/O thread.
#ifndef AUTHD_FLOWS_SESSION_FLOWS_H_
#define AUTHD_FLOWS_SESSION_FLOWS_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "courier/events.h"
#include "flows/auth_result.h"
#include "flows/session_rotation.h"
#include "identity/user_store.h"
#include "session/claims.h"
#include "session/guard_reader.h"
#include "session/session_store.h"
#include "session/token_service.h"

namespace authd::flows {

// What a valid access token resolves to.
struct Principal {
  session::TokenClaims claims;
  session::Session session;
  identity::User user;
};

class SessionFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    session::SessionStore& sessions;
    session::GuardReader& guard;  // Authenticate's reads (session and user)
    const session::TokenService& tokens;
    const core::Clock& clock;
    courier::EventSink& events;  // lifecycle webhooks
  };
  explicit SessionFlows(Deps deps) : d_(deps), rotation_(deps.sessions, deps.tokens) {}

  core::Result<AuthResult> Refresh(std::string_view refresh_token);

  // The access-token guard. `skip_mfa`: the route accepts MFA-pending
  // sessions. Errors are the reference's 401s (INVALID_TOKEN,
  // "Session not found", ACCOUNT_INACTIVE, MFA_REQUIRED).
  core::Result<Principal> Authenticate(std::string_view access_token, bool skip_mfa);

  // The user id an access token names if its signature and expiry check
  // out, without looking the session up: cheap and non-blocking, for
  // grouping requests (the hashing pool's per-user limit), never for
  // authorising them.
  std::optional<std::string> TokenUser(std::string_view access_token) const;

  core::Status Logout(const Principal& p);
  core::Status LogoutAll(const Principal& p);

 private:
  core::Result<AuthResult> RetryWithinGrace(const session::Session& s,
                                            const std::string& presented_hash);
  core::Error Revoke(const session::Session& s);

  Deps d_;
  SessionRotation rotation_;
};

// 401 {"message":"Session not found"} without a code, as the reference.
core::Error SessionNotFound();

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_SESSION_FLOWS_H_
