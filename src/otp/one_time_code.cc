#include "otp/one_time_code.h"

namespace authd::otp {

const char* PurposeName(Purpose p) {
  switch (p) {
    case Purpose::kPasswordReset:
      return "password_reset";
    case Purpose::kEmailVerification:
      return "email_verification";
    case Purpose::kPhoneVerification:
      return "phone_verification";
    case Purpose::kMfa:
      return "mfa";
    case Purpose::kPasswordlessLogin:
      return "passwordless_login";
  }
  return "?";
}

std::optional<Purpose> ParsePurpose(std::string_view name) {
  for (Purpose p : {Purpose::kPasswordReset, Purpose::kEmailVerification,
                    Purpose::kPhoneVerification, Purpose::kMfa, Purpose::kPasswordlessLogin}) {
    if (name == PurposeName(p)) return p;
  }
  return std::nullopt;
}

}  // namespace authd::otp
