// ThrottleOptions: account lockout and per-route rate limits
// (reference `security.lockout` / `security.rateLimit`). authd turns both on
// by default; the reference ships them off.
#ifndef AUTHD_THROTTLE_THROTTLE_OPTIONS_H_
#define AUTHD_THROTTLE_THROTTLE_OPTIONS_H_

#include <cstdint>

namespace authd::throttle {

struct Bucket {
  std::int64_t window_ms = 60000;
  std::int64_t max = 5;
};

enum class KeyBy { kBoth, kIp, kIdentifier };

struct RateLimitOptions {
  bool enabled = true;
  KeyBy key_by = KeyBy::kBoth;
  Bucket login{60000, 5};
  Bucket signup{60000, 5};
  Bucket forgot_password{60000, 3};
  Bucket verify_otp{60000, 5};
  Bucket passwordless_send{60000, 3};
  Bucket mfa_verify{60000, 5};
  // authd's own: POST /auth/send-email-verification and
  // /auth/send-phone-verification (the reference has no limit there).
  Bucket verification_send{60000, 3};
  // authd's own: POST /auth/mfa/setup-totp, per account and per IP (the
  // reference has no limit there; each call stores a device).
  Bucket mfa_setup{60000, 5};
  // authd's own: POST /auth/change-password, per signed-in user and per IP
  // (the reference has no limit there).
  Bucket change_password{60000, 5};
};

struct LockoutOptions {
  bool enabled = true;
  int max_failed_attempts = 10;
  std::int64_t window_ms = 15 * 60 * 1000;
  std::int64_t lock_duration_ms = 15 * 60 * 1000;
};

}  // namespace authd::throttle

#endif  // AUTHD_THROTTLE_THROTTLE_OPTIONS_H_
