// OtpOptions: lifetime, attempt limit and shape of one-time codes
// (reference `otp`).
#ifndef AUTHD_OTP_OTP_OPTIONS_H_
#define AUTHD_OTP_OTP_OPTIONS_H_

#include <cstdint>

namespace authd::otp {

enum class CodeFormat { kNumeric, kAlphanumeric };

struct OtpOptions {
  std::int64_t code_ttl_ms = 30 * 60 * 1000;  // reference otp.codeExpiresIn
  int max_attempts = 5;                       // wrong codes per live code
  // Shape of password-reset codes only (the reference honours otp.length
  // and otp.format there alone); every other purpose uses 6 digits.
  int reset_length = 6;
  CodeFormat reset_format = CodeFormat::kNumeric;
};

}  // namespace authd::otp

#endif  // AUTHD_OTP_OTP_OPTIONS_H_
