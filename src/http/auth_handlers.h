// The auth controller: routes of the core session API under
// /<global prefix>/<route prefix> (default /auth).
#ifndef AUTHD_HTTP_AUTH_HANDLERS_H_
#define AUTHD_HTTP_AUTH_HANDLERS_H_

#include <string>
#include <vector>

#include "flows/flows.h"
#include "http/route.h"
#include "http/router.h"
#include "http/token_transport.h"
#include "throttle/throttle.h"

namespace authd::http {

struct AuthHandlerDeps {
  flows::Flows& flows;  // every use case: deps.flows.<name>
  const TokenTransport& transport;
  // The request-level limits the route table applies (route.h).
  throttle::RateLimiter& rate_limiter;
  throttle::Lockout& lockout;
  // The session and user stores answer repeated reads from memory and
  // honour core::NonBlockingScope (store/memory/read_cache.h): the
  // authenticated GET routes then try to run inline on the I/O thread
  // (Exec::kReadTryInline).
  bool session_reads_in_memory = false;
};

// The route table of the auth API, in order: one entry per route
// (route.h). The fuzz harness (and later the OpenAPI document) reads it.
std::vector<RouteEntry> AuthRoutes(const AuthHandlerDeps& deps);

// Registers every route of AuthRoutes. `deps` must outlive `router`.
void RegisterAuthRoutes(Router& router, const AuthHandlerDeps& deps);

// Each controller file's table, in AuthRoutes' order: the core session
// routes (auth_handlers.cc); accounts, tenant lookup/switch and the OAuth
// callback page (aux_handlers.cc); passwords and contact verification
// (account_handlers.cc); MFA management and sign-in (mfa_handlers.cc).
std::vector<RouteEntry> CoreRoutes(const AuthHandlerDeps& deps);
std::vector<RouteEntry> AuxiliaryRoutes(const AuthHandlerDeps& deps);
std::vector<RouteEntry> AccountRoutes(const AuthHandlerDeps& deps);
std::vector<RouteEntry> MfaRoutes(const AuthHandlerDeps& deps);

// "/api/auth" for global prefix "api" and route prefix "auth".
std::string BasePath(const HttpOptions& options);

}  // namespace authd::http

#endif  // AUTHD_HTTP_AUTH_HANDLERS_H_
