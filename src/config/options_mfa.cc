// Option table, part 4: mfa.
#include <string>
#include <vector>

#include "config/option_builders.h"
#include "config/option_table.h"

namespace authd::config::internal {
namespace {

core::Status MfaMethod(std::string& s) {
  if (s == "email" || s == "sms" || s == "totp") return core::Status::Ok();
  return Invalid("items must be email, sms or totp");
}

core::Status KeyText(std::string& s) {
  if (s.empty() || s.size() >= 32) return core::Status::Ok();
  return Invalid("must be at least 32 characters (openssl rand -base64 48)");
}

core::Status EmptyOrMfaMethod(std::string& s) {
  if (s.empty()) return core::Status::Ok();
  return MfaMethod(s);
}

}  // namespace

void AppendMfaOptions(std::vector<Option>& out) {
  out.push_back(BoolOption(
      "mfa.enabled", [](auto& c) -> auto& { return c.mfa.enabled; },
      "Turn multi-factor authentication on for the application (the "
      "reference's mfa.enabled). Off: every /auth/mfa route answers 403 "
      "MFA_NOT_ENABLED."));
  out.push_back(BoolOption(
      "mfa.required", [](auto& c) -> auto& { return c.mfa.required; },
      "Every user must pass a second factor, whatever their own MFA switch; "
      "users cannot turn MFA off."));
  out.push_back(ListOption(
      "mfa.methods", [](auto& c) -> auto& { return c.mfa.methods; },
      "Second factors offered: email, sms, totp.", MfaMethod));
  out.push_back(StringOption(
      "mfa.default_method", [](auto& c) -> auto& { return c.mfa.default_method; },
      "Preferred method reported as defaultMfaMethod when it is available; "
      "empty = the first available.",
      EmptyOrMfaMethod));
  out.push_back(BoolOption(
      "mfa.allow_user_toggle", [](auto& c) -> auto& { return c.mfa.allow_user_toggle; },
      "Users may switch MFA on and off for themselves (POST /auth/mfa/toggle)."));
  out.push_back(BoolOption(
      "mfa.allow_method_selection", [](auto& c) -> auto& { return c.mfa.allow_method_selection; },
      "Reported to clients in GET /auth/mfa/status and client-config."));
  out.push_back(StringOption(
      "mfa.totp_issuer", [](auto& c) -> auto& { return c.mfa.totp_issuer; },
      "Issuer shown by authenticator apps; empty = app.name."));
  out.push_back(IntOption(
      "mfa.recovery_code_count", [](auto& c) -> auto& { return c.mfa.recovery_code_count; }, 1, 100,
      "Recovery codes made by POST /auth/mfa/generate-recovery-code."));
  out.push_back(DurationOption(
      "mfa.trusted_device_duration", [](auto& c) -> auto& { return c.mfa.trusted_device_ttl_ms; },
      1, 1000,
      "How long a device trusted at MFA verification (trustDevice: true) "
      "skips MFA; also the Max-Age of the nest_auth_device_trust cookie."));
  out.push_back(Secret(StringOption(
      "mfa.encryption_key", [](auto& c) -> auto& { return c.mfa.encryption_key; },
      "Root key of MFA secrets: TOTP secrets are stored AES-256-GCM sealed "
      "under a key derived from it, recovery codes and trust tokens as HMACs "
      "keyed by it. Empty = generated at first start and kept in "
      "<data_dir>/mfa-key (mode 0600). Independent of session.jwt_secret; "
      "losing or changing it invalidates enrolled authenticators, recovery "
      "codes and trusted devices.",
      KeyText)));
  out.push_back(BoolOption(
      "mfa.require_verified_contact",
      [](auto& c) -> auto& { return c.mfa.require_verified_contact; },
      "Enrolling an authenticator app requires a verified e-mail or phone "
      "(403 MFA_CANNOT_ENABLE_WITHOUT_METHOD otherwise)."));
  out.push_back(IntOption(
      "mfa.max_totp_devices", [](auto& c) -> auto& { return c.mfa.max_totp_devices; }, 1, 1000,
      "TOTP devices one user may hold, unverified setups included; one more "
      "POST /auth/mfa/setup-totp answers 400 MFA_DEVICE_LIMIT_REACHED "
      "(remove a device first)."));
  out.push_back(DurationOption(
      "mfa.totp_setup_ttl", [](auto& c) -> auto& { return c.mfa.totp_setup_ttl_ms; }, 1, 1000,
      "How long a TOTP setup may wait for POST /auth/mfa/verify-totp-setup. "
      "An older unverified setup cannot be verified any more, is not listed "
      "or counted towards mfa.max_totp_devices, and is deleted at the "
      "user's next setup."));
}

}  // namespace authd::config::internal
