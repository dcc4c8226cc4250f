// MfaEnrolment: the multi-factor management API of a signed-in user
// (reference MfaController, spec mfa.md §3, §5, §7): status, the user's
// MFA switch, TOTP enrolment and devices, recovery codes. Passing a second
// factor at sign-in is flows/second_factor.h.
//
// TOTP secrets are stored sealed with AES-256-GCM under a key derived from
// the configured secret (flows/mfa_keys.h), bound to the device's user; the
// device is found again at enrolment by an HMAC of the secret. Recovery
// codes are stored as HMACs only.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_MFA_ENROLMENT_H_
#define AUTHD_FLOWS_MFA_ENROLMENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "courier/events.h"
#include "crypto/random.h"
#include "flows/mfa_keys.h"
#include "flows/session_flows.h"
#include "identity/user_store.h"
#include "mfa/mfa_method.h"
#include "mfa/mfa_options.h"
#include "mfa/mfa_store.h"

namespace authd::flows {

struct MfaStatus {
  bool is_enabled = false;
  std::vector<mfa::MfaMethod> verified_methods;
  std::vector<mfa::MfaMethod> configured_methods;
  bool allow_user_toggle = false;
  bool allow_method_selection = false;
  std::vector<mfa::TotpDevice> devices;  // as Devices()
  bool has_recovery_code = false;
  bool required = false;
  bool can_toggle = false;
};

struct TotpEnrolment {
  std::string secret;  // base32, 32 characters; shown once
  std::string otpauth_url;
  std::string issuer;
  std::string account;
};

class MfaEnrolment {
 public:
  struct Deps {
    identity::UserStore& users;
    mfa::MfaStore& store;
    crypto::SecureRandom& random;
    const core::Clock& clock;
    courier::EventSink& events;  // lifecycle webhooks (courier::NoEvents() when off)
  };
  // `app_name`: the default TOTP issuer and device-name prefix.
  MfaEnrolment(const mfa::MfaOptions& options, MfaKeys keys, std::string app_name, Deps deps);

  const mfa::MfaOptions& options() const { return options_; }

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
  core::Result<TotpEnrolment> SetupTotp(const Principal& p, const std::optional<std::string>& label,
                                        const std::optional<std::string>& device_name);
  // Confirms the device holding `secret` with a current code (its step is
  // recorded, so the same code cannot be used again). 401
  // MFA_CODE_INVALID "Invalid OTP" on any mismatch, and for a setup older
  // than totp_setup_ttl.
  core::Status VerifyTotpSetup(const Principal& p, const std::string& otp,
                               const std::string& secret);
  // Replaces the unused recovery codes; the plain codes, shown once.
  core::Result<std::vector<std::string>> GenerateRecoveryCodes(const Principal& p);

 private:
  // An unverified setup older than totp_setup_ttl: never verified, listed
  // or counted.
  bool Abandoned(const mfa::TotpDevice& d, core::UnixMillis now) const;

  const mfa::MfaOptions options_;
  const MfaKeys keys_;
  const std::string app_name_;
  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_MFA_ENROLMENT_H_
