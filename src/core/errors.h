// The catalogue of every error authd sends on the wire: each one has a
// stable id (Err), a category (-> HTTP status, in http/error_mapping.cc),
// the wire `code` (empty for the reference's code-less errors) and its
// client-safe message, written once, in errors.cc.
//
// Entries are the reference's own (@ackplus/nest-auth 2.11.1, checked
// against tests/data/reference_errors.json by errors_test.cc, which
// scripts/reference-errors.js extracts from the reference's compiled
// package) unless marked otherwise: kAuthd entries do not exist in the
// reference, kDeviation entries reuse a reference code on purpose with
// another status or in another place. Both kinds are listed in
// docs/compatibility.md (the test checks that too).
//
// Messages with `{}` take arguments (fmt syntax), in order.
// Thread-safety: immutable data.
#ifndef AUTHD_CORE_ERRORS_H_
#define AUTHD_CORE_ERRORS_H_

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "core/status.h"

namespace authd::core {

enum class Err {
  // Password policy (identity/passwords.cc).
  kPasswordRequired,
  kPasswordTooShort,  // {} = minimum length
  kPasswordTooLong,   // {} = maximum length
  kPasswordTooCommon,
  kPasswordNotAllowed,
  kPasswordContainsEmail,
  // Signup and login (flows/account_flows.cc).
  kRegistrationDisabled,
  kTenantNotEnabled,
  kSignupProviderNotFound,
  kEmailAlreadyExists,
  kPhoneAlreadyExists,
  kUserEmailExists,
  kUserPhoneExists,
  kInvalidProvider,
  kMissingRequiredFields,  // {} = the provider's fields, e.g. "email, password"
  kCredentialNotString,    // {} = e.g. "credentials.email"
  kEmailRequired,
  kInvalidCredentials,
  kAccountSuspended,
  // Sessions, tokens and the guard (flows/session_flows.cc, http/guard.cc).
  kNoAuthProvided,
  kInvalidApiKeyFormat,
  kInvalidApiKey,
  kInvalidToken,
  kSessionNotFound,
  kGuardUserNotFound,
  kGuardUserInactive,
  kUserNotFound,
  kMfaRequired,
  kRefreshTokenRequired,
  kRefreshTokenExpired,
  kRefreshTokenPayloadInvalid,
  kRefreshTokenReused,
  // CSRF (http/token_transport.cc).
  kCsrfOriginRejected,
  kCsrfTokenInvalid,
  // Change password (flows/password_flows.cc).
  kCurrentPasswordIncorrect,
  kNewPasswordSameAsCurrent,
  // Password recovery (flows/recovery_flows.cc).
  kEmailOrPhoneRequired,
  kProviderNotFound,
  kResetTokenInvalid,
  kResetTokenWrongType,
  kResetTokenStale,
  kResetUserNotFound,
  // One-time codes (otp/otp_codes.cc).
  kCodeRequired,
  kCodeExpired,
  kCodeExhausted,
  kCodeInvalid,
  // Contact verification (flows/verification_flows.cc).
  kNoEmailAddress,
  kEmailAlreadyVerified,
  kNoPhoneNumber,
  kPhoneAlreadyVerified,
  // MFA (flows/mfa_enrolment.cc, flows/second_factor.cc).
  kMfaNotEnabledForApp,
  kMfaTogglingNotAllowed,
  kMfaCannotEnableWithoutMethod,
  kMfaEnrolmentNeedsContact,
  kMfaDeviceNotFound,
  kMfaDeviceLimitReached,
  kMfaOtpInvalid,
  kMfaCodeInvalid,
  kMfaNotRequired,
  kMfaRecoveryCodeInvalid,
  // Tenants (http/aux_handlers.cc).
  kTenantNotFound,
  kTenantSwitchingDisabled,
  // Throttling (throttle/throttle.cc).
  kRateLimited,
  kAccountLocked,
  // Storage and availability.
  kServiceUnavailable,
  kTextHasNul,

  kCount  // not an error
};

enum class ErrorOrigin {
  kReference,  // the reference's status, class, code and message
  kDeviation,  // a reference code, on purpose with another status or use
  kAuthd,      // authd only
};

struct ErrorEntry {
  Err id;
  ErrorCategory category;
  std::string_view code;     // empty: a plain-message error
  std::string_view message;  // may hold `{}` placeholders
  ErrorOrigin origin;
};

// Every entry, in Err order.
std::span<const ErrorEntry> ErrorCatalogue();
const ErrorEntry& EntryOf(Err id);

// The error of `id`; its message formatted with `args` when it has
// placeholders. REQUIRES: as many args as placeholders.
Error MakeError(Err id);
namespace internal {
Error WithMessage(Err id, std::string message);
}  // namespace internal
// `e` with a Retry-After of `seconds` (429 and 503).
Error WithRetryAfter(Error e, int seconds);
template <typename... Args>
  requires(sizeof...(Args) > 0)
Error MakeError(Err id, const Args&... args) {
  return internal::WithMessage(id, fmt::format(fmt::runtime(EntryOf(id).message), args...));
}

}  // namespace authd::core

#endif  // AUTHD_CORE_ERRORS_H_
