#include "mfa/mfa_method.h"

#include "core/enum_names.h"

namespace authd::mfa {
namespace {

constexpr core::EnumName<MfaMethod> kMfaMethodNames[] = {
    {MfaMethod::kTotp, "totp"},
    {MfaMethod::kEmail, "email"},
    {MfaMethod::kSms, "sms"},
};

}  // namespace

const char* MfaMethodName(MfaMethod m) { return core::NameIn(kMfaMethodNames, m); }

std::optional<MfaMethod> ParseMfaMethod(std::string_view name) {
  return core::ValueIn(kMfaMethodNames, name);
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
