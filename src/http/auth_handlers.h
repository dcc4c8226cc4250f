// The auth controller: routes of the core session API under
// /<global prefix>/<route prefix> (default /auth).
#ifndef AUTHD_HTTP_AUTH_HANDLERS_H_
#define AUTHD_HTTP_AUTH_HANDLERS_H_

#include <string>

#include "flows/account_flows.h"
#include "flows/mfa_enrolment.h"
#include "flows/password_flows.h"
#include "flows/recovery_flows.h"
#include "flows/second_factor.h"
#include "flows/session_flows.h"
#include "flows/verification_flows.h"
#include "http/router.h"
#include "http/token_transport.h"

namespace authd::http {

struct AuthHandlerDeps {
  flows::AccountFlows& accounts;
  flows::SessionFlows& sessions;
  flows::PasswordFlows& passwords;
  flows::RecoveryFlows& recovery;
  flows::VerificationFlows& verification;
  flows::MfaEnrolment& mfa_enrolment;
  flows::SecondFactor& second_factor;
  const TokenTransport& transport;
  // The session and user stores answer repeated reads from memory and
  // honour core::NonBlockingScope (store/memory/read_cache.h): the
  // authenticated GET routes then try to run inline on the I/O thread
  // (Exec::kReadTryInline).
  bool session_reads_in_memory = false;
};

// Adds every route of this controller to `router`. `deps` must outlive it.
void RegisterAuthRoutes(Router& router, const AuthHandlerDeps& deps);

// The auxiliary routes (accounts, tenant lookup/switch, OAuth callback
// page); called by RegisterAuthRoutes.
void RegisterAuxiliaryRoutes(Router& router, const AuthHandlerDeps& deps);

// Password recovery and e-mail/phone verification routes; called by
// RegisterAuthRoutes.
void RegisterAccountRoutes(Router& router, const AuthHandlerDeps& deps);

// The MFA controller's management routes (status, toggle, devices, TOTP
// enrolment, recovery codes); called by RegisterAuthRoutes.
void RegisterMfaRoutes(Router& router, const AuthHandlerDeps& deps);

// "/api/auth" for global prefix "api" and route prefix "auth".
std::string BasePath(const HttpOptions& options);

}  // namespace authd::http

#endif  // AUTHD_HTTP_AUTH_HANDLERS_H_
