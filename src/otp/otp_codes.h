// OtpCodes: makes one-time codes and their stored HMACs, and turns the
// store's verdict into the reference's errors (spec mfa.md §4).
//
// A code is uniform random over its alphabet (rejection sampling on the OS
// CSPRNG, so no digit is likelier than another). The stored value is
// HMAC-SHA256(key, code) in hex: a database leak does not reveal live
// codes, and the key never leaves the process.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_OTP_OTP_CODES_H_
#define AUTHD_OTP_OTP_CODES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/random.h"
#include "otp/one_time_code.h"
#include "otp/otp_options.h"

namespace authd::otp {

// The alphanumeric alphabet of the reference: no 0/O, 1/I/L.
inline constexpr std::string_view kAlphanumericAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

class OtpCodes {
 public:
  // `key`: the HMAC key (the JWT secret unless configured otherwise).
  OtpCodes(const OtpOptions& options, std::string key, crypto::SecureRandom& random,
           const core::Clock& clock)
      : options_(options), key_(std::move(key)), random_(random), clock_(clock) {}

  struct Fresh {
    std::string plain;  // to send; never stored, never logged
    OneTimeCode row;    // to store
  };
  // A new code for (tenant, user, purpose), expiring code_ttl_ms from now.
  // A non-empty `binding` (e.g. the channel an MFA code is sent through)
  // is mixed into the stored HMAC: Consume must name the same binding.
  Fresh Make(const core::TenantId& tenant, const core::UserId& user, Purpose purpose,
             std::string_view binding = {});

  std::string Hash(std::string_view plain, std::string_view binding = {}) const;

  // Validates and consumes `plain` for (tenant, user, purpose) in `store`.
  // Errors (all 400): MISSING_REQUIRED_FIELD (blank code),
  // VERIFICATION_CODE_EXPIRED, VERIFICATION_CODE_INVALID (wrong, or
  // attempts exhausted: the reference's two messages).
  core::Status Consume(OtpStore& store, const core::TenantId& tenant, const core::UserId& user,
                       Purpose purpose, std::string_view plain,
                       std::string_view binding = {}) const;

  const OtpOptions& options() const { return options_; }
  // Whole minutes of code_ttl_ms, at least 1 (for message templates).
  int TtlMinutes() const;

 private:
  std::string RandomCode(int length, CodeFormat format);

  const OtpOptions options_;
  const std::string key_;
  crypto::SecureRandom& random_;
  const core::Clock& clock_;
};

}  // namespace authd::otp

#endif  // AUTHD_OTP_OTP_CODES_H_
