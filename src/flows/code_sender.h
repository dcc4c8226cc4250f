// CodeSender: issues a one-time code and, in the same transaction, the
// messages that carry it (the e-mail or SMS, and the lifecycle event), then
// wakes the courier. Shared by password reset and verification (and, with
// their issues, MFA and passwordless).
// Thread-safety: safe for concurrent use.
#ifndef AUTHD_FLOWS_CODE_SENDER_H_
#define AUTHD_FLOWS_CODE_SENDER_H_

#include <map>
#include <string>

#include "core/status.h"
#include "courier/composer.h"
#include "courier/events.h"
#include "otp/one_time_code.h"
#include "otp/otp_codes.h"

namespace authd::flows {

struct CodeDelivery {
  courier::Channel channel = courier::Channel::kEmail;  // kEmail or kSms
  std::string recipient;
  std::string template_name;
  std::map<std::string, std::string> vars;  // code and expiry are added
  courier::Event event;                     // its code is set here
  std::string binding;                      // mixed into the code's HMAC (OtpCodes::Make)
};

class CodeSender {
 public:
  struct Deps {
    otp::OtpCodes& codes;
    otp::OtpStore& store;
    const courier::Composer& composer;
    courier::EventSink& events;
  };
  explicit CodeSender(Deps deps) : d_(deps) {}

  // Replaces the user's codes of `purpose` with a new one and durably
  // enqueues its delivery. `link` may use "{code}", replaced by the code.
  core::Status Send(const core::TenantId& tenant, const core::UserId& user, otp::Purpose purpose,
                    CodeDelivery delivery);

  // What Send costs, with nothing written or sent: for unknown accounts.
  core::Status SendDecoy(const core::TenantId& tenant, otp::Purpose purpose);

  // What consuming `code` costs for an account that does not exist (the
  // same HMAC and store lookups, which find nothing), with the answer a
  // real account without a live code gets: VERIFICATION_CODE_INVALID, or
  // MISSING_REQUIRED_FIELD for a blank code.
  core::Status ConsumeDecoy(const core::TenantId& tenant, otp::Purpose purpose,
                            std::string_view code);

  otp::OtpCodes& codes() { return d_.codes; }
  otp::OtpStore& store() { return d_.store; }
  courier::EventSink& events() { return d_.events; }

 private:
  Deps d_;
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_CODE_SENDER_H_
