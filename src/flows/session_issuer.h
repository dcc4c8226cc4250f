// SessionIssuer: creates a session for a user who just proved who they
// are (signup, login) and mints its first token pair.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_SESSION_ISSUER_H_
#define AUTHD_FLOWS_SESSION_ISSUER_H_

#include "core/clock.h"
#include "core/status.h"
#include "crypto/random.h"
#include "flows/auth_result.h"
#include "identity/user.h"
#include "session/session_store.h"
#include "session/token_service.h"

namespace authd::flows {

class SessionIssuer {
 public:
  struct Deps {
    session::SessionStore& sessions;
    const session::TokenService& tokens;
    const core::Clock& clock;
    crypto::SecureRandom& random;
  };
  explicit SessionIssuer(Deps deps) : d_(deps) {}

  // Stores a new session for `user` in `tenant` and returns it with its
  // tokens. `mfa_pending`: the session still needs a second factor;
  // `mfa_verified`: a trusted device already counts as one.
  core::Result<AuthResult> Issue(const identity::User& user, const core::TenantId& tenant,
                                 const ClientInfo& client, bool mfa_pending,
                                 bool mfa_verified = false);

 private:
  Deps d_;
};

// The user snapshot kept in session data: the user without secrets.
identity::User SnapshotOf(const identity::User& user);

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_SESSION_ISSUER_H_
