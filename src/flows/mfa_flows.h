// MfaFlows: the multi-factor management API of a signed-in user
// (reference MfaController, spec mfa.md §3, §5, §7): status, the user's
// MFA switch, TOTP enrolment and devices, recovery codes.
//
// TOTP secrets are stored sealed with AES-256-GCM under a key derived from
// the configured secret (crypto/aead.h), bound to the device's user; the
// device is found again at enrolment by an HMAC of the secret. Recovery
// codes are stored as HMACs only.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_MFA_FLOWS_H_
#define AUTHD_FLOWS_MFA_FLOWS_H_

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "flows/auth_result.h"
#include "flows/code_sender.h"
#include "session/session_store.h"
#include "session/token_service.h"
#include "throttle/throttle.h"
#include "core/status.h"
#include "courier/events.h"
#include "crypto/random.h"
#include "flows/session_flows.h"
#include "identity/user_store.h"
#include "mfa/mfa_options.h"
#include "mfa/mfa_store.h"

namespace authd::flows {

struct MfaStatus {
  bool is_enabled = false;
  std::vector<std::string> verified_methods;
  std::vector<std::string> configured_methods;
  bool allow_user_toggle = false;
  bool allow_method_selection = false;
  std::vector<mfa::TotpDevice> devices;  // as Devices()
  bool has_recovery_code = false;
  bool required = false;
  bool can_toggle = false;
};

// What a sign-in needs after the first factor succeeded.
struct MfaDecision {
  bool pending = false;  // the session must pass a second factor
  bool trusted = false;  // a trusted device passed it: the session is verified
  std::vector<std::string> methods;
  std::optional<std::string> default_method;
};

struct TotpEnrolment {
  std::string secret;  // base32, 32 characters; shown once
  std::string otpauth_url;
  std::string issuer;
  std::string account;
};

class MfaFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    mfa::MfaStore& store;
    crypto::SecureRandom& random;
    const core::Clock& clock;
    courier::EventPublisher* events = nullptr;  // optional
    // The sign-in half (challenge, verify, recovery, trusted devices);
    // optional so the management half can be used alone.
    session::SessionStore* sessions = nullptr;
    const session::TokenService* tokens = nullptr;
    CodeSender* codes = nullptr;
    throttle::RateLimiter* rate_limiter = nullptr;
    throttle::Lockout* lockout = nullptr;
  };
  // `secret`: the root key every MFA key is derived from
  // (mfa.encryption_key);
  // `app_name`: the default TOTP issuer and device-name prefix.
  MfaFlows(const mfa::MfaOptions& options, std::string_view secret, std::string app_name,
           Deps deps);

  const mfa::MfaOptions& options() const { return options_; }

  // 403 MFA_NOT_ENABLED unless the application has MFA on.
  core::Status RequireEnabled() const;

  core::Result<MfaStatus> Status(const Principal& p);
  // Errors: 403 MFA_NOT_ENABLED, MFA_TOGGLING_NOT_ALLOWED,
  // MFA_CANNOT_ENABLE_WITHOUT_METHOD. Returns the new state.
  core::Status Toggle(const Principal& p, bool enabled);
  // Newest use first, then newest created.
  core::Result<std::vector<mfa::TotpDevice>> Devices(const Principal& p);
  // 404 "MFA device not found" if the caller has no such device.
  core::Status DeleteDevice(const Principal& p, const std::string& device_id);
  // A new unverified device, valid for verification for totp_setup_ttl;
  // abandoned setups older than that are deleted first. Errors: 403
  // MFA_NOT_ENABLED, MFA_CANNOT_ENABLE_WITHOUT_METHOD
  // (require_verified_contact), 400 MFA_DEVICE_LIMIT_REACHED
  // (max_totp_devices). Its rate limit (mfaSetup) is the route's.
  core::Result<TotpEnrolment> SetupTotp(const Principal& p,
                                        const std::optional<std::string>& label,
                                        const std::optional<std::string>& device_name);
  // Confirms the device holding `secret` with a current code (its step is
  // recorded, so the same code cannot be used again). 401
  // MFA_CODE_INVALID "Invalid OTP" on any mismatch, and for a setup older
  // than totp_setup_ttl.
  core::Status VerifyTotpSetup(const Principal& p, const std::string& otp,
                               const std::string& secret);
  // Replaces the unused recovery codes; the plain codes, shown once.
  core::Result<std::vector<std::string>> GenerateRecoveryCodes(const Principal& p);

  // --- sign-in ---------------------------------------------------------
  // Whether a sign-in of `user` needs a second factor, and with what. A
  // valid unexpired `trust_token` of the user skips it. With mfa.required
  // and nothing enrolled the session is still pending (authd: the
  // reference hands out a usable session): it can only enrol.
  core::Result<MfaDecision> Decide(const core::TenantId& tenant, const identity::User& user,
                                   const std::optional<std::string>& trust_token);

  // Sends a code for `method` (email or sms) to the user; other methods
  // are accepted and send nothing, as in the reference. Its rate limit
  // (mfaChallenge) is the route's. Errors: 403 MFA_NOT_ENABLED.
  core::Status Challenge(const Principal& p, const std::string& method);

  // Checks the second factor and upgrades the session: new tokens with
  // isMfaVerified, a trust token if asked. Errors: 403 MFA_NOT_ENABLED,
  // 401 MFA_CODE_INVALID (totp), the code errors (email/sms).
  core::Result<AuthResult> Verify(const Principal& p, const std::string& method,
                                  const std::string& otp, bool trust_device,
                                  const ClientInfo& client);
  // The same with a recovery code (single use). 401 MFA_NOT_ENABLED when
  // the user has no MFA, 401 MFA_RECOVERY_CODE_INVALID.
  core::Result<AuthResult> VerifyRecoveryCode(const Principal& p, const std::string& code,
                                              bool trust_device, const ClientInfo& client);
  // Spends a recovery code to remove every TOTP device; MFA is switched
  // off if no method is left. 403 MFA_NOT_ENABLED, 401
  // MFA_RECOVERY_CODE_INVALID.
  core::Status ResetTotp(const Principal& p, const std::string& code);

  // Methods the user can pass now, in the reference's order (totp if a
  // verified device exists and totp is configured, email if the user has
  // an address, sms if a phone).
  core::Result<std::vector<std::string>> VerifiedMethods(const core::TenantId& tenant,
                                                         const identity::User& u);

 private:
  core::Result<identity::User> CurrentUser(const Principal& p);
  // Marks the session MFA-verified and mints its new token pair.
  core::Result<AuthResult> Upgrade(const Principal& p, bool trust_device,
                                   const ClientInfo& client, const char* event);
  // Accepts a current code of one of the user's verified devices (once).
  core::Result<bool> CheckTotp(const Principal& p, const std::string& otp);
  // Counts a wrong code towards the per-account lockout ("mfa:<user id>",
  // from any IP), which the verify routes check before their rate limit.
  void RecordFailure(const Principal& p);
  bool Configured(std::string_view method) const;
  // An unverified setup older than totp_setup_ttl: never verified, listed
  // or counted.
  bool Abandoned(const mfa::TotpDevice& d, core::UnixMillis now) const;

  const mfa::MfaOptions options_;
  const std::string seal_key_;     // AES-256-GCM key of TOTP secrets
  const std::string lookup_key_;   // HMAC key finding a device by secret
  const std::string code_key_;     // HMAC key of recovery codes
  const std::string trust_key_;    // HMAC key of trust tokens
  const std::string app_name_;
  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_MFA_FLOWS_H_
