// Signup and password login: the flows that create a session from a
// password credential (reference POST /auth/signup and /auth/login with the
// `email` and `phone` providers).
//
// Both run argon2id, so callers run them on the hashing worker pool.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_ACCOUNT_FLOWS_H_
#define AUTHD_FLOWS_ACCOUNT_FLOWS_H_

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "courier/events.h"
#include "crypto/random.h"
#include "flows/auth_result.h"
#include "flows/second_factor.h"
#include "flows/session_issuer.h"
#include "identity/passwords.h"
#include "identity/user_store.h"
#include "throttle/throttle.h"

namespace authd::flows {

struct AccountOptions {
  bool email_enabled = true;
  bool phone_enabled = false;
  bool registration_enabled = true;
  bool tenancy_enabled = false;  // multi-tenancy arrives with its issue
};

struct SignupInput {
  std::optional<std::string> email;  // as sent; normalised by the flow
  std::optional<std::string> phone;
  std::string password;
  std::optional<std::string> tenant_id;
  ClientInfo client;
};

// A credential value as sent in `credentials`: absent, a string, or some
// other JSON value (only its truthiness matters to the reference).
struct CredentialValue {
  bool present = false;
  bool truthy = false;
  std::optional<std::string> text;  // set iff the value is a string
};

struct LoginInput {
  std::optional<std::string> provider_name;
  CredentialValue email;
  CredentialValue phone;
  CredentialValue password;
  std::optional<std::string> tenant_id;
  ClientInfo client;
  // The trusted-device token the client presented (cookie or header).
  std::optional<std::string> trust_token;
};

class AccountFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    const identity::Passwords& passwords;
    SessionIssuer& issuer;
    throttle::Lockout& lockout;
    const core::Clock& clock;
    crypto::SecureRandom& random;
    courier::EventSink& events;  // lifecycle webhooks
    SecondFactor& mfa;           // second factor after the password (a no-op when off)
  };
  AccountFlows(const AccountOptions& options, Deps deps) : options_(options), d_(deps) {}

  // The signup and login rate limits, and the lockout check before a
  // login, are request-level: the route table applies them
  // (http/auth_handlers.cc). A failed login counts towards the lockout here.
  core::Result<AuthResult> Signup(const SignupInput& in);
  core::Result<AuthResult> Login(const LoginInput& in);

  const AccountOptions& options() const { return options_; }

 private:
  core::Result<AuthResult> LoginWithPassword(const std::string& provider,
                                             const std::string& identifier,
                                             const std::string& password, const LoginInput& in);

  // A session for `user` after the first factor, pending MFA if needed.
  core::Result<AuthResult> StartSession(const identity::User& user, const core::TenantId& tenant,
                                        const ClientInfo& client,
                                        const std::optional<std::string>& trust_token);

  // Publishes `name` for a new session of `user` (registered, logged in).
  void SessionEvent(const char* name, const identity::User& user, const char* provider,
                    const AuthResult& r, const ClientInfo& client);

  const AccountOptions options_;
  Deps d_;
};

// "  Alice@Example.COM " -> "alice@example.com".
std::string NormalizeEmail(std::string_view email);
// identity::NormalizePhone: "+1 (555) 010-0100" -> "+15550100100".
std::string NormalizePhone(std::string_view phone);

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_ACCOUNT_FLOWS_H_
