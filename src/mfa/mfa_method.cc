#include "mfa/mfa_method.h"

namespace authd::mfa {

const char* MfaMethodName(MfaMethod m) {
  switch (m) {
    case MfaMethod::kTotp:
      return "totp";
    case MfaMethod::kEmail:
      return "email";
    case MfaMethod::kSms:
      return "sms";
  }
  return "?";
}

std::optional<MfaMethod> ParseMfaMethod(std::string_view name) {
  for (MfaMethod m : {MfaMethod::kTotp, MfaMethod::kEmail, MfaMethod::kSms}) {
    if (name == MfaMethodName(m)) return m;
  }
  return std::nullopt;
}

std::vector<MfaMethod> ConfiguredMethods(const MfaOptions& o) {
  std::vector<MfaMethod> out;
  for (const std::string& name : o.methods) {
    if (auto m = ParseMfaMethod(name)) out.push_back(*m);
  }
  return out;
}

std::optional<MfaMethod> DefaultMethod(const MfaOptions& o) {
  return ParseMfaMethod(o.default_method);
}

}  // namespace authd::mfa
