#include "throttle/buckets.h"

namespace authd::throttle {
namespace {

using O = RateLimitOptions;

constexpr BucketSpec kBuckets[] = {
    {BucketId::kLogin, "login", "login", &O::login},
    {BucketId::kSignup, "signup", "signup", &O::signup},
    {BucketId::kForgotPassword, "forgotPassword", "forgot_password", &O::forgot_password},
    {BucketId::kVerifyOtp, "verifyOtp", "verify_otp", &O::verify_otp},
    {BucketId::kVerificationSend, "verificationSend", "verification_send", &O::verification_send},
    {BucketId::kMfaVerify, "mfaVerify", "mfa_verify", &O::mfa_verify},
    {BucketId::kMfaSetup, "mfaSetup", "mfa_setup", &O::mfa_setup},
    {BucketId::kMfaChallenge, "mfaChallenge", "verification_send", &O::verification_send},
    {BucketId::kChangePassword, "changePassword", "change_password", &O::change_password},
};

}  // namespace

std::span<const BucketSpec> AllBuckets() { return kBuckets; }

const BucketSpec& SpecOf(BucketId id) { return kBuckets[static_cast<size_t>(id)]; }

}  // namespace authd::throttle
