// Shared inputs and outputs of the sign-in flows.
#ifndef AUTHD_FLOWS_AUTH_RESULT_H_
#define AUTHD_FLOWS_AUTH_RESULT_H_

#include <optional>
#include <string>
#include <vector>

#include "session/session.h"
#include "session/token_service.h"

namespace authd::flows {

// Who is asking: recorded on the session, used for rate limits.
struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

// The outcome of signup, login and refresh (the reference's AuthResponse
// before transport: the HTTP layer puts tokens in the body or in cookies).
struct AuthResult {
  session::TokenPair tokens;
  bool is_requires_mfa = false;
  bool must_change_password = false;
  // Only when is_requires_mfa: the second factors the user can use, by
  // their wire names (mfa::MfaMethodName).
  std::vector<std::string> mfa_methods;
  std::optional<std::string> default_mfa_method;
  // Issued by an MFA verification with trustDevice: skips MFA at the next
  // login from the client holding it.
  std::optional<std::string> trust_token;
  session::Session session;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_AUTH_RESULT_H_
