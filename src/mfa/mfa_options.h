// MfaOptions: the reference's `mfa` options that authd implements.
#ifndef AUTHD_MFA_MFA_OPTIONS_H_
#define AUTHD_MFA_MFA_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace authd::mfa {

struct MfaOptions {
  bool enabled = false;   // app switch: off = every MFA route 403 MFA_NOT_ENABLED
  bool required = false;  // every user must pass a second factor
  std::vector<std::string> methods{"email", "totp"};  // of email, sms, totp
  std::string default_method;                         // "" = first available
  bool allow_user_toggle = true;
  bool allow_method_selection = true;  // reported only
  std::string totp_issuer;             // "" = app name
  int recovery_code_count = 10;
  bool require_verified_contact = false;  // TOTP setup needs a verified e-mail/phone
  // Devices a user may hold, unverified (pending) setups included; one
  // more setup-totp answers 400 MFA_DEVICE_LIMIT_REACHED.
  int max_totp_devices = 10;
  // An unverified setup older than this can no longer be verified, does
  // not count towards max_totp_devices and is deleted at the next setup.
  std::int64_t totp_setup_ttl_ms = 10 * 60 * 1000;
  std::int64_t trusted_device_ttl_ms = 7LL * 24 * 3600 * 1000;
  // Root key of every MFA secret (sealed TOTP secrets, recovery-code and
  // trust-token HMACs). Kept apart from the JWT secret so that rotating
  // the latter never locks users out of their authenticator apps.
  // "" = generated once and kept in <data dir>/mfa-key.
  std::string encryption_key;
};

}  // namespace authd::mfa

#endif  // AUTHD_MFA_MFA_OPTIONS_H_
