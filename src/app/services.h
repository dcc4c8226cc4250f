// Services: the whole object graph of authd above the stores (token
// service, password hashing, rate limits, lockout, the event sink, the
// one-time codes, every flow, the token transport), built in ONE place
// from the configuration. main's `serve`, the flow tests and the handlers
// fuzz harness all build it, over SQLite/PostgreSQL or the memory database.
//
// The flows are built by flows::Flows (flows/flows.h) from the shared parts
// built here: adding a flow is one member there. A part every flow may use
// is built here and handed over in FlowsEnv.
// Thread-safety: as the flows (safe for concurrent use).
#ifndef AUTHD_APP_SERVICES_H_
#define AUTHD_APP_SERVICES_H_

#include <functional>
#include <memory>

#include "config/config.h"
#include "core/clock.h"
#include "courier/composer.h"
#include "courier/events.h"
#include "courier/templates.h"
#include "crypto/random.h"
#include "flows/flows.h"
#include "http/auth_handlers.h"
#include "http/router.h"
#include "http/token_transport.h"
#include "identity/passwords.h"
#include "otp/otp_codes.h"
#include "session/claims.h"
#include "session/token_service.h"
#include "store/database.h"
#include "throttle/throttle.h"

namespace authd::app {

// What the services run on. Everything borrowed must outlive the Services.
struct ServicesEnv {
  const config::Config& config;  // secrets already resolved (data dir)
  store::Database& database;
  const core::Clock& clock;
  crypto::SecureRandom& random;
  const courier::Templates& templates;
  // Called after messages were durably enqueued (wakes the courier's
  // sender); may be empty.
  std::function<void()> enqueued = {};
};

class Services {
 public:
  explicit Services(const ServicesEnv& env);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  // Adds every route to `router`; this object must outlive it.
  // What the route handlers are given (http/auth_handlers.h).
  http::AuthHandlerDeps HandlerDeps();
  void RegisterRoutes(http::Router& router);

 private:
  store::Database& db_;
  std::unique_ptr<session::ClaimsCodec> codec_;
  courier::EventPublisher publisher_;  // used only when webhooks are configured

 public:
  // In construction order.
  session::TokenService tokens;
  identity::Passwords passwords;
  throttle::RateLimiter limiter;
  throttle::Lockout lockout;
  courier::EventSink& events;  // publisher_, or NoEvents() without webhook URLs
  courier::Composer composer;
  otp::OtpCodes otp_codes;
  flows::Flows flows;  // every use case (flows/flows.h)
  http::TokenTransport transport;
};

}  // namespace authd::app

#endif  // AUTHD_APP_SERVICES_H_
