// VerificationFlows: proving the account's e-mail address or phone number
// with a one-time code (reference POST /auth/send-email-verification,
// /auth/verify-email, /auth/send-phone-verification, /auth/verify-phone).
// Codes are per purpose: an e-mail code never verifies a phone.
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_VERIFICATION_FLOWS_H_
#define AUTHD_FLOWS_VERIFICATION_FLOWS_H_

#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "flows/code_sender.h"
#include "flows/session_flows.h"
#include "identity/user_store.h"

namespace authd::flows {

class VerificationFlows {
 public:
  struct Deps {
    identity::UserStore& users;
    CodeSender& sender;
    const core::Clock& clock;
  };
  explicit VerificationFlows(Deps deps) : d_(deps) {}

  // The limits on sending codes (verificationSend: authd's own, so the
  // endpoints cannot flood an inbox or a phone) and on submitting them
  // (verifyOtp) are request-level: the route table applies them
  // (http/account_handlers.cc).

  // Errors: 401 USER_NOT_FOUND; 400 NO_EMAIL_ADDRESS / NO_PHONE_NUMBER;
  // 400 EMAIL_ALREADY_VERIFIED / PHONE_ALREADY_VERIFIED; Verify* also the
  // code errors of OtpCodes::Consume.
  core::Status Send(const Principal& p, identity::VerifiedChannel channel);
  core::Status Verify(const Principal& p, identity::VerifiedChannel channel,
                      const std::string& code);

 private:
  // The current user row, checked for the channel.
  core::Result<identity::User> Target(const Principal& p, identity::VerifiedChannel channel);

  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_VERIFICATION_FLOWS_H_
