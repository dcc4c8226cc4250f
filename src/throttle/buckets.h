// The rate-limit buckets of the API, named once.
//
// A bucket is what a request counts against: its name prefixes the counter
// keys ("<name>:ip:<ip>", "<name>:id:<key>", throttle.h), and a
// RateLimitOptions member (config rate_limit.<config>) gives its window and
// maximum. Two buckets may share limits (mfaChallenge uses
// verification_send) and two routes may share a bucket (verifyOtp counts
// the recovery code and the contact verification codes together). Which
// routes hit which bucket, in which order, is the route table's business
// (http/route.h).
#ifndef AUTHD_THROTTLE_BUCKETS_H_
#define AUTHD_THROTTLE_BUCKETS_H_

#include <cstddef>
#include <iterator>
#include <span>
#include <string_view>

#include "throttle/throttle_options.h"

namespace authd::throttle {

enum class BucketId {
  kLogin,
  kSignup,
  kForgotPassword,
  kVerifyOtp,
  kVerificationSend,
  kMfaVerify,
  kMfaSetup,
  kMfaChallenge,
  kChangePassword,
};

struct BucketSpec {
  BucketId id;
  std::string_view name;    // the counter keys' prefix; never change it (live counters)
  std::string_view config;  // rate_limit.<config>
  Bucket RateLimitOptions::*limits;
};

// Every bucket, in BucketId order. A new bucket is its BucketId and its
// line here, in this one file.
inline constexpr BucketSpec kBuckets[] = {
    {BucketId::kLogin, "login", "login", &RateLimitOptions::login},
    {BucketId::kSignup, "signup", "signup", &RateLimitOptions::signup},
    {BucketId::kForgotPassword, "forgotPassword", "forgot_password",
     &RateLimitOptions::forgot_password},
    {BucketId::kVerifyOtp, "verifyOtp", "verify_otp", &RateLimitOptions::verify_otp},
    {BucketId::kVerificationSend, "verificationSend", "verification_send",
     &RateLimitOptions::verification_send},
    {BucketId::kMfaVerify, "mfaVerify", "mfa_verify", &RateLimitOptions::mfa_verify},
    {BucketId::kMfaSetup, "mfaSetup", "mfa_setup", &RateLimitOptions::mfa_setup},
    {BucketId::kMfaChallenge, "mfaChallenge", "verification_send",
     &RateLimitOptions::verification_send},
    {BucketId::kChangePassword, "changePassword", "change_password",
     &RateLimitOptions::change_password},
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
