#include "flows/mfa_keys.h"

#include <algorithm>

#include "core/errors.h"
#include "crypto/aead.h"

namespace authd::flows {

MfaKeys::MfaKeys(std::string_view secret)
    : seal(crypto::DeriveKey(secret, "mfa/totp-seal")),
      lookup(crypto::DeriveKey(secret, "mfa/totp-lookup")),
      code(crypto::DeriveKey(secret, "mfa/recovery-code")),
      trust(crypto::DeriveKey(secret, "mfa/trusted-device")) {}

core::Status RequireMfaEnabled(const mfa::MfaOptions& o) {
  if (!o.enabled) return core::MakeError(core::Err::kMfaNotEnabledForApp);
  return core::Status::Ok();
}

core::Result<identity::User> CurrentMfaUser(identity::UserStore& users,
                                            const core::TenantId& tenant, const core::UserId& id) {
  auto user = users.FindUserById(tenant, id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) return core::MakeError(core::Err::kUserNotFound);
  return std::move(**user);
}

core::Result<std::vector<mfa::MfaMethod>> VerifiedMfaMethods(const mfa::MfaOptions& o,
                                                             mfa::MfaStore& store,
                                                             const core::TenantId& tenant,
                                                             const identity::User& u) {
  using mfa::MfaMethod;
  std::vector<MfaMethod> out;
  if (!o.enabled) return out;
  const std::vector<MfaMethod> configured = mfa::ConfiguredMethods(o);
  auto has = [&](MfaMethod m) {
    return std::find(configured.begin(), configured.end(), m) != configured.end();
  };
  if (has(MfaMethod::kTotp)) {
    auto devices = store.ListDevices(tenant, u.id);
    if (!devices.ok()) return devices.error();
    if (std::any_of(devices->begin(), devices->end(),
                    [](const mfa::TotpDevice& d) { return d.verified; })) {
      out.push_back(MfaMethod::kTotp);
    }
  }
  if (has(MfaMethod::kEmail) && u.email && !u.email->empty()) out.push_back(MfaMethod::kEmail);
  if (has(MfaMethod::kSms) && u.phone && !u.phone->empty()) out.push_back(MfaMethod::kSms);
  return out;
}

}  // namespace authd::flows
