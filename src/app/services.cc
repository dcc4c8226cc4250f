#include "app/services.h"

#include <set>
#include <string>
#include <vector>

#include "http/auth_handlers.h"
#include "http/claims_json.h"

namespace authd::app {
namespace {

std::set<std::string> SetOf(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end());
}

courier::EventOptions EventOptionsOf(const config::EventsConfig& e) {
  return {e.webhook_urls, SetOf(e.names), SetOf(e.include_codes)};
}

flows::AccountOptions AccountOptionsOf(const config::Config& cfg) {
  flows::AccountOptions o;
  o.email_enabled = cfg.auth.email_enabled;
  o.phone_enabled = cfg.auth.phone_enabled;
  o.registration_enabled = cfg.auth.registration_enabled;
  return o;
}

flows::RecoveryOptions RecoveryOptionsOf(const config::Config& cfg) {
  flows::RecoveryOptions o;
  o.email_enabled = cfg.auth.email_enabled;
  o.phone_enabled = cfg.auth.phone_enabled;
  o.reset_token_ttl_seconds = cfg.reset_token_ttl_seconds;
  o.reset_url = cfg.courier.reset_url;
  o.secret = cfg.session.jwt_secret;
  return o;
}

flows::FlowsOptions FlowsOptionsOf(const config::Config& cfg) {
  return {AccountOptionsOf(cfg), RecoveryOptionsOf(cfg), cfg.mfa, cfg.app_name};
}

}  // namespace

Services::Services(const ServicesEnv& env)
    : db_(env.database),
      codec_(http::NewJsonClaimsCodec()),
      publisher_(EventOptionsOf(env.config.events), env.database.outbox(), env.random, env.clock,
                 env.enqueued),
      tokens(env.config.session, *codec_, env.random),
      passwords(env.config.password, env.random),
      limiter(env.config.rate_limit, env.database.counters(), env.clock),
      lockout(env.config.lockout, env.database.counters(), env.clock),
      events(env.config.events.webhook_urls.empty() ? courier::NoEvents() : publisher_),
      composer(env.templates, env.config.app_name, env.random, env.clock),
      otp_codes(env.config.otp, env.config.session.jwt_secret, env.random, env.clock),
      flows({FlowsOptionsOf(env.config), env.database.users(), env.database.sessions(),
             env.database.guard_reader(), env.database.mfa(), env.database.otps(), tokens,
             passwords, lockout, otp_codes, composer, events, env.clock, env.random}),
      transport(env.config.http, env.config.session.access_token_ttl_seconds,
                env.config.session.refresh_token_ttl_seconds, env.clock, env.random) {}

http::AuthHandlerDeps Services::HandlerDeps() {
  return {flows, transport, limiter, lockout, db_.session_reads_in_memory()};
}

void Services::RegisterRoutes(http::Router& router) {
  http::RegisterAuthRoutes(router, HandlerDeps());
}

}  // namespace authd::app
