// The rate-limit buckets of the API, named once.
//
// A bucket is what a request counts against: its name prefixes the counter
// keys ("<name>:ip:<ip>", "<name>:id:<key>", throttle.h), and a
// RateLimitOptions member (config rate_limit.<config>) gives its window and
// maximum. Two buckets may share limits (mfaChallenge uses
// verification_send) and two routes may share a bucket (verifyOtp counts
// the recovery code and the contact verification codes together). Which
// routes hit which bucket, in which order, is the route table's business
// (http/route.h); the config's rate_limit.* options are read off this table
// (config/options_security.cc), so a new bucket is one entry here.
#ifndef AUTHD_THROTTLE_BUCKETS_H_
#define AUTHD_THROTTLE_BUCKETS_H_

#include <cstddef>
#include <iterator>
#include <span>
#include <string_view>

#include "throttle/throttle_options.h"

namespace authd::throttle {

// In the order of the rate_limit.* options (configuration.md, --help).
enum class BucketId {
  kLogin,
  kSignup,
  kForgotPassword,
  kVerifyOtp,
  kPasswordlessSend,
  kMfaVerify,
  kVerificationSend,
  kMfaSetup,
  kChangePassword,
  kMfaChallenge,
};

struct BucketSpec {
  BucketId id;
  std::string_view name;    // the counter keys' prefix; never change it (live counters)
  std::string_view config;  // rate_limit.<config>
  Bucket RateLimitOptions::*limits;
  // The routes the limits apply to, for the option's help text. Empty on a
  // bucket that shares another's limits: that one's text names its routes.
  std::string_view routes;
};

// Every bucket, in BucketId order. A new bucket is its BucketId and its
// line here, in this one file.
// kPasswordlessSend has no route yet (the passwordless routes are still to
// come); its option is accepted already.
inline constexpr BucketSpec kBuckets[] = {
    {BucketId::kLogin, "login", "login", &RateLimitOptions::login, "POST /auth/login"},
    {BucketId::kSignup, "signup", "signup", &RateLimitOptions::signup, "POST /auth/signup"},
    {BucketId::kForgotPassword, "forgotPassword", "forgot_password",
     &RateLimitOptions::forgot_password, "POST /auth/forgot-password"},
    {BucketId::kVerifyOtp, "verifyOtp", "verify_otp", &RateLimitOptions::verify_otp,
     "POST /auth/verify-forgot-password-otp"},
    {BucketId::kPasswordlessSend, "passwordlessSend", "passwordless_send",
     &RateLimitOptions::passwordless_send, "POST /auth/passwordless/send"},
    {BucketId::kMfaVerify, "mfaVerify", "mfa_verify", &RateLimitOptions::mfa_verify,
     "POST /auth/mfa/verify and /auth/mfa/verify-recovery-code"},
    {BucketId::kVerificationSend, "verificationSend", "verification_send",
     &RateLimitOptions::verification_send,
     "POST /auth/send-email-verification, /auth/send-phone-verification "
     "and /auth/mfa/challenge (authd only: the reference has no limit there)"},
    {BucketId::kMfaSetup, "mfaSetup", "mfa_setup", &RateLimitOptions::mfa_setup,
     "POST /auth/mfa/setup-totp, per account and per IP (authd only: the "
     "reference has no limit there)"},
    {BucketId::kChangePassword, "changePassword", "change_password",
     &RateLimitOptions::change_password,
     "POST /auth/change-password, counted per signed-in user as the "
     "identifier (authd only: the reference has no limit there)"},
    {BucketId::kMfaChallenge, "mfaChallenge", "verification_send",
     &RateLimitOptions::verification_send, ""},
};

constexpr bool BucketsInIdOrder() {
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (static_cast<std::size_t>(kBuckets[i].id) != i) return false;
  }
  return true;
}
static_assert(BucketsInIdOrder(), "kBuckets lists every BucketId in order");

inline std::span<const BucketSpec> AllBuckets() { return kBuckets; }
inline const BucketSpec& SpecOf(BucketId id) { return kBuckets[static_cast<std::size_t>(id)]; }

}  // namespace authd::throttle

#endif  // AUTHD_THROTTLE_BUCKETS_H_
