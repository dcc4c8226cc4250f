// The auth controller's core session routes: its route table, the request
// DTOs with their decoders, then one handler per route. Each handler calls
// one flow and renders its result; route.h runs everything before.
#include "http/auth_handlers.h"

#include <memory>

#include <boost/json.hpp>

#include "core/errors.h"
#include "http/claims_json.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/route.h"
#include "http/validation.h"

namespace authd::http {
namespace json = boost::json;

namespace {

using flows::Principal;
using throttle::BucketId;

// class-validator order: email (ValidateIf !phone: IsNotEmpty, IsEmail),
// phone (ValidateIf !email: IsNotEmpty, IsString), password, tenantId,
// guard. authd: identifiers must be JSON strings, and a given e-mail is
// checked even next to a phone (the reference would store either).
struct SignupDto {
  flows::SignupInput in;  // without the client
  std::optional<bool> remember;

  static SignupDto Decode(const json::object& body, Violations* errors) {
    SignupDto d;
    flows::SignupInput& in = d.in;
    std::optional<std::string> error;
    std::optional<std::string> email_type, phone_type;
    in.email = StringField(body, "email", &email_type);
    in.phone = StringField(body, "phone", &phone_type);
    const bool no_email = !email_type && (!in.email || in.email->empty());
    const bool no_phone = !phone_type && (!in.phone || in.phone->empty());
    if (no_phone) {
      if (no_email)
        error = CheckMessage(Check::kIsNotEmpty, "email");
      else if (email_type || !IsEmail(*in.email))
        error = CheckMessage(Check::kIsEmail, "email");
    } else if (!no_email && (email_type || !IsEmail(*in.email))) {
      error = CheckMessage(Check::kIsEmail, "email");
    }
    if (!error && phone_type) error = phone_type;
    if (!error && no_email && no_phone) error = CheckMessage(Check::kIsNotEmpty, "phone");
    std::optional<std::string> pw_error;
    auto password = StringField(body, "password", &pw_error);
    if (!error && pw_error) error = pw_error;
    if (!error && (!password || identity::CodePointLength(*password) < 8)) {
      error = CheckMessage(Check::kMinLength, "password", "8");
    }
    in.tenant_id = CoercedStringField(body, "tenantId", &error);
    (void)CoercedStringField(body, "guard", &error);
    d.remember = RememberMe(body);
    if (error) {
      errors->push_back(*error);
      return d;
    }
    if (no_email) in.email.reset();
    if (no_phone) in.phone.reset();
    in.password = *password;
    return d;
  }
};

flows::CredentialValue CredentialOf(const json::object& creds, std::string_view k) {
  flows::CredentialValue v;
  auto it = creds.find(k);
  if (it == creds.end()) return v;
  v.present = true;
  v.truthy = Truthy(it->value());
  if (it->value().is_string()) v.text = std::string(it->value().get_string());
  return v;
}

// class-validator order: providerName, credentials, tenantId, guard;
// createUserIfNotExists and rememberMe (IsBoolean after the host's
// implicit conversion) accept anything.
struct LoginDto {
  flows::LoginInput in;  // without the client and the trust token
  std::optional<bool> remember;

  static LoginDto Decode(const json::object& body, Violations* errors) {
    LoginDto d;
    flows::LoginInput& in = d.in;
    std::optional<std::string> error;
    in.provider_name = CoercedStringField(body, "providerName", &error);
    auto creds = body.find("credentials");
    if (!error && (creds == body.end() || !creds->value().is_object())) {
      error = CheckMessage(Check::kIsObject, "credentials");
    }
    std::optional<std::string> tenant_type;
    in.tenant_id = CoercedStringField(body, "tenantId", &tenant_type);
    if (!error && (tenant_type || (in.tenant_id && !IsUuid(*in.tenant_id)))) {
      error = CheckMessage(Check::kIsUuid, "tenantId");
    }
    (void)CoercedStringField(body, "guard", &error);
    d.remember = RememberMe(body);
    if (error) {
      errors->push_back(*error);
      return d;
    }
    const json::object& c = creds->value().get_object();
    in.email = CredentialOf(c, "email");
    in.phone = CredentialOf(c, "phone");
    in.password = CredentialOf(c, "password");
    return d;
  }
};

struct RefreshDto {
  std::optional<std::string> refresh_token;  // else the cookie (cookie mode)
  std::optional<bool> remember;

  static RefreshDto Decode(const json::object& body, Violations* errors) {
    RefreshDto d;
    std::optional<std::string> error;
    d.refresh_token = CoercedStringField(body, "refreshToken", &error);
    d.remember = RememberMe(body);
    if (error) errors->push_back(*error);
    return d;
  }
};

class AuthController {
 public:
  explicit AuthController(const AuthHandlerDeps& d) : d_(d) {}

  // The route table. Every route reads a JSON body first, as the
  // reference's body-parser does, even one that ignores it (kIfPresent).
  static std::vector<RouteEntry> Routes(const std::shared_ptr<AuthController>& c) {
    using C = AuthController;
    // These read only the session and the user (the guard).
    const Exec reads = c->d_.session_reads_in_memory ? Exec::kReadTryInline : Exec::kRead;
    // kHashing routes also name the key of the hashing pool's per-key limit.
    std::vector<RouteEntry> r;
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/client-config",
                           .exec = Exec::kInline,
                           .body = BodyRead::kIfPresent},
                          c, &C::ClientConfig));
    r.push_back(MakeRoute(
        {.method = "GET", .path = "/csrf", .exec = Exec::kInline, .body = BodyRead::kIfPresent}, c,
        &C::Csrf));
    // Rate limits before validation, as the reference's guards run before
    // its validation pipe: malformed requests count too.
    r.push_back(MakeRoute(
        {.method = "POST",
         .path = "/signup",
         .exec = Exec::kHashing,
         .queue_key = IdentifierQueueKey,
         .limits = {Bucket(BucketId::kSignup, Stage::kBeforeAuth, LimitKey::kBodyIdentifier)}},
        c, &C::Signup));
    // The lockout first, then the rate limit, as in the reference.
    r.push_back(MakeRoute(
        {.method = "POST",
         .path = "/login",
         .exec = Exec::kHashing,
         .queue_key = IdentifierQueueKey,
         .limits = {LockoutCheck(Stage::kBeforeAuth, LimitKey::kBodyIdentifier, true),
                    Bucket(BucketId::kLogin, Stage::kBeforeAuth, LimitKey::kBodyIdentifier)}},
        c, &C::Login));
    r.push_back(MakeRoute({.method = "POST", .path = "/refresh-token"}, c, &C::Refresh));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/logout",
                           .access = Access::kOptionalSession,
                           .body = BodyRead::kIfPresent},
                          c, &C::Logout));
    r.push_back(MakeRoute({.method = "POST",
                           .path = "/logout-all",
                           .access = Access::kSessionMfaPending,
                           .body = BodyRead::kIfPresent},
                          c, &C::LogoutAll));
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/me",
                           .exec = reads,
                           .access = Access::kSessionMfaPending,
                           .body = BodyRead::kIfPresent},
                          c, &C::Me));
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/user",
                           .exec = reads,
                           .access = Access::kSession,
                           .body = BodyRead::kIfPresent},
                          c, &C::User));
    r.push_back(MakeRoute({.method = "GET",
                           .path = "/verify-session",
                           .exec = reads,
                           .access = Access::kSessionMfaPending,
                           .body = BodyRead::kIfPresent},
                          c, &C::VerifySession));
    return r;
  }

 private:
  Reply ClientConfig(const Request& req, const Principal&, const NoBody&);
  Reply Csrf(const Request&, const Principal&, const NoBody&) {
    return d_.transport.CsrfEndpoint();
  }
  Reply Signup(const Request& req, const Principal&, const SignupDto& in);
  Reply Login(const Request& req, const Principal&, const LoginDto& in);
  Reply Refresh(const Request& req, const Principal&, const RefreshDto& in);
  Reply Logout(const Request& req, const Principal& p, const NoBody&);
  Reply LogoutAll(const Request& req, const Principal& p, const NoBody&);
  Reply Me(const Request& req, const Principal& p, const NoBody&);
  Reply User(const Request& req, const Principal& p, const NoBody&);
  Reply VerifySession(const Request& req, const Principal& p, const NoBody&);

  Response AuthResponse(const Request& req, const flows::AuthResult& r, const char* message,
                        std::optional<bool> remember_me);

  const AuthHandlerDeps d_;
};

Response AuthController::AuthResponse(const Request& req, const flows::AuthResult& r,
                                      const char* message, std::optional<bool> remember_me) {
  return RenderAuthResult(req, d_.transport, r, message, remember_me,
                          d_.flows.second_factor.options().trusted_device_ttl_ms / 1000);
}

Reply AuthController::ClientConfig(const Request&, const Principal&, const NoBody&) {
  const flows::AccountOptions& a = d_.flows.accounts.options();
  const HttpOptions& h = d_.transport.options();
  json::object o;
  o["tenants"] = {{"enabled", a.tenancy_enabled}, {"mode", "isolated"}};
  o["multipleAccounts"] = {{"enabled", false}};
  o["roleGuards"] = json::array{"web"};
  o["emailAuth"] = {{"enabled", a.email_enabled}};
  o["phoneAuth"] = {{"enabled", a.phone_enabled}};
  o["passwordless"] = {{"enabled", false}, {"allowSignUp", false}};
  for (const char* p : {"google", "facebook", "apple", "github"}) {
    o[p] = {{"enabled", false}};
  }
  o["customProviders"] = json::array();
  o["registration"] = {{"enabled", a.registration_enabled}, {"requireInvitation", false}};
  const mfa::MfaOptions& m = d_.flows.second_factor.options();
  json::array methods;
  for (const std::string& method : m.methods) methods.emplace_back(method);
  o["mfa"] = {{"enabled", m.enabled},
              {"methods", std::move(methods)},
              {"allowUserToggle", m.allow_user_toggle},
              {"allowMethodSelection", m.allow_method_selection}};
  o["platformAccess"] = {{"enabled", false}};
  o["accessTokenType"] = h.token_mode == TokenMode::kCookie ? "cookie" : "header";
  return Json(std::move(o));
}

Reply AuthController::Signup(const Request& req, const Principal&, const SignupDto& dto) {
  flows::SignupInput in = dto.in;
  in.client = ClientOf(req);
  auto result = d_.flows.accounts.Signup(in);
  if (!result.ok()) return result.error();
  return AuthResponse(req, *result, "Signup successful", dto.remember);
}

Reply AuthController::Login(const Request& req, const Principal&, const LoginDto& dto) {
  flows::LoginInput in = dto.in;
  in.client = ClientOf(req);
  in.trust_token = d_.transport.TrustToken(req);
  auto result = d_.flows.accounts.Login(in);
  if (!result.ok()) return result.error();
  return AuthResponse(req, *result, "Login successful", dto.remember);
}

Reply AuthController::Refresh(const Request& req, const Principal&, const RefreshDto& in) {
  auto result = d_.flows.sessions.Refresh(d_.transport.RefreshToken(req, in.refresh_token));
  if (!result.ok()) return result.error();
  flows::AuthResult r = std::move(*result);
  r.is_requires_mfa = false;  // the reference always says false here
  return AuthResponse(req, r, "Token refreshed successfully", in.remember);
}

Reply AuthController::Logout(const Request&, const Principal& p, const NoBody&) {
  if (Authenticated(p)) {
    if (auto s = d_.flows.sessions.Logout(p); !s.ok()) return s.error();
  }
  Response r = Json({{"message", "Logged out successfully"}});
  d_.transport.AddClearCookies(r);
  return r;
}

Reply AuthController::LogoutAll(const Request&, const Principal& p, const NoBody&) {
  if (auto s = d_.flows.sessions.LogoutAll(p); !s.ok()) return s.error();
  Response r = Json({{"message", "Logged out from all devices successfully"}});
  d_.transport.AddClearCookies(r);
  return r;
}

Reply AuthController::Me(const Request& req, const Principal& p, const NoBody&) {
  const identity::User& u = p.user;
  json::object o;
  o["id"] = u.id.str();
  o["email"] = u.email ? json::value(*u.email) : json::value(nullptr);
  o["phone"] = u.phone ? json::value(*u.phone) : json::value(nullptr);
  o["emailVerifiedAt"] = IsoOrNull(u.email_verified_at);
  o["phoneVerifiedAt"] = IsoOrNull(u.phone_verified_at);
  o["isMfaEnabled"] = u.is_mfa_enabled;
  o["metadata"] = MetadataValue(u.metadata_json);
  o["mustChangePassword"] = u.must_change_password;
  json::array roles;
  for (const auto& r : p.session.data.roles) {
    roles.push_back({{"id", r.id}, {"name", r.name}, {"guard", r.guard}});
  }
  o["roles"] = std::move(roles);
  json::array perms;
  for (const auto& name : p.session.data.permissions) perms.push_back(json::string(name));
  o["permissions"] = std::move(perms);
  return d_.transport.TokenResponse(req, std::nullopt, std::move(o), std::nullopt);
}

Reply AuthController::User(const Request&, const Principal& p, const NoBody&) {
  const identity::User& u = p.user;
  json::object o;
  o["id"] = u.id.str();
  o["email"] = u.email ? json::value(*u.email) : json::value(nullptr);
  o["emailVerifiedAt"] = IsoOrNull(u.email_verified_at);
  o["phone"] = u.phone ? json::value(*u.phone) : json::value(nullptr);
  o["phoneVerifiedAt"] = IsoOrNull(u.phone_verified_at);
  o["isActive"] = u.is_active;
  o["mustChangePassword"] = u.must_change_password;
  o["metadata"] = MetadataValue(u.metadata_json);
  o["isMfaEnabled"] = u.is_mfa_enabled;
  o["mfaRecoveryCode"] =
      u.mfa_recovery_code ? json::value(*u.mfa_recovery_code) : json::value(nullptr);
  o["createdAt"] = core::FormatIso8601(u.created_at);
  o["updatedAt"] = core::FormatIso8601(u.updated_at);
  return Json(std::move(o));
}

Reply AuthController::VerifySession(const Request&, const Principal& p, const NoBody&) {
  return Json({{"valid", true},
               {"userId", p.user.id.str()},
               {"expiresAt", core::FormatIso8601(p.session.expires_at)}});
}

// The dispatcher's view of the flows.
class FlowGate final : public Gate {
 public:
  explicit FlowGate(const AuthHandlerDeps& d) : d_(d) {}

  std::optional<ExtractedToken> AccessToken(const Request& req) override {
    return d_.transport.AccessToken(req);
  }
  core::Status CheckCsrf(const Request& req) override { return d_.transport.CheckCsrf(req); }
  core::Result<Principal> Session(const std::string& token, bool skip_mfa) override {
    return d_.flows.sessions.Authenticate(token, skip_mfa);
  }
  // Enrolment is MFA-enforced, except that a pending session of a user
  // with nothing to verify with (mfa.required, nothing enrolled) may
  // enrol, since that is all it can do.
  core::Status MayEnrol(const Principal& p) override {
    auto methods = d_.flows.second_factor.VerifiedMethods(p.session.tenant_id, p.user);
    if (!methods.ok()) return methods.error();
    if (!methods->empty()) return core::MakeError(core::Err::kMfaRequired);
    return core::Status::Ok();
  }
  core::Status Hit(BucketId bucket, std::string_view ip, std::string_view key) override {
    return d_.rate_limiter.Hit(bucket, ip, key);
  }
  core::Status CheckLockout(std::string_view key, std::string_view ip) override {
    return d_.lockout.Check(key, ip);
  }

 private:
  const AuthHandlerDeps d_;
};

}  // namespace

std::string BasePath(const HttpOptions& options) {
  std::string base;
  if (!options.global_prefix.empty()) base += "/" + options.global_prefix;
  if (!options.route_prefix.empty()) base += "/" + options.route_prefix;
  return base;
}

std::vector<RouteEntry> CoreRoutes(const AuthHandlerDeps& deps) {
  return AuthController::Routes(std::make_shared<AuthController>(deps));
}

std::vector<RouteEntry> AuthRoutes(const AuthHandlerDeps& deps) {
  std::vector<RouteEntry> all;
  for (auto* table : {&CoreRoutes, &AuxiliaryRoutes, &AccountRoutes, &MfaRoutes}) {
    for (RouteEntry& r : table(deps)) all.push_back(std::move(r));
  }
  return all;
}

void RegisterAuthRoutes(Router& router, const AuthHandlerDeps& deps) {
  AddRoutes(router, BasePath(deps.transport.options()), AuthRoutes(deps),
            std::make_shared<FlowGate>(deps));
}

}  // namespace authd::http
