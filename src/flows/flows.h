// Flows: every use case of authd (one object per flow) and the flow-layer
// helpers they share (code sender, session issuer, MFA keys), built from
// one FlowsEnv. app::Services builds the environment and one Flows; the
// route handlers reach a flow as deps.flows.<name>.
//
// Adding a flow: include its header and add ONE member below, with its
// initialiser. Members are built in declaration order from env_, so a flow
// may use the helpers and the flows declared above it. A flow that needs a
// part the environment lacks adds it to FlowsEnv (and app::Services fills
// it in).
// Thread-safety: as the flows (safe for concurrent use).
#ifndef AUTHD_FLOWS_FLOWS_H_
#define AUTHD_FLOWS_FLOWS_H_

#include <string>
#include <utility>

#include "core/clock.h"
#include "courier/composer.h"
#include "courier/events.h"
#include "crypto/random.h"
#include "flows/account_flows.h"
#include "flows/code_sender.h"
#include "flows/mfa_enrolment.h"
#include "flows/mfa_keys.h"
#include "flows/password_flows.h"
#include "flows/recovery_flows.h"
#include "flows/second_factor.h"
#include "flows/session_flows.h"
#include "flows/session_issuer.h"
#include "flows/verification_flows.h"
#include "identity/passwords.h"
#include "identity/user_store.h"
#include "mfa/mfa_options.h"
#include "mfa/mfa_store.h"
#include "otp/one_time_code.h"
#include "otp/otp_codes.h"
#include "session/session_store.h"
#include "session/token_service.h"
#include "throttle/throttle.h"

namespace authd::flows {

// The flows' options, as the composition root derives them from the
// configuration (flows never read config/).
struct FlowsOptions {
  AccountOptions accounts;
  RecoveryOptions recovery;
  mfa::MfaOptions mfa;   // its encryption_key derives the MFA keys
  std::string app_name;  // the default TOTP issuer
};

// What the flows run on: the store ports and the shared services below the
// flows. Everything referenced must outlive the Flows.
struct FlowsEnv {
  FlowsOptions options;
  identity::UserStore& users;
  session::SessionStore& sessions;
  session::GuardReader& guard;  // session and user of a request, in one read
  mfa::MfaStore& mfa;
  otp::OtpStore& otps;
  session::TokenService& tokens;
  identity::Passwords& passwords;
  throttle::Lockout& lockout;
  otp::OtpCodes& otp_codes;
  courier::Composer& composer;
  courier::EventSink& events;  // courier::NoEvents() without webhooks
  const core::Clock& clock;
  crypto::SecureRandom& random;
};

class Flows {
 public:
  explicit Flows(FlowsEnv env) : env_(std::move(env)) {}
  Flows(const Flows&) = delete;
  Flows& operator=(const Flows&) = delete;

 private:
  // Declared first: every member below is built from it.
  const FlowsEnv env_;
  CodeSender code_sender_{{env_.otp_codes, env_.otps, env_.composer, env_.events}};
  SessionIssuer issuer_{{env_.sessions, env_.tokens, env_.clock, env_.random}};
  const MfaKeys mfa_keys_{env_.options.mfa.encryption_key};

 public:
  // The use cases, in construction order.
  MfaEnrolment mfa_enrolment{env_.options.mfa,
                             mfa_keys_,
                             env_.options.app_name,
                             {env_.users, env_.mfa, env_.random, env_.clock, env_.events}};
  SecondFactor second_factor{// the second factor of sign-in
                             env_.options.mfa,
                             mfa_keys_,
                             {env_.users, env_.mfa, env_.sessions, env_.tokens, code_sender_,
                              env_.lockout, env_.random, env_.clock, env_.events}};
  AccountFlows accounts{env_.options.accounts,
                        {env_.users, env_.passwords, issuer_, env_.lockout, env_.clock, env_.random,
                         env_.events, second_factor}};
  SessionFlows sessions{
      {env_.users, env_.sessions, env_.guard, env_.tokens, env_.clock, env_.events}};
  PasswordFlows passwords{
      {env_.users, env_.sessions, env_.passwords, env_.lockout, env_.clock, env_.events}};
  RecoveryFlows recovery{env_.options.recovery,
                         {env_.users, env_.sessions, env_.passwords, code_sender_, env_.clock}};
  VerificationFlows verification{{env_.users, code_sender_, env_.clock}};
};

}  // namespace authd::flows

#endif  // AUTHD_FLOWS_FLOWS_H_
