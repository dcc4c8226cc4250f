#include "core/errors.h"

#include <array>
#include <cassert>

namespace authd::core {
namespace {

using C = ErrorCategory;
using O = ErrorOrigin;

constexpr ErrorEntry kEntries[] = {
    {Err::kPasswordRequired, C::kInvalidArgument, "PASSWORD_TOO_SHORT", "Password is required",
     O::kReference},
    {Err::kPasswordTooShort, C::kInvalidArgument, "PASSWORD_TOO_SHORT",
     "Password must be at least {} characters", O::kReference},
    {Err::kPasswordTooLong, C::kInvalidArgument, "PASSWORD_TOO_LONG",
     "Password must be at most {} characters", O::kReference},
    {Err::kPasswordTooCommon, C::kInvalidArgument, "PASSWORD_TOO_COMMON",
     "This password is too common", O::kReference},
    {Err::kPasswordNotAllowed, C::kInvalidArgument, "PASSWORD_TOO_COMMON",
     "This password is not allowed", O::kReference},
    {Err::kPasswordContainsEmail, C::kInvalidArgument, "PASSWORD_CONTAINS_IDENTIFIER",
     "Password must not contain your email address", O::kReference},

    {Err::kRegistrationDisabled, C::kForbidden, "REGISTRATION_DISABLED", "Registration is disabled",
     O::kReference},
    {Err::kTenantNotEnabled, C::kInvalidArgument, "TENANT_NOT_ENABLED",
     "tenantId provided but multi-tenancy is disabled on this deployment.", O::kReference},
    // kProviderNotFound on signup, where the reference answers 500
    // (InternalServerErrorException): a client mistake must be a 4xx.
    {Err::kSignupProviderNotFound, C::kInvalidArgument, "PROVIDER_NOT_FOUND",
     "Phone or email authentication is not enabled", O::kDeviation},
    {Err::kEmailAlreadyExists, C::kInvalidArgument, "EMAIL_ALREADY_EXISTS",
     "Email already exists in this tenant", O::kReference},
    {Err::kPhoneAlreadyExists, C::kInvalidArgument, "PHONE_ALREADY_EXISTS",
     "Phone number already exists in this tenant", O::kReference},
    {Err::kUserEmailExists, C::kConflict, "USER_ALREADY_EXISTS",
     "User with this email already exists", O::kReference},
    {Err::kUserPhoneExists, C::kConflict, "USER_ALREADY_EXISTS",
     "User with this phone number already exists", O::kReference},
    {Err::kInvalidProvider, C::kUnauthenticated, "INVALID_PROVIDER",
     "Invalid authentication providerName or provider is not enabled", O::kReference},
    {Err::kMissingRequiredFields, C::kInvalidArgument, "MISSING_REQUIRED_FIELDS",
     "Missing {} required fields", O::kReference},
    // The reference crashes (500) on a truthy non-string credential.
    {Err::kCredentialNotString, C::kInvalidArgument, "", "{} must be a string", O::kAuthd},
    {Err::kEmailRequired, C::kInvalidArgument, "", "Email is required", O::kReference},
    {Err::kInvalidCredentials, C::kUnauthenticated, "INVALID_CREDENTIALS", "Invalid credentials",
     O::kReference},
    {Err::kAccountSuspended, C::kUnauthenticated, "ACCOUNT_INACTIVE",
     "Your account is suspended, please contact support", O::kReference},

    {Err::kNoAuthProvided, C::kUnauthenticated, "NO_AUTH_PROVIDED", "No authentication provided",
     O::kReference},
    {Err::kInvalidApiKeyFormat, C::kUnauthenticated, "INVALID_API_KEY_FORMAT",
     "Invalid API key format", O::kReference},
    {Err::kInvalidApiKey, C::kUnauthenticated, "INVALID_API_KEY", "Invalid API key", O::kReference},
    {Err::kInvalidToken, C::kUnauthenticated, "INVALID_TOKEN", "Invalid or expired token",
     O::kReference},
    {Err::kSessionNotFound, C::kUnauthenticated, "", "Session not found", O::kReference},
    {Err::kGuardUserNotFound, C::kUnauthenticated, "ACCOUNT_INACTIVE", "User not found",
     O::kReference},
    {Err::kGuardUserInactive, C::kUnauthenticated, "ACCOUNT_INACTIVE", "User is not active",
     O::kReference},
    {Err::kUserNotFound, C::kUnauthenticated, "USER_NOT_FOUND", "User not found", O::kReference},
    {Err::kMfaRequired, C::kUnauthenticated, "MFA_REQUIRED",
     "Multi-factor authentication is required", O::kReference},
    {Err::kRefreshTokenRequired, C::kUnauthenticated, "REFRESH_TOKEN_INVALID",
     "refreshToken is required", O::kReference},
    {Err::kRefreshTokenExpired, C::kUnauthenticated, "REFRESH_TOKEN_EXPIRED",
     "Invalid or expired refresh token", O::kReference},
    {Err::kRefreshTokenPayloadInvalid, C::kUnauthenticated, "REFRESH_TOKEN_INVALID",
     "Invalid refresh token payload", O::kReference},
    {Err::kRefreshTokenReused, C::kUnauthenticated, "REFRESH_TOKEN_INVALID",
     "Refresh token is no longer valid (rotated or replayed)", O::kReference},

    {Err::kCsrfOriginRejected, C::kForbidden, "CSRF_ORIGIN_REJECTED",
     "Cross-site request blocked (origin not allowed).", O::kReference},
    {Err::kCsrfTokenInvalid, C::kForbidden, "CSRF_TOKEN_INVALID", "Invalid or missing CSRF token.",
     O::kReference},

    {Err::kCurrentPasswordIncorrect, C::kInvalidArgument, "CURRENT_PASSWORD_INCORRECT",
     "Current password is incorrect", O::kReference},
    {Err::kNewPasswordSameAsCurrent, C::kInvalidArgument, "NEW_PASSWORD_SAME_AS_CURRENT",
     "New password must be different from the current password", O::kReference},

    {Err::kEmailOrPhoneRequired, C::kInvalidArgument, "EMAIL_OR_PHONE_REQUIRED",
     "Either email or phone must be provided", O::kReference},
    {Err::kProviderNotFound, C::kInvalidArgument, "PROVIDER_NOT_FOUND",
     "Phone or email authentication is not enabled", O::kReference},
    {Err::kResetTokenInvalid, C::kInvalidArgument, "PASSWORD_RESET_TOKEN_INVALID",
     "Invalid or expired reset token", O::kReference},
    {Err::kResetTokenWrongType, C::kInvalidArgument, "PASSWORD_RESET_TOKEN_INVALID",
     "Invalid token type", O::kReference},
    {Err::kResetTokenStale, C::kInvalidArgument, "PASSWORD_RESET_TOKEN_INVALID",
     "Reset token is no longer valid", O::kReference},
    {Err::kResetUserNotFound, C::kInvalidArgument, "USER_NOT_FOUND", "User not found",
     O::kReference},

    {Err::kCodeRequired, C::kInvalidArgument, "MISSING_REQUIRED_FIELD",
     "Verification code is required", O::kReference},
    {Err::kCodeExpired, C::kInvalidArgument, "VERIFICATION_CODE_EXPIRED",
     "Verification code has expired", O::kReference},
    {Err::kCodeExhausted, C::kInvalidArgument, "VERIFICATION_CODE_INVALID",
     "Too many invalid attempts. Please request a new verification code.", O::kReference},
    {Err::kCodeInvalid, C::kInvalidArgument, "VERIFICATION_CODE_INVALID",
     "Invalid verification code", O::kReference},

    {Err::kNoEmailAddress, C::kInvalidArgument, "NO_EMAIL_ADDRESS",
     "User does not have an email address", O::kReference},
    {Err::kEmailAlreadyVerified, C::kInvalidArgument, "EMAIL_ALREADY_VERIFIED",
     "Email is already verified", O::kReference},
    {Err::kNoPhoneNumber, C::kInvalidArgument, "NO_PHONE_NUMBER",
     "User does not have a phone number", O::kReference},
    {Err::kPhoneAlreadyVerified, C::kInvalidArgument, "PHONE_ALREADY_VERIFIED",
     "Phone number is already verified", O::kReference},

    {Err::kMfaNotEnabledForApp, C::kForbidden, "MFA_NOT_ENABLED",
     "MFA is not enabled for the application", O::kReference},
    {Err::kMfaTogglingNotAllowed, C::kForbidden, "MFA_TOGGLING_NOT_ALLOWED",
     "MFA toggle is not allowed", O::kReference},
    {Err::kMfaCannotEnableWithoutMethod, C::kForbidden, "MFA_CANNOT_ENABLE_WITHOUT_METHOD",
     "Cannot enable MFA without at least one verified method", O::kReference},
    {Err::kMfaEnrolmentNeedsContact, C::kForbidden, "MFA_CANNOT_ENABLE_WITHOUT_METHOD",
     "A verified email or phone is required before enrolling an authenticator", O::kReference},
    {Err::kMfaDeviceNotFound, C::kNotFound, "", "MFA device not found", O::kReference},
    // setup-totp past mfa.max_totp_devices (the reference has no cap).
    {Err::kMfaDeviceLimitReached, C::kInvalidArgument, "MFA_DEVICE_LIMIT_REACHED",
     "Maximum number of MFA devices reached; remove a device before adding another", O::kAuthd},
    {Err::kMfaOtpInvalid, C::kUnauthenticated, "MFA_CODE_INVALID", "Invalid OTP", O::kReference},
    {Err::kMfaCodeInvalid, C::kUnauthenticated, "MFA_CODE_INVALID", "Invalid MFA code",
     O::kReference},
    {Err::kMfaNotRequired, C::kUnauthenticated, "MFA_NOT_ENABLED", "MFA is not enabled",
     O::kReference},
    {Err::kMfaRecoveryCodeInvalid, C::kUnauthenticated, "MFA_RECOVERY_CODE_INVALID",
     "Invalid recovery code", O::kReference},

    {Err::kTenantNotFound, C::kNotFound, "TENANT_NOT_FOUND", "Tenant not found", O::kReference},
    {Err::kTenantSwitchingDisabled, C::kInvalidArgument, "TENANT_SWITCHING_DISABLED",
     "Multi-tenancy is disabled on this deployment.", O::kReference},

    {Err::kRateLimited, C::kRateLimited, "RATE_LIMITED",
     "Too many requests. Please try again later.", O::kReference},
    {Err::kAccountLocked, C::kRateLimited, "ACCOUNT_LOCKED",
     "Account temporarily locked after too many failed attempts. Please try again later.",
     O::kReference},

    // A storage outage that is worth a retry (PostgreSQL gone, SQLite busy).
    {Err::kServiceUnavailable, C::kUnavailable, "SERVICE_UNAVAILABLE",
     "Service temporarily unavailable, please retry", O::kAuthd},
    // PostgreSQL text cannot hold U+0000 (SQLite stores it).
    {Err::kTextHasNul, C::kInvalidArgument, "", "Text values must not contain NUL characters",
     O::kAuthd},
};

static_assert(std::size(kEntries) == static_cast<std::size_t>(Err::kCount),
              "one catalogue entry per Err");

constexpr bool InErrOrder() {
  for (std::size_t i = 0; i < std::size(kEntries); ++i) {
    if (kEntries[i].id != static_cast<Err>(i)) return false;
  }
  return true;
}
static_assert(InErrOrder(), "catalogue entries are in Err order");

}  // namespace

std::span<const ErrorEntry> ErrorCatalogue() { return kEntries; }

const ErrorEntry& EntryOf(Err id) {
  assert(id < Err::kCount);
  return kEntries[static_cast<std::size_t>(id)];
}

Error MakeError(Err id) {
  const ErrorEntry& e = EntryOf(id);
  Error out;
  out.category = e.category;
  out.code = std::string(e.code);
  out.message = std::string(e.message);
  out.plain = e.code.empty();
  return out;
}

Error WithRetryAfter(Error e, int seconds) {
  e.retry_after_seconds = seconds;
  return e;
}

namespace internal {
Error WithMessage(Err id, std::string message) {
  Error out = MakeError(id);
  out.message = std::move(message);
  return out;
}
}  // namespace internal

}  // namespace authd::core
