// PasswordFlows: changing a password (and, with the account issue, the
// forgot / reset flows). Runs argon2id: call from the hashing pool.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_PASSWORD_FLOWS_H_
#define AUTHD_FLOWS_PASSWORD_FLOWS_H_

#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "courier/events.h"
#include "flows/auth_result.h"
#include "identity/passwords.h"
#include "identity/user_store.h"
#include "session/session_store.h"
#include "throttle/throttle.h"

namespace authd::flows {

class PasswordFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    session::SessionStore& sessions;
    const identity::Passwords& passwords;
    throttle::Lockout& lockout;
    const core::Clock& clock;
    courier::EventSink& events;  // lifecycle webhooks
  };
  explicit PasswordFlows(Deps deps) : d_(deps) {}

  // Applies the policy to `next`, verifies `current`, stores the new hash
  // and revokes every session of the user (the caller's too), as the
  // reference does. The policy comes first (the reference verifies first):
  // a policy failure costs no argon2id, says nothing about `current`, and
  // neither counts as a failed attempt nor clears the lockout. Wrong
  // current passwords count towards the lockout of (user, ip) like failed
  // logins. Errors: 401 USER_NOT_FOUND, 400 PASSWORD_*, 400
  // CURRENT_PASSWORD_INCORRECT, 400 NEW_PASSWORD_SAME_AS_CURRENT, 429
  // ACCOUNT_LOCKED.
  core::Status ChangePassword(const core::TenantId& tenant, const core::UserId& user,
                              const std::string& current, const std::string& next,
                              const ClientInfo& client);

 private:
  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_PASSWORD_FLOWS_H_
