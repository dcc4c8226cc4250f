// Route table of the auth controller, then one handler per route. Each
// handler decodes a typed input, calls one flow, renders the result.
#include "http/auth_handlers.h"

#include <memory>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "http/claims_json.h"
#include "http/error_mapping.h"
#include "http/guard.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/validation.h"
#include "throttle/throttle.h"

namespace authd::http {
namespace json = boost::json;

namespace {

class AuthController {
 public:
  explicit AuthController(const AuthHandlerDeps& d) : d_(d) {}

  // Each route holds a reference to the controller, so it lives as long
  // as the router.
  static void Register(std::shared_ptr<AuthController> self, Router& r,
                       const std::string& base) {
    // `parses_body`: the handler decodes the body itself.
    auto bind = [&self](Response (AuthController::*fn)(const Request&),
                        bool parses_body = false) {
      return [c = self, fn, parses_body](const Request& req) {
        // Like the reference's body-parser, a malformed JSON body is a 400
        // on every route, even one that ignores its body.
        if (!parses_body && !req.body.empty()) {
          auto parsed = ParseJsonBody(req);
          if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
        }
        return ((*c).*fn)(req);
      };
    };
    r.Add("GET", base + "/client-config", Exec::kInline, bind(&AuthController::ClientConfig));
    r.Add("GET", base + "/csrf", Exec::kInline, bind(&AuthController::Csrf));
    // kHashing routes also name the key of the hashing pool's per-key limit.
    auto by_user = [c = self](const Request& req) { return c->UserQueueKey(req); };
    r.Add("POST", base + "/signup", Exec::kHashing, bind(&AuthController::Signup, true),
          IdentifierQueueKey);
    r.Add("POST", base + "/login", Exec::kHashing, bind(&AuthController::Login, true),
          IdentifierQueueKey);
    r.Add("POST", base + "/refresh-token", Exec::kBlocking, bind(&AuthController::Refresh, true));
    r.Add("POST", base + "/logout", Exec::kBlocking, bind(&AuthController::Logout));
    r.Add("POST", base + "/logout-all", Exec::kBlocking, bind(&AuthController::LogoutAll));
    r.Add("POST", base + "/change-password", Exec::kHashing,
          bind(&AuthController::ChangePassword, true), by_user);
    // These read only the session and the user (the guard).
    const Exec reads = self->d_.session_reads_in_memory ? Exec::kReadTryInline : Exec::kRead;
    r.Add("GET", base + "/me", reads, bind(&AuthController::Me));
    r.Add("GET", base + "/user", reads, bind(&AuthController::User));
    r.Add("GET", base + "/verify-session", reads, bind(&AuthController::VerifySession));
  }

 private:
  Response ClientConfig(const Request& req);
  Response Csrf(const Request&) { return d_.transport.CsrfEndpoint(); }
  Response Signup(const Request& req);
  Response Login(const Request& req);
  Response Refresh(const Request& req);
  Response Logout(const Request& req);
  Response LogoutAll(const Request& req);
  Response ChangePassword(const Request& req);
  Response Me(const Request& req);
  Response User(const Request& req);
  Response VerifySession(const Request& req);

  core::Result<flows::Principal> Guard(const Request& req, bool skip_mfa);
  // "user:<id>" of a valid access token, else "" (I/O thread: no lookup).
  std::string UserQueueKey(const Request& req) const;
  Response AuthResponse(const Request& req, const flows::AuthResult& r,
                        const char* message, std::optional<bool> remember_me);

  const AuthHandlerDeps d_;
};

core::Result<flows::Principal> AuthController::Guard(const Request& req,
                                                     bool skip_mfa) {
  return Authenticate(req, d_.transport, d_.sessions, skip_mfa);
}

std::string AuthController::UserQueueKey(const Request& req) const {
  auto token = d_.transport.AccessToken(req);
  if (!token || token->api_key) return "";
  auto user = d_.sessions.TokenUser(token->token);
  return user ? "user:" + *user : "";
}

Response AuthController::AuthResponse(const Request& req,
                                      const flows::AuthResult& r,
                                      const char* message,
                                      std::optional<bool> remember_me) {
  return RenderAuthResult(req, d_.transport, r, message, remember_me,
                          d_.second_factor.options().trusted_device_ttl_ms / 1000);
}

Response AuthController::ClientConfig(const Request&) {
  const flows::AccountOptions& a = d_.accounts.options();
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
  const mfa::MfaOptions& m = d_.second_factor.options();
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

Response AuthController::Signup(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  if (auto s = d_.accounts.ThrottleSignup(ThrottleIdentifier(body), req.remote_ip);
      !s.ok()) {
    return Fail(req, s.error());
  }

  std::optional<std::string> error;
  flows::SignupInput in;
  // class-validator order: email (ValidateIf !phone: IsNotEmpty, IsEmail),
  // phone (ValidateIf !email: IsNotEmpty, IsString), password, tenantId,
  // guard. authd: identifiers must be JSON strings, and a given e-mail is
  // checked even next to a phone (the reference would store either).
  std::optional<std::string> email_type, phone_type;
  in.email = StringField(body, "email", &email_type);
  in.phone = StringField(body, "phone", &phone_type);
  const bool no_email = !email_type && (!in.email || in.email->empty());
  const bool no_phone = !phone_type && (!in.phone || in.phone->empty());
  if (no_phone) {
    if (no_email) error = CheckMessage(Check::kIsNotEmpty, "email");
    else if (email_type || !IsEmail(*in.email)) error = CheckMessage(Check::kIsEmail, "email");
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
  std::optional<bool> remember = RememberMe(body);
  if (error) return Fail(req, Validation(*error));
  if (no_email) in.email.reset();
  if (no_phone) in.phone.reset();
  in.password = *password;
  in.client = ClientOf(req);

  auto result = d_.accounts.Signup(in);
  if (!result.ok()) return Fail(req, result.error());
  return AuthResponse(req, *result, "Signup successful", remember);
}

flows::CredentialValue CredentialOf(const json::object& creds, std::string_view k) {
  flows::CredentialValue v;
  auto it = creds.find(k);
  if (it == creds.end()) return v;
  v.present = true;
  v.truthy = Truthy(it->value());
  if (it->value().is_string()) v.text = std::string(it->value().get_string());
  return v;
}

Response AuthController::Login(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  if (auto s = d_.accounts.ThrottleLogin(ThrottleIdentifier(body), req.remote_ip);
      !s.ok()) {
    return Fail(req, s.error());
  }

  std::optional<std::string> error;
  flows::LoginInput in;
  // class-validator order: providerName, credentials, tenantId, guard;
  // createUserIfNotExists and rememberMe (IsBoolean after the host's
  // implicit conversion) accept anything.
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
  std::optional<bool> remember = RememberMe(body);
  if (error) return Fail(req, Validation(*error));

  const json::object& c = creds->value().get_object();
  in.email = CredentialOf(c, "email");
  in.phone = CredentialOf(c, "phone");
  in.password = CredentialOf(c, "password");
  in.client = ClientOf(req);
  in.trust_token = d_.transport.TrustToken(req);
  auto result = d_.accounts.Login(in);
  if (!result.ok()) return Fail(req, result.error());
  return AuthResponse(req, *result, "Login successful", remember);
}

Response AuthController::Refresh(const Request& req) {
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  std::optional<std::string> error;
  auto token = CoercedStringField(body, "refreshToken", &error);
  std::optional<bool> remember = RememberMe(body);
  if (error) return Fail(req, Validation(*error));

  auto result = d_.sessions.Refresh(d_.transport.RefreshToken(req, token));
  if (!result.ok()) return Fail(req, result.error());
  flows::AuthResult r = std::move(*result);
  r.is_requires_mfa = false;  // the reference always says false here
  return AuthResponse(req, r, "Token refreshed successfully", remember);
}

Response AuthController::Logout(const Request& req) {
  // Optional auth: a bad or missing token is ignored, CSRF still applies.
  if (auto token = d_.transport.AccessToken(req)) {
    if (token->from_cookie) {
      if (auto s = d_.transport.CheckCsrf(req); !s.ok()) return Fail(req, s.error());
    }
    auto p = d_.sessions.Authenticate(token->token, /*skip_mfa=*/true);
    if (p.ok()) {
      if (auto s = d_.sessions.Logout(*p); !s.ok()) return Fail(req, s.error());
    } else if (p.error().category == core::ErrorCategory::kUnavailable ||
               p.error().category == core::ErrorCategory::kInternal) {
      return Fail(req, p.error());
    }
  }
  Response r = Json({{"message", "Logged out successfully"}});
  d_.transport.AddClearCookies(r);
  return r;
}

Response AuthController::LogoutAll(const Request& req) {
  auto p = Guard(req, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  if (auto s = d_.sessions.LogoutAll(*p); !s.ok()) return Fail(req, s.error());
  Response r = Json({{"message", "Logged out from all devices successfully"}});
  d_.transport.AddClearCookies(r);
  return r;
}

Response AuthController::ChangePassword(const Request& req) {
  // Body parsing (400) comes before the guard (401), the guard before the
  // rate limit (429, authd's own) and validation, as in the reference's
  // middleware / guard / pipe order.
  auto parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json::object& body = std::get<json::object>(parsed);
  auto p = Guard(req, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  if (auto s = d_.passwords.ThrottleChangePassword(p->user.id, req.remote_ip); !s.ok()) {
    return Fail(req, s.error());
  }

  std::optional<std::string> current_type, next_type, error;
  auto current = StringField(body, "currentPassword", &current_type);
  auto next = StringField(body, "newPassword", &next_type);
  // authd: a password is never converted from another JSON type.
  if (current_type) {
    error = current_type;
  } else if (!current || identity::CodePointLength(*current) < 8) {
    error = CheckMessage(Check::kMinLength, "currentPassword", "8");
  } else if (next_type) {
    error = next_type;
  } else if (!next || *next == *current) {
    error = CheckMessage(Check::kPasswordNotSameAsCurrent, "newPassword");
  } else if (identity::CodePointLength(*next) < 8) {
    error = CheckMessage(Check::kMinLength, "newPassword", "8");
  }
  std::optional<bool> remember = RememberMe(body);
  if (error) return Fail(req, Validation(*error));

  if (auto s = d_.passwords.ChangePassword(p->session.tenant_id, p->user.id,
                                           *current, *next, ClientOf(req));
      !s.ok()) {
    return Fail(req, s.error());
  }
  return d_.transport.TokenResponse(
      req, std::nullopt, {{"message", "Password changed successfully"}}, remember);
}

Response AuthController::Me(const Request& req) {
  auto p = Guard(req, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  const identity::User& u = p->user;
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
  for (const auto& r : p->session.data.roles) {
    roles.push_back({{"id", r.id}, {"name", r.name}, {"guard", r.guard}});
  }
  o["roles"] = std::move(roles);
  json::array perms;
  for (const auto& name : p->session.data.permissions) perms.push_back(json::string(name));
  o["permissions"] = std::move(perms);
  return d_.transport.TokenResponse(req, std::nullopt, std::move(o), std::nullopt);
}

Response AuthController::User(const Request& req) {
  auto p = Guard(req, /*skip_mfa=*/false);
  if (!p.ok()) return Fail(req, p.error());
  const identity::User& u = p->user;
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

Response AuthController::VerifySession(const Request& req) {
  auto p = Guard(req, /*skip_mfa=*/true);
  if (!p.ok()) return Fail(req, p.error());
  return Json({{"valid", true},
               {"userId", p->user.id.str()},
               {"expiresAt", core::FormatIso8601(p->session.expires_at)}});
}

}  // namespace

std::string BasePath(const HttpOptions& options) {
  std::string base;
  if (!options.global_prefix.empty()) base += "/" + options.global_prefix;
  if (!options.route_prefix.empty()) base += "/" + options.route_prefix;
  return base;
}

void RegisterAuthRoutes(Router& router, const AuthHandlerDeps& deps) {
  AuthController::Register(std::make_shared<AuthController>(deps), router,
                           BasePath(deps.transport.options()));
  RegisterAuxiliaryRoutes(router, deps);
  RegisterAccountRoutes(router, deps);
  RegisterMfaRoutes(router, deps);
}

}  // namespace authd::http
