#include "throttle/buckets.h"

#include <cstddef>
#include <iterator>

namespace authd::throttle {
namespace {

using O = RateLimitOptions;

// kPasswordlessSend has no route yet (the passwordless routes are still to
// come); its option is accepted already.
constexpr BucketSpec kBuckets[] = {
    {BucketId::kLogin, "login", "login", &O::login, "POST /auth/login"},
    {BucketId::kSignup, "signup", "signup", &O::signup, "POST /auth/signup"},
    {BucketId::kForgotPassword, "forgotPassword", "forgot_password", &O::forgot_password,
     "POST /auth/forgot-password"},
    {BucketId::kVerifyOtp, "verifyOtp", "verify_otp", &O::verify_otp,
     "POST /auth/verify-forgot-password-otp"},
    {BucketId::kPasswordlessSend, "passwordlessSend", "passwordless_send", &O::passwordless_send,
     "POST /auth/passwordless/send"},
    {BucketId::kMfaVerify, "mfaVerify", "mfa_verify", &O::mfa_verify,
     "POST /auth/mfa/verify and /auth/mfa/verify-recovery-code"},
    {BucketId::kVerificationSend, "verificationSend", "verification_send", &O::verification_send,
     "POST /auth/send-email-verification, /auth/send-phone-verification "
     "and /auth/mfa/challenge (authd only: the reference has no limit there)"},
    {BucketId::kMfaSetup, "mfaSetup", "mfa_setup", &O::mfa_setup,
     "POST /auth/mfa/setup-totp, per account and per IP (authd only: the "
     "reference has no limit there)"},
    {BucketId::kChangePassword, "changePassword", "change_password", &O::change_password,
     "POST /auth/change-password, counted per signed-in user as the "
     "identifier (authd only: the reference has no limit there)"},
    {BucketId::kMfaChallenge, "mfaChallenge", "verification_send", &O::verification_send, ""},
};

// SpecOf indexes the table by id.
static_assert([] {
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (static_cast<std::size_t>(kBuckets[i].id) != i) return false;
  }
  return true;
}());

}  // namespace

std::span<const BucketSpec> AllBuckets() { return kBuckets; }

const BucketSpec& SpecOf(BucketId id) { return kBuckets[static_cast<size_t>(id)]; }

}  // namespace authd::throttle
