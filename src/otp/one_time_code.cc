#include "otp/one_time_code.h"

#include "core/enum_names.h"

namespace authd::otp {
namespace {

constexpr core::EnumName<Purpose> kPurposeNames[] = {
    {Purpose::kPasswordReset, "password_reset"},
    {Purpose::kEmailVerification, "email_verification"},
    {Purpose::kPhoneVerification, "phone_verification"},
    {Purpose::kMfa, "mfa"},
    {Purpose::kPasswordlessLogin, "passwordless_login"},
};

}  // namespace

const char* PurposeName(Purpose p) { return core::NameIn(kPurposeNames, p); }

std::optional<Purpose> ParsePurpose(std::string_view name) {
  return core::ValueIn(kPurposeNames, name);
}

}  // namespace authd::otp
