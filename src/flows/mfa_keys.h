// MfaKeys: the keys every MFA secret is kept under, derived once from the
// root key (mfa.encryption_key), and the rules both MFA use cases share
// (enrolment: flows/mfa_enrolment.h, sign-in: flows/second_factor.h).
#ifndef AUTHD_FLOWS_MFA_KEYS_H_
#define AUTHD_FLOWS_MFA_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "identity/user_store.h"
#include "mfa/mfa_method.h"
#include "mfa/mfa_options.h"
#include "mfa/mfa_store.h"

namespace authd::flows {

struct MfaKeys {
  explicit MfaKeys(std::string_view secret);

  std::string seal;    // AES-256-GCM key of TOTP secrets
  std::string lookup;  // HMAC key finding a device by secret
  std::string code;    // HMAC key of recovery codes
  std::string trust;   // HMAC key of trust tokens

  // The AAD of a sealed TOTP secret binds it to its owner: a row copied to
  // another user does not open.
  static std::string SealAad(const core::UserId& user) { return "mfa-totp:" + user.str(); }
};

// 403 MFA_NOT_ENABLED unless the application has MFA on.
core::Status RequireMfaEnabled(const mfa::MfaOptions& o);

// The caller's current user row; 404 USER_NOT_FOUND.
core::Result<identity::User> CurrentMfaUser(identity::UserStore& users,
                                            const core::TenantId& tenant, const core::UserId& user);

// Methods the user can pass now, in the reference's order (totp if a
// verified device exists and totp is configured, email if the user has
// an address, sms if a phone).
core::Result<std::vector<mfa::MfaMethod>> VerifiedMfaMethods(const mfa::MfaOptions& o,
                                                             mfa::MfaStore& store,
                                                             const core::TenantId& tenant,
                                                             const identity::User& u);

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_MFA_KEYS_H_
