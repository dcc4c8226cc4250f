// The dispatcher on a toy route table: the order in which a client sees
// failures, who may call a route, CSRF, the two error body shapes, how the
// body is read, and route gates. The toy Gate uses the real rate limiter
// and lockout over an in-memory counter store and a fake clock; its
// sessions are a fixed table of tokens.
#include "http/route.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "http/handler_util.h"
#include "store/memory/memory_stores.h"
#include "throttle/throttle.h"

namespace authd::http {
namespace {
namespace json = boost::json;

using flows::Principal;
using throttle::BucketId;

constexpr char kIp[] = "10.0.0.1";

// Bodies a client sees, byte for byte.
constexpr char kNoAuth[] =
    R"({"statusCode":401,"error":"UnauthorizedException","message":"No authentication provided","code":"NO_AUTH_PROVIDED"})";
constexpr char kBadToken[] =
    R"({"statusCode":401,"error":"UnauthorizedException","message":"Invalid or expired token","code":"INVALID_TOKEN"})";
constexpr char kMfaRequired[] =
    R"({"statusCode":401,"error":"UnauthorizedException","message":"Multi-factor authentication is required","code":"MFA_REQUIRED"})";
constexpr char kTooMany[] =
    R"({"statusCode":429,"error":"HttpException","message":"Too many requests. Please try again later.","code":"RATE_LIMITED"})";
constexpr char kLocked[] =
    R"({"statusCode":429,"error":"HttpException","message":"Account temporarily locked after too many failed attempts. Please try again later.","code":"ACCOUNT_LOCKED"})";
constexpr char kCsrf[] =
    R"({"statusCode":403,"error":"ForbiddenException","message":"Invalid or missing CSRF token.","code":"CSRF_TOKEN_INVALID"})";
constexpr char kNameEmpty[] =
    R"({"statusCode":400,"error":"Bad Request","message":"name must be a string"})";
constexpr char kMalformed[] =
    R"({"message":"Unexpected token x in JSON at position 1","error":"Bad Request","statusCode":400})";

// A toy DTO: `name`, a non-empty string. Two messages for a missing one,
// so the raw shape's list shows.
struct NameDto {
  std::string name;

  static NameDto Decode(const json::object& body, Violations* errors) {
    NameDto d;
    auto it = body.find("name");
    if (it == body.end() || !it->value().is_string()) {
      errors->push_back("name must be a string");
      errors->push_back("name should not be empty");
      return d;
    }
    d.name = std::string(it->value().get_string());
    if (d.name.empty()) errors->push_back("name should not be empty");
    return d;
  }
};

// A toy controller: echoes what the dispatcher handed it.
class ToyController {
 public:
  Reply Echo(const Request&, const Principal& p, const NameDto& in) {
    ++calls;
    return Json({{"name", in.name}, {"user", p.user.id.str()}});
  }
  Reply Who(const Request&, const Principal& p, const NoBody&) {
    ++calls;
    return Json({{"user", Authenticated(p) ? p.user.id.str() : "anonymous"}});
  }
  Reply Missing(const Request&, const Principal&, const NoBody&) {
    ++calls;
    return core::MakeError(core::Err::kUserNotFound);
  }

  int calls = 0;
};

// Sessions by token: "alice" (no MFA), "bob" (MFA pending, has a
// verified method), "carol" (MFA pending, nothing to verify with), "down"
// (the store is unavailable); any other token is invalid. Tokens come from
// "Authorization: Bearer|ApiKey <t>" or the cookie "access_token=<t>".
class ToyGate final : public Gate {
 public:
  ToyGate()
      : counters_(store::NewMemoryCounterStore()),
        limiter_(LimitOptions(), *counters_, clock_),
        lockout_(LockoutOptions(), *counters_, clock_) {}

  // Two requests a minute per bucket (and per IP).
  static throttle::RateLimitOptions LimitOptions() {
    throttle::RateLimitOptions o;
    o.signup = o.verify_otp = o.mfa_setup = throttle::Bucket{60000, 2};
    return o;
  }
  static throttle::LockoutOptions LockoutOptions() {
    throttle::LockoutOptions o;
    o.max_failed_attempts = 1;
    return o;
  }

  std::optional<ExtractedToken> AccessToken(const Request& req) override {
    ++token_reads;
    if (auto auth = req.Header("authorization")) {
      if (auth->starts_with("Bearer ")) return ExtractedToken{std::string(auth->substr(7))};
      if (auth->starts_with("ApiKey ")) {
        return ExtractedToken{std::string(auth->substr(7)), false, true};
      }
    }
    if (auto cookie = req.Header("cookie"); cookie && cookie->starts_with("access_token=")) {
      return ExtractedToken{std::string(cookie->substr(13)), true};
    }
    return std::nullopt;
  }
  core::Status CheckCsrf(const Request& req) override {
    ++csrf_checks;
    if (req.Header("x-csrf-token") == "csrf-ok") return core::Status::Ok();
    return core::MakeError(core::Err::kCsrfTokenInvalid);
  }
  core::Result<Principal> Session(const std::string& token, bool skip_mfa) override {
    if (token == "down") return core::MakeError(core::Err::kServiceUnavailable);
    if (token != "alice" && token != "bob" && token != "carol") {
      return core::MakeError(core::Err::kInvalidToken);
    }
    Principal p;
    p.user.id = core::UserId("u-" + token);
    p.claims.is_mfa_enabled = token != "alice";
    if (!skip_mfa && p.claims.is_mfa_enabled) return core::MakeError(core::Err::kMfaRequired);
    return p;
  }
  core::Status MayEnrol(const Principal& p) override {
    ++enrol_checks;
    if (p.user.id.str() == "u-carol") return core::Status::Ok();
    return core::MakeError(core::Err::kMfaRequired);
  }
  core::Status Hit(BucketId bucket, std::string_view ip, std::string_view key) override {
    return limiter_.Hit(bucket, ip, key);
  }
  core::Status CheckLockout(std::string_view key, std::string_view ip) override {
    return lockout_.Check(key, ip);
  }

  void Lock(std::string_view identifier) { lockout_.RecordFailure(identifier, kIp); }

  int token_reads = 0;
  int csrf_checks = 0;
  int enrol_checks = 0;

 private:
  core::FakeClock clock_{1'000'000};
  std::unique_ptr<throttle::CounterStore> counters_;
  throttle::RateLimiter limiter_;
  throttle::Lockout lockout_;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

Request Req(std::string body = "", Headers headers = {}) {
  Request r;
  r.method = "POST";
  r.path = r.target = "/toy";
  r.remote_ip = kIp;
  r.request_id = "test";
  if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
  for (auto& h : headers) r.headers.push_back(std::move(h));
  r.body = std::move(body);
  return r;
}
Headers Bearer(const std::string& token) { return {{"authorization", "Bearer " + token}}; }
Headers Cookie(const std::string& token) { return {{"cookie", "access_token=" + token}}; }

class RouteTest : public ::testing::Test {
 protected:
  // The handler of `spec` answered by ToyController::Echo (a NameDto).
  Handler Echo(RouteSpec spec) {
    return Dispatch(MakeRoute(std::move(spec), controller_, &ToyController::Echo), gate_);
  }
  // ... by ToyController::Who (no DTO).
  Handler Who(RouteSpec spec) {
    return Dispatch(MakeRoute(std::move(spec), controller_, &ToyController::Who), gate_);
  }

  std::shared_ptr<ToyController> controller_ = std::make_shared<ToyController>();
  std::shared_ptr<ToyGate> gate_ = std::make_shared<ToyGate>();
};

// ---- The order of failures ---------------------------------------------

TEST_F(RouteTest, MalformedBodyAnswers400BeforeTheGuard) {
  Handler h = Echo({.method = "POST", .path = "/toy", .access = Access::kSession});
  Response r = h(Req("{x}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, kMalformed);
  EXPECT_EQ(gate_->token_reads, 0);
  // Also in the raw shape: body-parser's error has one shape.
  Handler raw = Echo(
      {.method = "POST", .path = "/toy", .access = Access::kSession, .shape = ErrorShape::kRaw});
  EXPECT_EQ(raw(Req("{x}")).body, kMalformed);
}

TEST_F(RouteTest, AbsentBodyReadsAsEmptySoTheGuardAnswersFirst) {
  // body-parser reads no body as {}: the DTO's 400 comes after the 401.
  Handler h = Echo({.method = "POST", .path = "/toy", .access = Access::kSession});
  Response r = h(Req());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, kNoAuth);
  r = h(Req("", Bearer("alice")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, kNameEmpty);
  EXPECT_EQ(controller_->calls, 0);
}

TEST_F(RouteTest, GuardAnswers401BeforeABeforeValidationBucket) {
  Handler h =
      Echo({.method = "POST",
            .path = "/toy",
            .access = Access::kSession,
            .limits = {Bucket(BucketId::kMfaSetup, Stage::kBeforeValidation, LimitKey::kUser)}});
  EXPECT_EQ(h(Req(R"({"name":"a"})", Bearer("alice"))).status, 200);
  EXPECT_EQ(h(Req(R"({"name":"a"})", Bearer("alice"))).status, 200);
  // The bucket (per IP too) is spent; an anonymous caller still sees 401.
  Response r = h(Req(R"({"name":"a"})"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, kNoAuth);
  r = h(Req(R"({"name":"a"})", Bearer("alice")));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, kTooMany);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "60"}));
  EXPECT_EQ(controller_->calls, 2);
}

TEST_F(RouteTest, BeforeValidationBucketAnswers429BeforeTheDtos400) {
  Handler h =
      Echo({.method = "POST",
            .path = "/toy",
            .access = Access::kSession,
            .limits = {Bucket(BucketId::kMfaSetup, Stage::kBeforeValidation, LimitKey::kUser)}});
  // Invalid requests count too, as the reference's guards run before its
  // validation pipe.
  EXPECT_EQ(h(Req(R"({"name":""})", Bearer("alice"))).status, 400);
  EXPECT_EQ(h(Req(R"({"name":""})", Bearer("alice"))).status, 400);
  Response r = h(Req(R"({"name":""})", Bearer("alice")));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, kTooMany);
  EXPECT_EQ(h(Req(R"({"name":"a"})", Bearer("alice"))).status, 429);
  EXPECT_EQ(controller_->calls, 0);
}

TEST_F(RouteTest, AfterValidationBucketCountsValidRequestsOnly) {
  Handler h = Echo({.method = "POST",
                    .path = "/toy",
                    .limits = {Bucket(BucketId::kVerifyOtp, Stage::kAfterValidation,
                                      LimitKey::kBodyIdentifier)}});
  for (int i = 0; i < 5; ++i) {
    Response r = h(Req(R"({"email":"a@b.c"})"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, kNameEmpty);
  }
  EXPECT_EQ(h(Req(R"({"email":"a@b.c","name":"x"})")).status, 200);
  EXPECT_EQ(h(Req(R"({"email":"a@b.c","name":"x"})")).status, 200);
  Response r = h(Req(R"({"email":"a@b.c","name":"x"})"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, kTooMany);
  // Once spent, an invalid request still gets its 400.
  EXPECT_EQ(h(Req(R"({"email":"a@b.c"})")).status, 400);
  EXPECT_EQ(controller_->calls, 2);
}

TEST_F(RouteTest, BeforeAuthLimitsRunBeforeTheGuardInTheirOrder) {
  Handler h =
      Echo({.method = "POST",
            .path = "/toy",
            .access = Access::kSession,
            .limits = {LockoutCheck(Stage::kBeforeAuth, LimitKey::kBodyIdentifier, true),
                       Bucket(BucketId::kSignup, Stage::kBeforeAuth, LimitKey::kBodyIdentifier)}});
  // Anonymous requests spend the bucket, keyed by the body's identifier.
  EXPECT_EQ(h(Req(R"({"email":" A@B.c "})")).status, 401);
  EXPECT_EQ(h(Req(R"({"email":"a@b.c"})")).status, 401);
  Response r = h(Req(R"({"email":"a@b.c"})"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, kTooMany);
  EXPECT_EQ(gate_->token_reads, 2);
  // The lockout comes first: a locked identifier says so, not RATE_LIMITED.
  gate_->Lock("a@b.c");
  r = h(Req(R"({"email":"a@b.c"})"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, kLocked);
  EXPECT_EQ(r.headers.at(0).first, "Retry-After");
}

TEST_F(RouteTest, GateRunsAfterValidationAndBeforeAfterValidationLimits) {
  bool open = false;
  Handler h = Echo(
      {.method = "POST",
       .path = "/toy",
       .limits = {Bucket(BucketId::kVerifyOtp, Stage::kAfterValidation, LimitKey::kBodyIdentifier)},
       .gate = [&open]() -> core::Status {
         if (open) return core::Status::Ok();
         return core::MakeError(core::Err::kMfaNotEnabledForApp);
       }});
  // The DTO's 400 comes before the gate's refusal.
  EXPECT_EQ(h(Req(R"({"email":"a@b.c"})")).body, kNameEmpty);
  for (int i = 0; i < 3; ++i) {
    Response r = h(Req(R"({"email":"a@b.c","name":"x"})"));
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(
        r.body,
        R"({"statusCode":403,"error":"ForbiddenException","message":"MFA is not enabled for the application","code":"MFA_NOT_ENABLED"})");
  }
  // The refusals spent nothing.
  open = true;
  EXPECT_EQ(h(Req(R"({"email":"a@b.c","name":"x"})")).status, 200);
  EXPECT_EQ(h(Req(R"({"email":"a@b.c","name":"x"})")).status, 200);
  EXPECT_EQ(h(Req(R"({"email":"a@b.c","name":"x"})")).status, 429);
  EXPECT_EQ(controller_->calls, 2);
}

// ---- Access ---------------------------------------------------------------

TEST_F(RouteTest, PublicRoutesNeverReadAToken) {
  Handler h = Who({.method = "POST", .path = "/toy"});
  Response r = h(Req("", Bearer("not-a-token")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"user":"anonymous"})");
  EXPECT_EQ(h(Req("", Cookie("alice"))).body, R"({"user":"anonymous"})");
  EXPECT_EQ(gate_->token_reads, 0);
  EXPECT_EQ(gate_->csrf_checks, 0);
}

TEST_F(RouteTest, OptionalSessionIgnoresABadTokenButNotAnOutage) {
  Handler h = Who({.method = "POST", .path = "/toy", .access = Access::kOptionalSession});
  EXPECT_EQ(h(Req()).body, R"({"user":"anonymous"})");
  EXPECT_EQ(h(Req("", Bearer("forged"))).body, R"({"user":"anonymous"})");
  EXPECT_EQ(h(Req("", Bearer("alice"))).body, R"({"user":"u-alice"})");
  // A session still waiting for its second factor counts.
  EXPECT_EQ(h(Req("", Bearer("bob"))).body, R"({"user":"u-bob"})");
  Response r = h(Req("", Bearer("down")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(controller_->calls, 4);
}

TEST_F(RouteTest, SessionRefusesMissingBadAndMfaPendingTokens) {
  Handler h = Who({.method = "POST", .path = "/toy", .access = Access::kSession});
  EXPECT_EQ(h(Req()).body, kNoAuth);
  EXPECT_EQ(h(Req("", Bearer("forged"))).body, kBadToken);
  Response r = h(Req("", Bearer("bob")));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, kMfaRequired);
  r = h(Req("", Bearer("alice")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"user":"u-alice"})");
  EXPECT_EQ(controller_->calls, 1);
}

TEST_F(RouteTest, SessionMfaPendingAllowsAPendingSession) {
  Handler h = Who({.method = "POST", .path = "/toy", .access = Access::kSessionMfaPending});
  EXPECT_EQ(h(Req()).body, kNoAuth);
  EXPECT_EQ(h(Req("", Bearer("forged"))).body, kBadToken);
  EXPECT_EQ(h(Req("", Bearer("bob"))).body, R"({"user":"u-bob"})");
  EXPECT_EQ(h(Req("", Bearer("alice"))).body, R"({"user":"u-alice"})");
  EXPECT_EQ(gate_->enrol_checks, 0);
}

TEST_F(RouteTest, MfaEnrolmentLetsInAPendingSessionOnlyIfItMayEnrol) {
  Handler h = Who({.method = "POST", .path = "/toy", .access = Access::kMfaEnrolment});
  EXPECT_EQ(h(Req("", Bearer("alice"))).body, R"({"user":"u-alice"})");
  EXPECT_EQ(gate_->enrol_checks, 0);
  Response r = h(Req("", Bearer("bob")));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, kMfaRequired);
  EXPECT_EQ(h(Req("", Bearer("carol"))).body, R"({"user":"u-carol"})");
  EXPECT_EQ(gate_->enrol_checks, 2);
}

TEST_F(RouteTest, ApiKeysAreNeverAccepted) {
  Handler h = Who({.method = "POST", .path = "/toy", .access = Access::kSession});
  EXPECT_EQ(
      h(Req("", {{"authorization", "ApiKey nodot"}})).body,
      R"({"statusCode":401,"error":"UnauthorizedException","message":"Invalid API key format","code":"INVALID_API_KEY_FORMAT"})");
  EXPECT_EQ(
      h(Req("", {{"authorization", "ApiKey pub.priv"}})).body,
      R"({"statusCode":401,"error":"UnauthorizedException","message":"Invalid API key","code":"INVALID_API_KEY"})");
  EXPECT_EQ(controller_->calls, 0);
}

TEST_F(RouteTest, ReservedAccessValuesCannotBeRegistered) {
  for (Access a : {Access::kAdminSession, Access::kApiKey}) {
    EXPECT_THROW(Who({.method = "GET", .path = "/admin", .access = a}), std::invalid_argument);
    Router router;
    std::vector<RouteEntry> table;
    table.push_back(MakeRoute({.method = "GET", .path = "/admin", .access = a}, controller_,
                              &ToyController::Who));
    EXPECT_THROW(AddRoutes(router, "/auth", std::move(table), gate_), std::invalid_argument);
  }
}

// ---- CSRF -----------------------------------------------------------------

TEST_F(RouteTest, CsrfAppliesToCookieTokensOfRoutesThatAskForIt) {
  Handler checked = Who({.method = "POST", .path = "/toy", .access = Access::kSession});
  Response r = checked(Req("", Cookie("alice")));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, kCsrf);
  Headers with_csrf = Cookie("alice");
  with_csrf.emplace_back("x-csrf-token", "csrf-ok");
  EXPECT_EQ(checked(Req("", with_csrf)).body, R"({"user":"u-alice"})");
  // CSRF comes before the token's validity.
  EXPECT_EQ(checked(Req("", Cookie("forged"))).body, kCsrf);
  // A bearer header is not sent by a browser on its own: no check.
  const int checks = gate_->csrf_checks;
  EXPECT_EQ(checked(Req("", Bearer("alice"))).body, R"({"user":"u-alice"})");
  EXPECT_EQ(gate_->csrf_checks, checks);

  Handler unchecked =
      Who({.method = "POST", .path = "/toy", .access = Access::kSession, .csrf = false});
  EXPECT_EQ(unchecked(Req("", Cookie("alice"))).body, R"({"user":"u-alice"})");
  EXPECT_EQ(gate_->csrf_checks, checks);

  // An optional session checks it too; a public route never.
  Handler optional = Who({.method = "POST", .path = "/toy", .access = Access::kOptionalSession});
  EXPECT_EQ(optional(Req("", Cookie("alice"))).body, kCsrf);
  Handler open = Who({.method = "POST", .path = "/toy"});
  EXPECT_EQ(open(Req("", Cookie("alice"))).body, R"({"user":"anonymous"})");
}

// ---- Error shapes -------------------------------------------------------

TEST_F(RouteTest, FilteredShape) {
  Handler h = Echo({.method = "POST", .path = "/toy", .access = Access::kSession});
  EXPECT_EQ(h(Req()).body, kNoAuth);
  // Validation: the first message only, as a plain (code-less) error.
  EXPECT_EQ(h(Req("{}", Bearer("alice"))).body, kNameEmpty);
  Handler missing = Dispatch(
      MakeRoute({.method = "POST", .path = "/toy"}, controller_, &ToyController::Missing), gate_);
  Response r = missing(Req());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.body,
      R"({"statusCode":401,"error":"UnauthorizedException","message":"User not found","code":"USER_NOT_FOUND"})");
}

TEST_F(RouteTest, RawShape) {
  Handler h = Echo(
      {.method = "POST", .path = "/toy", .access = Access::kSession, .shape = ErrorShape::kRaw});
  EXPECT_EQ(h(Req()).body, R"({"message":"No authentication provided","code":"NO_AUTH_PROVIDED"})");
  // Validation: every message, in Nest's ValidationPipe body.
  Response r = h(Req("{}", Bearer("alice")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"message":["name must be a string","name should not be empty"],"error":"Bad Request","statusCode":400})");
  Handler missing =
      Dispatch(MakeRoute({.method = "POST", .path = "/toy", .shape = ErrorShape::kRaw}, controller_,
                         &ToyController::Missing),
               gate_);
  EXPECT_EQ(missing(Req()).body, R"({"message":"User not found","code":"USER_NOT_FOUND"})");
}

// ---- How the body is read -------------------------------------------------

TEST_F(RouteTest, JsonBodyIsAlwaysParsed) {
  Handler h = Echo({.method = "POST", .path = "/toy"});
  EXPECT_EQ(h(Req(R"({"name":"x"})")).body, R"({"name":"x","user":""})");
  // A foreign charset is refused even with no body.
  Response r = h(Req("", {{"content-type", "application/json; charset=latin1"}}));
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body, R"({"statusCode":415,"message":"unsupported charset \"LATIN1\""})");
  // Another media type reads as {}.
  Request text = Req();
  text.headers.emplace_back("content-type", "text/plain");
  text.body = R"({"name":"x"})";
  EXPECT_EQ(h(text).body, kNameEmpty);
}

TEST_F(RouteTest, IfPresentBodyIsParsedOnlyWhenNotEmpty) {
  Handler h = Who({.method = "GET", .path = "/toy", .body = BodyRead::kIfPresent});
  EXPECT_EQ(h(Req("", {{"content-type", "application/json; charset=latin1"}})).status, 200);
  Response r = h(Req("{x}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, kMalformed);
}

TEST_F(RouteTest, NoneBodyIsNeverRead) {
  Handler h = Who({.method = "GET", .path = "/toy", .body = BodyRead::kNone});
  EXPECT_EQ(h(Req("{x}")).body, R"({"user":"anonymous"})");
  EXPECT_EQ(h(Req("", {{"content-type", "application/json; charset=latin1"}})).status, 200);
  // The DTO then sees {}.
  Handler echo = Echo({.method = "POST", .path = "/toy", .body = BodyRead::kNone});
  EXPECT_EQ(echo(Req(R"({"name":"x"})")).body, kNameEmpty);
}

// ---- Registration ---------------------------------------------------------

TEST_F(RouteTest, AddRoutesRegistersUnderTheBasePath) {
  Router router;
  std::vector<RouteEntry> table;
  table.push_back(MakeRoute({.method = "GET", .path = "/who", .exec = Exec::kInline}, controller_,
                            &ToyController::Who));
  table.push_back(MakeRoute({.method = "GET", .path = "/cb/:provider", .exec = Exec::kRead},
                            controller_, &ToyController::Who));
  table.push_back(
      MakeRoute<NameDto>({.method = "POST", .path = "/echo"},
                         [](const Request&, const Principal&, const NameDto& in) -> Reply {
                           return Json({{"echo", in.name}});
                         }));
  AddRoutes(router, "/auth", std::move(table), gate_);
  ASSERT_NE(router.Find("GET", "/auth/who"), nullptr);
  EXPECT_EQ(router.Find("GET", "/auth/who")->exec, Exec::kInline);
  EXPECT_EQ(router.Find("GET", "/who"), nullptr);
  ASSERT_NE(router.Find("GET", "/auth/cb/google"), nullptr);
  EXPECT_EQ(router.Find("GET", "/auth/cb/google")->exec, Exec::kRead);
  const Route* echo = router.Find("POST", "/auth/echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->exec, Exec::kBlocking);
  EXPECT_EQ(echo->handler(Req(R"({"name":"y"})")).body, R"({"echo":"y"})");
}

}  // namespace
}  // namespace authd::http
