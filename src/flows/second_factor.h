// SecondFactor: passing a second factor at sign-in (reference AuthController
// mfa routes, spec mfa.md §4, §6): whether a sign-in needs one, sending
// e-mail and SMS codes, checking a code or a recovery code and upgrading
// the session, trusted devices, the mfaVerify throttle and lockout.
// Enrolment and management are flows/mfa_enrolment.h.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_SECOND_FACTOR_H_
#define AUTHD_FLOWS_SECOND_FACTOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "courier/events.h"
#include "crypto/random.h"
#include "flows/auth_result.h"
#include "flows/code_sender.h"
#include "flows/mfa_keys.h"
#include "flows/session_flows.h"
#include "flows/session_rotation.h"
#include "identity/user_store.h"
#include "mfa/mfa_method.h"
#include "mfa/mfa_options.h"
#include "mfa/mfa_store.h"
#include "session/session_store.h"
#include "session/token_service.h"
#include "throttle/throttle.h"

namespace authd::flows {

// What a sign-in needs after the first factor succeeded.
struct MfaDecision {
  bool pending = false;  // the session must pass a second factor
  bool trusted = false;  // a trusted device passed it: the session is verified
  std::vector<mfa::MfaMethod> methods;
  std::optional<mfa::MfaMethod> default_method;
};

class SecondFactor {
 public:
  struct Deps {
    identity::UserStore& users;
    mfa::MfaStore& store;
    session::SessionStore& sessions;
    const session::TokenService& tokens;
    CodeSender& codes;
    throttle::Lockout& lockout;
    crypto::SecureRandom& random;
    const core::Clock& clock;
    courier::EventSink& events;  // lifecycle webhooks (courier::NoEvents() when off)
  };
  SecondFactor(const mfa::MfaOptions& options, MfaKeys keys, Deps deps);

  const mfa::MfaOptions& options() const { return options_; }

  // Whether a sign-in of `user` needs a second factor, and with what. A
  // valid unexpired `trust_token` of the user skips it. With mfa.required
  // and nothing enrolled the session is still pending (authd: the
  // reference hands out a usable session): it can only enrol.
  core::Result<MfaDecision> Decide(const core::TenantId& tenant, const identity::User& user,
                                   const std::optional<std::string>& trust_token);

  // Sends a code for `method` (email or sms) to the user; other methods
  // (nullopt: not a method name) are accepted and send nothing, as in the
  // reference. Its rate limit (mfaChallenge) is the route's. Errors: 403
  // MFA_NOT_ENABLED.
  core::Status Challenge(const Principal& p, std::optional<mfa::MfaMethod> method);

  // Checks the second factor and upgrades the session: new tokens with
  // isMfaVerified, a trust token if asked. Errors: 403 MFA_NOT_ENABLED,
  // 401 MFA_CODE_INVALID (totp), the code errors (email/sms).
  core::Result<AuthResult> Verify(const Principal& p, mfa::MfaMethod method, const std::string& otp,
                                  bool trust_device, const ClientInfo& client);
  // The same with a recovery code (single use). 401 MFA_NOT_ENABLED when
  // the user has no MFA, 401 MFA_RECOVERY_CODE_INVALID.
  core::Result<AuthResult> VerifyRecoveryCode(const Principal& p, const std::string& code,
                                              bool trust_device, const ClientInfo& client);
  // Spends a recovery code to remove every TOTP device; MFA is switched
  // off if no method is left. 403 MFA_NOT_ENABLED, 401
  // MFA_RECOVERY_CODE_INVALID.
  core::Status ResetTotp(const Principal& p, const std::string& code);

  // As VerifiedMfaMethods (flows/mfa_keys.h).
  core::Result<std::vector<mfa::MfaMethod>> VerifiedMethods(const core::TenantId& tenant,
                                                            const identity::User& u);

 private:
  // Marks the session MFA-verified and rotates it (flows/session_rotation.h).
  core::Result<AuthResult> Upgrade(const Principal& p, bool trust_device, const ClientInfo& client,
                                   const char* event);
  // Accepts a current code of one of the user's verified devices (once).
  core::Result<bool> CheckTotp(const Principal& p, const std::string& otp);
  void RecordFailure(const Principal& p);
  // Uses up one of the user's recovery codes; 401 MFA_RECOVERY_CODE_INVALID
  // (counted by the lockout) if it is not an unused one.
  core::Status SpendRecoveryCode(const Principal& p, const std::string& code);

  const mfa::MfaOptions options_;
  const MfaKeys keys_;
  Deps d_;
  SessionRotation rotation_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_SECOND_FACTOR_H_
