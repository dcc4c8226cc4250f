#include "http/route.h"

#include <stdexcept>
#include <utility>
#include <variant>

#include <boost/json.hpp>

#include "core/errors.h"
#include "http/guard.h"
#include "http/handler_util.h"
#include "http/request_body.h"

namespace authd::http {
namespace json = boost::json;

namespace {

std::string KeyOf(LimitKey key, const json::object& body, const flows::Principal& p) {
  switch (key) {
    case LimitKey::kBodyIdentifier:
      return ThrottleIdentifier(body);
    case LimitKey::kBodyIdentifierPhoneFirst:
      return ThrottleIdentifier(body, true);
    case LimitKey::kUser:
      return "user:" + p.user.id.str();
    case LimitKey::kMfaAccount:
      return "mfa:" + p.user.id.str();
  }
  return "";
}

// The limits of `spec` at `stage`, in order: the first refusal.
core::Status RunLimits(const RouteSpec& spec, Stage stage, Gate& gate, const Request& req,
                       const json::object& body, const flows::Principal& p) {
  for (const Limit& l : spec.limits) {
    if (l.stage != stage) continue;
    const std::string key = KeyOf(l.key, body, p);
    core::Status s = l.bucket ? gate.Hit(*l.bucket, req.remote_ip, key)
                              : gate.CheckLockout(key, l.per_ip ? req.remote_ip : "");
    if (!s.ok()) return s;
  }
  return core::Status::Ok();
}

// The guard of `access` (guard.h Authenticate, with the route's CSRF rule).
// Ok with an empty principal when the route lets an anonymous caller in.
core::Result<flows::Principal> Guard(const RouteSpec& spec, Gate& gate, const Request& req) {
  if (spec.access == Access::kPublic) return flows::Principal();
  auto token = gate.AccessToken(req);
  if (spec.access == Access::kOptionalSession) {
    // A bad or missing token is ignored; CSRF still applies.
    if (!token) return flows::Principal();
    if (token->from_cookie && spec.csrf) {
      if (auto s = gate.CheckCsrf(req); !s.ok()) return s.error();
    }
    auto p = gate.Session(token->token, /*skip_mfa=*/true);
    if (p.ok()) return p;
    if (p.error().category == core::ErrorCategory::kUnavailable ||
        p.error().category == core::ErrorCategory::kInternal) {
      return p.error();
    }
    return flows::Principal();
  }
  if (!token) return core::MakeError(core::Err::kNoAuthProvided);
  if (token->api_key) {
    // Access keys have no store yet (the reference has no endpoint to
    // create them either): every well-formed key is unknown.
    const std::string& k = token->token;
    const size_t dot = k.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == k.size()) {
      return core::MakeError(core::Err::kInvalidApiKeyFormat);
    }
    return core::MakeError(core::Err::kInvalidApiKey);
  }
  if (token->from_cookie && spec.csrf) {
    if (auto s = gate.CheckCsrf(req); !s.ok()) return s.error();
  }
  // Returned as is, so the principal is built in place (no move).
  if (spec.access != Access::kMfaEnrolment) {
    return gate.Session(token->token, /*skip_mfa=*/spec.access != Access::kSession);
  }
  auto p = gate.Session(token->token, /*skip_mfa=*/true);
  if (!p.ok()) return p;
  if (p->claims.is_mfa_enabled && !p->claims.is_mfa_verified) {
    if (auto s = gate.MayEnrol(*p); !s.ok()) return s.error();
  }
  return p;
}

}  // namespace

Response RawValidation(const Violations& messages) {
  json::array list;
  for (const std::string& m : messages) list.emplace_back(m);
  json::object o;
  o["message"] = std::move(list);
  o["error"] = "Bad Request";
  o["statusCode"] = 400;
  Response r;
  r.status = 400;
  r.body = json::serialize(o);
  return r;
}

Response Exchange::Invalid(const Violations& v) const {
  if (spec_.shape == ErrorShape::kRaw) return RawValidation(v);
  return http::Fail(req, Validation(v.front()), spec_.shape);
}

std::optional<Response> Exchange::Admit() {
  if (spec_.gate) {
    if (auto s = spec_.gate(); !s.ok()) return Fail(s.error());
  }
  if (spec_.limits.empty()) return std::nullopt;
  if (auto s = RunLimits(spec_, Stage::kAfterValidation, gate_, req, body, principal); !s.ok()) {
    return Fail(s.error());
  }
  return std::nullopt;
}

Response Exchange::Fail(const core::Error& e) const { return http::Fail(req, e, spec_.shape); }

bool Authenticated(const flows::Principal& p) { return !p.user.id.str().empty(); }

Handler Dispatch(RouteEntry route, std::shared_ptr<Gate> gate) {
  if (route.spec.access == Access::kAdminSession || route.spec.access == Access::kApiKey) {
    throw std::invalid_argument("route " + route.spec.method + " " + route.spec.path +
                                ": admin sessions and API keys are not supported yet");
  }
  auto r = std::make_shared<const RouteEntry>(std::move(route));
  return [r, gate = std::move(gate)](const Request& req) -> Response {
    const RouteSpec& spec = r->spec;
    json::object body;
    if (spec.body == BodyRead::kJson || (spec.body == BodyRead::kIfPresent && !req.body.empty())) {
      auto parsed = ParseJsonBody(req);
      if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
      body = std::move(std::get<json::object>(parsed));
    }
    // Most routes have no limits: they skip the stages (and the empty
    // principal kBeforeAuth keys would read).
    const bool limited = !spec.limits.empty();
    if (limited) {
      const flows::Principal anonymous;
      if (auto s = RunLimits(spec, Stage::kBeforeAuth, *gate, req, body, anonymous); !s.ok()) {
        return http::Fail(req, s.error(), spec.shape);
      }
    }
    auto principal = Guard(spec, *gate, req);
    if (!principal.ok()) return http::Fail(req, principal.error(), spec.shape);
    if (limited) {
      if (auto s = RunLimits(spec, Stage::kBeforeValidation, *gate, req, body, *principal);
          !s.ok()) {
        return http::Fail(req, s.error(), spec.shape);
      }
    }
    Exchange x(spec, *gate, req, body, *principal);
    return r->invoke(x);
  };
}

void AddRoutes(Router& router, const std::string& base, std::vector<RouteEntry> routes,
               std::shared_ptr<Gate> gate) {
  for (RouteEntry& route : routes) {
    const std::string method = route.spec.method;
    std::string path = base + route.spec.path;
    const Exec exec = route.spec.exec;
    QueueKey queue_key = route.spec.queue_key;
    const size_t last = path.find_last_of('/');
    const bool param = last != std::string::npos && last + 1 < path.size() && path[last + 1] == ':';
    Handler h = Dispatch(std::move(route), gate);
    if (param) {
      router.AddParam(method, path.substr(0, last + 1), exec, std::move(h));
    } else {
      router.Add(method, std::move(path), exec, std::move(h), std::move(queue_key));
    }
  }
}

}  // namespace authd::http
