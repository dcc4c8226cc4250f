// RecoveryFlows: forgot password -> one-time code -> reset token -> new
// password (reference POST /auth/forgot-password,
// /auth/verify-forgot-password-otp and /auth/reset-password).
//
// Forgot never reveals whether an account exists: unknown identifiers get
// the same answer after a write of the same cost (CodeSender::SendDecoy).
// Reset runs argon2id: call it from the hashing pool.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_RECOVERY_FLOWS_H_
#define AUTHD_FLOWS_RECOVERY_FLOWS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "flows/auth_result.h"
#include "flows/code_sender.h"
#include "identity/passwords.h"
#include "identity/user_store.h"
#include "session/session_store.h"

namespace authd::flows {

struct RecoveryOptions {
  bool email_enabled = true;
  bool phone_enabled = false;
  std::int64_t reset_token_ttl_seconds = 3600;
  // Reset page of the app; the e-mail links to
  // <reset_url>?code=<code>&email=<address> when set.
  std::string reset_url;
  std::string secret;  // signs reset tokens (the JWT secret)
};

// Identifiers as sent (validated by the HTTP layer), normalised here.
struct RecoveryTarget {
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> tenant_id;
};

class RecoveryFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    session::SessionStore& sessions;
    const identity::Passwords& passwords;
    CodeSender& sender;
    const core::Clock& clock;
  };
  RecoveryFlows(RecoveryOptions options, Deps deps) : options_(std::move(options)), d_(deps) {}

  // The forgotPassword and verifyOtp rate limits are request-level: the
  // route table applies them (http/account_handlers.cc).

  // Sends a reset code to the account, if there is one. Phone wins when
  // both are given. Errors: 400 EMAIL_OR_PHONE_REQUIRED, 400
  // PROVIDER_NOT_FOUND.
  core::Status Forgot(const RecoveryTarget& target);

  // Consumes the code; returns a reset token. Errors: 400
  // EMAIL_OR_PHONE_REQUIRED, PROVIDER_NOT_FOUND, MISSING_REQUIRED_FIELD
  // (blank code), VERIFICATION_CODE_INVALID for every other failure, with
  // or without an account (no enumeration).
  core::Result<std::string> VerifyCode(const RecoveryTarget& target, const std::string& code);

  // Sets the password and revokes every session of the user. The token
  // dies with the password it was issued against. Errors (all 400):
  // PASSWORD_RESET_TOKEN_INVALID, USER_NOT_FOUND, PASSWORD_*.
  core::Status Reset(const std::string& token, const std::string& new_password);

 private:
  struct Account {
    const char* provider;    // identity::kProviderEmail or kProviderPhone
    std::string identifier;  // normalised
    core::TenantId tenant;
    std::optional<identity::User> user;  // nullopt: no such account
  };
  // Checks the target and looks its account up.
  core::Result<Account> Find(const RecoveryTarget& t) const;

  const RecoveryOptions options_;
  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_RECOVERY_FLOWS_H_
