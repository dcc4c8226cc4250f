// MfaMethod: a second factor, by the reference's wire names.
#ifndef AUTHD_MFA_MFA_METHOD_H_
#define AUTHD_MFA_MFA_METHOD_H_

#include <optional>
#include <string_view>
#include <vector>

#include "mfa/mfa_options.h"

namespace authd::mfa {

enum class MfaMethod { kTotp, kEmail, kSms };

// "totp", "email", "sms": the names in requests, responses and mfa.methods.
const char* MfaMethodName(MfaMethod m);
std::optional<MfaMethod> ParseMfaMethod(std::string_view name);

// mfa.methods in their configured order (the configuration validated the
// names); what "configured" means everywhere.
std::vector<MfaMethod> ConfiguredMethods(const MfaOptions& o);
// mfa.default_method; nullopt when empty (the first available).
std::optional<MfaMethod> DefaultMethod(const MfaOptions& o);

}  // namespace authd::mfa

#endif  // AUTHD_MFA_MFA_METHOD_H_
