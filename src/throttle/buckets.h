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

// Every bucket, in BucketId order.
std::span<const BucketSpec> AllBuckets();
const BucketSpec& SpecOf(BucketId id);

}  // namespace authd::throttle

#endif  // AUTHD_THROTTLE_BUCKETS_H_
