// RouteEntry: everything about one endpoint in one declaration, and the
// dispatcher that runs it.
//
// A route table entry says where the route runs (Exec), who may call it
// (Access), which rate-limit buckets and lockout checks apply and where
// (Limit), whether CSRF applies, its error body shape and its request DTO.
// The dispatcher runs the reference's order once for every route:
//   1. the JSON body (malformed -> 400 in the framework shape),
//   2. limits at Stage::kBeforeAuth (keyed by the body's identifier),
//   3. the guard (401/403; CSRF for cookie-borne tokens),
//   4. limits at Stage::kBeforeValidation,
//   5. the DTO's decoder (400 with the reference's messages),
//   6. the route's gate, then limits at Stage::kAfterValidation,
//   7. the handler, with the request, the principal and the decoded DTO.
// A failure at any step is rendered in the route's ErrorShape; the handler
// returns its flow's error and never renders one itself.
// Thread-safety: a RouteEntry is immutable once registered.
#ifndef AUTHD_HTTP_ROUTE_H_
#define AUTHD_HTTP_ROUTE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "flows/session_flows.h"
#include "http/error_mapping.h"
#include "http/message.h"
#include "http/router.h"
#include "http/token_transport.h"
#include "throttle/buckets.h"

namespace authd::http {

// Who may call a route.
enum class Access {
  kPublic,             // anyone; no token is read
  kOptionalSession,    // a valid session is used if present, a bad token ignored
  kSession,            // a session that passed MFA if its user has it
  kSessionMfaPending,  // any session, also one still waiting for its second factor
  kMfaEnrolment,       // kSession, or a pending one whose user has nothing to verify with
  kAdminSession,       // reserved (admin API): registering it fails for now
  kApiKey,             // reserved (API keys): registering it fails for now
};

// How the body is read before anything else (body-parser runs first).
enum class BodyRead {
  kJson,       // always parsed (415 for a foreign charset even when empty)
  kIfPresent,  // parsed only when not empty (routes that ignore their body)
  kNone,       // never read
};

// Where a limit runs relative to the guard and the DTO's validation.
enum class Stage { kBeforeAuth, kBeforeValidation, kAfterValidation };

// The key a limit counts under (besides the IP).
enum class LimitKey {
  kBodyIdentifier,            // ThrottleIdentifier(body)
  kBodyIdentifierPhoneFirst,  // ThrottleIdentifier(body, phone_first)
  kUser,                      // "user:<id>" of the principal
  kMfaAccount,                // "mfa:<id>", the key MfaFlows counts wrong codes under
};

// One rate-limit bucket hit, or one lockout check, of a route.
struct Limit {
  Stage stage;
  LimitKey key;
  std::optional<throttle::BucketId> bucket;  // nullopt: a lockout check
  bool per_ip = true;                        // lockout of (key, IP); false: of the key from any IP
};
constexpr Limit Bucket(throttle::BucketId id, Stage stage, LimitKey key) {
  return Limit{stage, key, id, true};
}
constexpr Limit LockoutCheck(Stage stage, LimitKey key, bool per_ip) {
  return Limit{stage, key, std::nullopt, per_ip};
}

// The declarative part of a route.
struct RouteSpec {
  std::string method;
  std::string path;  // under the base path; a last segment ":name" is a parameter
  Exec exec = Exec::kBlocking;
  QueueKey queue_key = nullptr;  // kHashing: the hashing pool's per-key limit
  Access access = Access::kPublic;
  std::vector<Limit> limits = {};  // run in this order within each stage
  bool csrf = true;                // a cookie-borne token must pass the double-submit check
  ErrorShape shape = ErrorShape::kFiltered;
  BodyRead body = BodyRead::kJson;
  // Runs before the kAfterValidation limits, e.g. "MFA is on": a disabled
  // feature answers its own error without spending the caller's budget.
  std::function<core::Status()> gate = nullptr;
};

// The reference's validation messages of a DTO, in class-validator's order.
// Filtered-shape routes send the first, raw-shape routes all of them.
using Violations = std::vector<std::string>;

// A handler's answer: the response, or its flow's error.
using Reply = core::Result<Response>;

// What the dispatcher consults; app code implements it over the flows
// (auth_handlers.cc), tests with fakes.
class Gate {
 public:
  virtual ~Gate() = default;
  virtual std::optional<ExtractedToken> AccessToken(const Request& req) = 0;
  virtual core::Status CheckCsrf(const Request& req) = 0;
  virtual core::Result<flows::Principal> Session(const std::string& token, bool skip_mfa) = 0;
  // Access::kMfaEnrolment of a pending session: ok if it may enrol.
  virtual core::Status MayEnrol(const flows::Principal& p) = 0;
  virtual core::Status Hit(throttle::BucketId bucket, std::string_view ip,
                           std::string_view key) = 0;
  virtual core::Status CheckLockout(std::string_view key, std::string_view ip) = 0;
};

// One request between the guard and the handler, as the typed endpoint
// sees it (steps 5 to 7).
class Exchange {
 public:
  Exchange(const RouteSpec& spec, Gate& gate, const Request& req, const boost::json::object& body,
           const flows::Principal& principal)
      : req(req), body(body), principal(principal), spec_(spec), gate_(gate) {}

  const Request& req;
  const boost::json::object& body;
  const flows::Principal& principal;  // empty unless a session was found

  Response Invalid(const Violations& v) const;
  // The gate and the kAfterValidation limits: the refusal, if any.
  std::optional<Response> Admit();
  Response Fail(const core::Error& e) const;

 private:
  const RouteSpec& spec_;
  Gate& gate_;
};

// A route table entry: its spec and its typed endpoint, erased.
struct RouteEntry {
  RouteSpec spec;
  std::function<Response(Exchange&)> invoke;
};

// A request DTO is a struct with
//   static Dto Decode(const boost::json::object& body, Violations* errors);
// NoBody is the DTO of routes that take none.
struct NoBody {
  static NoBody Decode(const boost::json::object&, Violations*) { return {}; }
};

template <class Dto>
using Endpoint = std::function<Reply(const Request&, const flows::Principal&, const Dto&)>;

namespace internal {
// Steps 5 to 7 of one request: decode, admit, call `fn`, render.
template <class Dto, class Fn>
Response Run(Exchange& x, const Fn& fn) {
  Violations errors;
  const Dto dto = Dto::Decode(x.body, &errors);
  if (!errors.empty()) return x.Invalid(errors);
  if (auto refused = x.Admit()) return std::move(*refused);
  Reply r = fn(x.req, x.principal, dto);
  if (!r.ok()) return x.Fail(r.error());
  return std::move(*r);
}
}  // namespace internal

// The route `spec` whose body decodes as `Dto` and which `fn` answers.
template <class Dto>
RouteEntry MakeRoute(RouteSpec spec, Endpoint<Dto> fn) {
  return RouteEntry{std::move(spec), [fn = std::move(fn)](Exchange& x) -> Response {
                      return internal::Run<Dto>(x, fn);
                    }};
}

// The same for a member function of a controller that `self` keeps alive;
// the DTO type is the handler's third parameter. Called directly, not
// through a second std::function (one indirect call per request less).
template <class C, class Dto>
RouteEntry MakeRoute(RouteSpec spec, std::shared_ptr<C> self,
                     Reply (C::*fn)(const Request&, const flows::Principal&, const Dto&)) {
  return RouteEntry{std::move(spec), [self = std::move(self), fn](Exchange& x) -> Response {
                      return internal::Run<Dto>(
                          x, [&](const Request& req, const flows::Principal& p, const Dto& in) {
                            return ((*self).*fn)(req, p, in);
                          });
                    }};
}

// True if the dispatcher found a session for the handler (optional-session
// routes).
bool Authenticated(const flows::Principal& p);

// The handler that runs `route` through `gate` (kept alive by the handler).
// Throws std::invalid_argument for a reserved Access value.
Handler Dispatch(RouteEntry route, std::shared_ptr<Gate> gate);

// Registers every route under `base` on `router`.
void AddRoutes(Router& router, const std::string& base, std::vector<RouteEntry> routes,
               std::shared_ptr<Gate> gate);

// 400 {"message":[...],"error":"Bad Request","statusCode":400}: the raw
// shape's validation error.
Response RawValidation(const Violations& messages);

}  // namespace authd::http

#endif  // AUTHD_HTTP_ROUTE_H_
